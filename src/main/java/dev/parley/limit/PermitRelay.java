package dev.parley.limit;

import java.net.http.HttpHeaders;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.parley.ChatChunk;
import dev.parley.ChatStream;
import dev.parley.spi.CallScope;

/**
 * One subscription to a rate-limited stream: takes the permits, then subscribes to the
 * provider's stream and passes it through unchanged (demand and cancellation go straight
 * upstream, so backpressure is the provider stream's own), and gives the permits back when the
 * stream completes, fails or is cancelled, settling the tokens with the last usage it carried.
 *
 * <p>The subscriber gets {@code onSubscribe} at once. If the permits cannot be taken at once,
 * a virtual thread waits for them (FIFO with every other caller of the lane) and ends as soon as
 * they are granted, refused ({@code onError} with the {@code RateLimitException}) or the
 * subscriber cancels (which interrupts the wait). Demand asked for before the provider's stream
 * is subscribed is kept and handed on. The wait is bounded by the deadline of the call's
 * {@link CallScope}, and told to its observer.
 */
final class PermitRelay implements Flow.Subscription, Flow.Subscriber<ChatChunk> {

    private final Limiting owner;
    private final Lane lane;
    private final long estimate;
    private final CallScope scope;
    private final ChatStream upstream;
    private final Flow.Subscriber<? super ChatChunk> downstream;
    /** The response's headers, from the first chunk that carries them; followed when the permit is released. */
    private volatile HttpHeaders headers;

    private final AtomicLong pendingDemand = new AtomicLong();
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile Flow.Subscription upstreamSubscription;
    private volatile long invalidRequest;
    private volatile boolean cancelled;
    private volatile boolean acquired;
    private volatile long handle;
    private volatile Thread waiter;
    private volatile long lastTokens = -1;

    PermitRelay(Limiting owner, Lane lane, long estimate, CallScope scope, ChatStream upstream,
                Flow.Subscriber<? super ChatChunk> downstream) {
        this.owner = owner;
        this.lane = lane;
        this.estimate = estimate;
        this.scope = scope;
        this.upstream = upstream;
        this.downstream = downstream;
    }

    void start() {
        downstream.onSubscribe(this);
        if (cancelled) {
            upstream.close();
            return;
        }
        long h = lane.tryAcquire(estimate);
        if (h != Lane.NOT_GRANTED) {
            granted(h);
            return;
        }
        waiter = Thread.ofVirtual().name("parley-rate-limit-wait").start(this::awaitPermits);
    }

    private void awaitPermits() {
        long h;
        try {
            h = lane.acquire(estimate, scope);
        } catch (RuntimeException e) {
            if (!cancelled) {
                downstream.onError(e);
            }
            return;
        } finally {
            waiter = null;
        }
        Thread.interrupted(); // a cancel that came after the grant; the thread ends here anyway
        granted(h);
    }

    private void granted(long h) {
        handle = h;
        acquired = true;
        if (cancelled) {
            release();
            upstream.close();
            return;
        }
        upstream.subscribe(this);
    }

    private void release() {
        if (acquired && released.compareAndSet(false, true)) {
            lane.release(estimate, lastTokens, handle);
            owner.follow(lane, headers);
        }
    }

    // ---- Flow.Subscription, for the downstream subscriber ----

    @Override
    public void request(long n) {
        Flow.Subscription up = upstreamSubscription;
        if (up != null) {
            up.request(n);
            return;
        }
        if (n <= 0) {
            invalidRequest = n;
        } else {
            pendingDemand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
        }
        up = upstreamSubscription;
        if (up != null) {
            forwardPending(up);
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        Thread w = waiter;
        if (w != null) {
            w.interrupt();
        }
        Flow.Subscription up = upstreamSubscription;
        if (up != null) {
            up.cancel();
        }
        release();
    }

    private void forwardPending(Flow.Subscription up) {
        long bad = invalidRequest;
        if (bad != 0) {
            invalidRequest = 0;
            up.request(bad);
        }
        long n = pendingDemand.getAndSet(0);
        if (n > 0) {
            up.request(n);
        }
    }

    // ---- Flow.Subscriber, for the provider's stream ----

    @Override
    public void onSubscribe(Flow.Subscription s) {
        upstreamSubscription = s;
        if (cancelled) {
            s.cancel();
            return;
        }
        forwardPending(s);
    }

    @Override
    public void onNext(ChatChunk chunk) {
        if (chunk.usage() != null) {
            lastTokens = Limiting.actualTokens(chunk.usage());
        }
        if (headers == null && chunk.headers() != null) {
            headers = chunk.headers();
        }
        downstream.onNext(chunk);
    }

    @Override
    public void onError(Throwable error) {
        release();
        owner.pauseIfAsked(lane, error);
        downstream.onError(error);
    }

    @Override
    public void onComplete() {
        release();
        downstream.onComplete();
    }
}
