package dev.parley.provider.anthropic;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Relays a streamed response body and, when it ends normally, adds a blank line, so that a last
 * event the server did not terminate with one is still dispatched.
 *
 * <p>Server-Sent Events (WHATWG) discard an event not followed by a blank line when the body
 * ends. A Messages stream may end that way, right after its complete {@code message_stop} (the
 * Anthropic SDK's own stream fixture does): without this, such a stream would count as cut. A
 * body really cut in the middle of an event still fails: the event's partial JSON does not parse
 * (the mapper reports that as a cut stream, see {@link #ended()}), and a body cut between events
 * still lacks its end marker. Bodies that fail, or are cancelled, are relayed as they are.
 *
 * <p>Thread-safe: upstream signals and downstream requests may come from different threads; the
 * added chunk is delivered exactly once, never concurrently with another signal.
 */
final class FinalEventFlush implements Flow.Publisher<List<ByteBuffer>> {

    private static final byte[] BLANK_LINE = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final Flow.Publisher<List<ByteBuffer>> upstream;
    private volatile boolean ended;

    FinalEventFlush(Flow.Publisher<List<ByteBuffer>> upstream) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
    }

    /** {@return whether the body ended and the closing blank line is being (or was) delivered} */
    boolean ended() {
        return ended;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super List<ByteBuffer>> subscriber) {
        upstream.subscribe(new Relay(Objects.requireNonNull(subscriber, "subscriber")));
    }

    private final class Relay implements Flow.Subscriber<List<ByteBuffer>>, Flow.Subscription {
        private final Flow.Subscriber<? super List<ByteBuffer>> downstream;
        private final ReentrantLock lock = new ReentrantLock();
        // Guarded by lock.
        private Flow.Subscription subscription;
        private long demand;
        private boolean completionPending;
        private boolean finished;
        private boolean cancelled;

        Relay(Flow.Subscriber<? super List<ByteBuffer>> downstream) {
            this.downstream = downstream;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            lock.lock();
            try {
                subscription = s;
            } finally {
                lock.unlock();
            }
            downstream.onSubscribe(this);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            lock.lock();
            try {
                demand--;
            } finally {
                lock.unlock();
            }
            downstream.onNext(item);
        }

        @Override
        public void onError(Throwable throwable) {
            downstream.onError(throwable);
        }

        @Override
        public void onComplete() {
            boolean now;
            lock.lock();
            try {
                if (cancelled || finished) {
                    return;
                }
                now = demand > 0;
                finished = now;
                completionPending = !now;
            } finally {
                lock.unlock();
            }
            if (now) {
                finish();
            }
        }

        @Override
        public void request(long n) {
            boolean now = false;
            boolean forward = false;
            Flow.Subscription s;
            lock.lock();
            try {
                s = subscription;
                if (finished || cancelled) {
                    return;
                }
                if (completionPending && n > 0) {
                    finished = true;
                    now = true;
                } else {
                    if (n > 0) {
                        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                    }
                    forward = true; // n <= 0 too: upstream reports the violation
                }
            } finally {
                lock.unlock();
            }
            if (now) {
                finish();
            } else if (forward) {
                s.request(n);
            }
        }

        @Override
        public void cancel() {
            Flow.Subscription s;
            lock.lock();
            try {
                cancelled = true;
                s = subscription;
            } finally {
                lock.unlock();
            }
            s.cancel();
        }

        private void finish() {
            ended = true;
            downstream.onNext(List.of(ByteBuffer.wrap(BLANK_LINE)));
            downstream.onComplete();
        }
    }
}
