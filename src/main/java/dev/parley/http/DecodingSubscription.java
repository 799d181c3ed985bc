package dev.parley.http;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import dev.parley.internal.flow.AbstractSubscription;

/**
 * The subscription behind a {@link DecodingPublisher}: subscribes to the byte chunks upstream,
 * decodes them into frames, maps frames to items and delivers the items downstream.
 *
 * <p>One upstream chunk is requested at a time, and only when downstream demand is outstanding and
 * every item decoded so far has been delivered; so the items buffered here are at most what one
 * chunk decodes to. Decoding and mapping run inside the drain loop of {@link AbstractSubscription},
 * so the decoder and the mapper are never called concurrently.
 *
 * <p>Thread-safety: the upstream {@code Subscriber} methods may be called from any thread
 * (serially, as Reactive Streams requires); everything else is driven by the drain loop.
 *
 * @param <F> the frame type
 * @param <T> the item type
 */
final class DecodingSubscription<F, T> extends AbstractSubscription<T>
        implements Flow.Subscriber<List<ByteBuffer>> {

    /** Creates the framing decoder for one stream. */
    @FunctionalInterface
    interface DecoderFactory<F> {

        /**
         * Creates a decoder.
         *
         * @param frames receives decoded frames
         * @param comments receives comment text, or null if nobody listens
         * @param maxFrameSize the largest frame accepted, in bytes
         * @return the decoder
         */
        FrameDecoder create(Consumer<F> frames, Consumer<String> comments, int maxFrameSize);
    }

    private static final VarHandle UPSTREAM;
    private static final VarHandle PENDING_CHUNK;
    private static final VarHandle UPSTREAM_DEMAND;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            UPSTREAM = lookup.findVarHandle(
                    DecodingSubscription.class, "upstream", Flow.Subscription.class);
            PENDING_CHUNK = lookup.findVarHandle(
                    DecodingSubscription.class, "pendingChunk", List.class);
            UPSTREAM_DEMAND = lookup.findVarHandle(
                    DecodingSubscription.class, "upstreamDemand", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Marks the upstream subscription as cancelled (or never to be used). */
    private static final Flow.Subscription CANCELLED = new Flow.Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
    };

    /** The largest SSE event or NDJSON line accepted, in bytes: 16 MiB. */
    static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

    private final FrameDecoder decoder;
    private final FrameMapper<F, T> mapper;
    private final ArrayDeque<T> buffer = new ArrayDeque<>();
    private final FrameMapper.Output<T> output = new FrameMapper.Output<>() {
        @Override
        public void emit(T item) {
            buffer.add(Objects.requireNonNull(item, "the mapper emitted a null item"));
        }

        @Override
        public void end() {
            endSeen = true;
            stopped = true;
        }
    };

    private volatile Flow.Subscription upstream;
    /** Reads the rest of the body after the end marker; null until then. */
    private volatile Tail tail;
    private volatile List<ByteBuffer> pendingChunk;
    /** Chunks requested from upstream and not yet received: 0 or 1 unless upstream misbehaves. */
    @SuppressWarnings("unused") // accessed through UPSTREAM_DEMAND
    private volatile int upstreamDemand;
    private volatile Throwable upstreamError;
    private volatile boolean upstreamDone;
    /** Written only by upstream signals, which are serial. */
    private volatile long bytesReceived;

    // Touched only inside the drain loop.
    private boolean requested;
    private boolean stopped;
    private boolean endSeen;
    private boolean outcomeReady;
    private Throwable failure;

    DecodingSubscription(
            Flow.Subscriber<? super T> downstream,
            DecoderFactory<F> decoderFactory,
            FrameMapper<F, T> mapper) {
        super(downstream);
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.decoder = decoderFactory.create(this::onFrame, null, MAX_FRAME_BYTES);
    }

    /** Fails the stream at once; used when subscribing upstream throws. */
    void fail(Throwable error) {
        signalError(error);
    }

    // ---- upstream Subscriber ----

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        if (!UPSTREAM.compareAndSet(this, null, subscription)) {
            subscription.cancel(); // rule 2.5, or we were cancelled before upstream arrived
            return;
        }
        signal();
    }

    @Override
    public void onNext(List<ByteBuffer> chunk) {
        Objects.requireNonNull(chunk, "chunk");
        long n = 0;
        for (ByteBuffer b : chunk) {
            n += b.remaining();
        }
        bytesReceived += n;
        Tail d = tail;
        if (d != null) {
            d.read(n);
            return;
        }
        if (isCancelled()) {
            return;
        }
        if ((int) UPSTREAM_DEMAND.getAndAdd(this, -1) <= 0
                || !PENDING_CHUNK.compareAndSet(this, null, chunk)) {
            signalError(new IllegalStateException("upstream sent more chunks than were requested"));
            return;
        }
        signal();
    }

    @Override
    public void onError(Throwable error) {
        Objects.requireNonNull(error, "error");
        Tail d = tail;
        if (d != null) {
            d.finish(); // the stream had ended: what failed after it does not matter
            return;
        }
        upstreamError = error;
        upstreamDone = true;
        signal();
    }

    @Override
    public void onComplete() {
        Tail d = tail;
        if (d != null) {
            d.finish();
            return;
        }
        upstreamDone = true;
        signal();
    }

    // ---- downstream side, inside the drain loop ----

    @Override
    protected long emit(long demand) {
        long sent = 0;
        for (;;) {
            while (sent < demand) {
                T item = buffer.poll();
                if (item == null) {
                    break;
                }
                if (!submitOnNext(item)) {
                    return sent;
                }
                sent++;
            }
            if (!buffer.isEmpty()) {
                return sent; // no demand left; the rest waits for request()
            }
            if (outcomeReady) {
                Tail d = tail;
                if (failure != null) {
                    submitOnError(failure);
                } else if (d == null || d.done()) {
                    submitOnComplete();
                }
                return sent; // or the tail signals when it is read
            }
            boolean done = upstreamDone; // read before the chunk: a chunk always precedes completion
            @SuppressWarnings("unchecked")
            List<ByteBuffer> chunk = (List<ByteBuffer>) PENDING_CHUNK.getAndSet(this, null);
            if (chunk != null) {
                requested = false;
                decode(chunk);
                continue;
            }
            if (done) {
                finishStream();
                continue;
            }
            if (sent < demand && !requested) {
                Flow.Subscription s = upstream;
                if (s != null && s != CANCELLED) {
                    requested = true;
                    UPSTREAM_DEMAND.getAndAdd(this, 1);
                    s.request(1); // may deliver onNext synchronously: the loop picks it up
                    continue;
                }
            }
            return sent;
        }
    }

    /** Ends the stream; reading the tail goes on, to its own bounds, for the connection's sake. */
    @Override
    protected void abort(boolean flowInterrupted) {
        cancelUpstream();
        buffer.clear();
        pendingChunk = null;
    }

    private void decode(List<ByteBuffer> chunk) {
        for (ByteBuffer b : chunk) {
            if (stopped) {
                break;
            }
            try {
                decoder.decode(b);
            } catch (Throwable t) {
                recordFailure(t);
            }
        }
        if (stopped) {
            outcomeReady = true;
            if (endSeen && failure == null) {
                // The mapper saw the end marker: read the rest of the body, so that the connection
                // can serve the next request; the stream completes when that is done.
                readTail();
            } else {
                cancelUpstream(); // decoding failed: nothing more is needed upstream
            }
        }
    }

    private void finishStream() {
        outcomeReady = true;
        if (stopped) {
            return;
        }
        Throwable error = upstreamError;
        if (error != null) {
            failure = wrap(error);
            stopped = true;
            return;
        }
        boolean cut;
        try {
            cut = decoder.finish(); // may still deliver a final NDJSON line
        } catch (Throwable t) {
            recordFailure(t);
            return;
        }
        stopped = true;
        if (failure != null || endSeen) {
            return;
        }
        if (cut) {
            failure = new StreamInterruptedException(
                    "stream ended before it was complete: it stopped in the middle of an event ("
                            + bytesReceived + " bytes received)");
        } else {
            failure = new StreamInterruptedException(
                    "stream ended before it was complete: the end-of-stream marker never arrived ("
                            + bytesReceived + " bytes received)");
        }
    }

    private Throwable wrap(Throwable error) {
        if (error instanceof IOException
                && !(error instanceof StreamInterruptedException)
                && !(error instanceof StreamFormatException)) {
            return new StreamInterruptedException(
                    "stream interrupted after " + bytesReceived + " bytes: " + error, error);
        }
        return error;
    }

    private void onFrame(F frame) {
        if (stopped) {
            return; // after the end marker or a failure, later frames are ignored
        }
        try {
            mapper.map(frame, output);
        } catch (Throwable t) {
            recordFailure(t);
        }
    }

    private void recordFailure(Throwable t) {
        if (failure == null) {
            failure = t;
        }
        stopped = true;
    }

    /** Hands the upstream subscription, after the end marker, to a {@link Tail}. */
    private void readTail() {
        Flow.Subscription s = (Flow.Subscription) UPSTREAM.getAndSet(this, CANCELLED);
        if (s == null || s == CANCELLED || upstreamDone) {
            return;
        }
        Tail d = new Tail(this, s);
        tail = d;
        if (upstreamDone) {
            d.finish(); // the body ended before the tail reader was in place: nothing to read
        } else {
            d.start();
        }
    }

    private void cancelUpstream() {
        Flow.Subscription s = (Flow.Subscription) UPSTREAM.getAndSet(this, CANCELLED);
        if (s != null && s != CANCELLED && !upstreamDone) {
            s.cancel();
        }
    }

    /**
     * Reads and drops what is left of a body after its end marker, so that the HTTP client can
     * pool the connection: the JDK's client keeps an HTTP/1.1 connection for the next request only
     * when the body was read to its end (for a chunked body, the last, empty, chunk), and closes
     * it when the body is cancelled. The stream completes when the tail is read: a caller that
     * sends its next request on completion then finds the connection back in the pool (otherwise
     * it races the client's reading of the last chunk, and often opens a new connection). Servers
     * end the body right after the marker, usually in the same packet, so this costs nothing; a
     * body that goes on for more than {@link #MAX_BYTES}, or does not end within
     * {@link #MAX_WAIT_MILLIS}, is cancelled after all, which closes the connection.
     *
     * <p>The wait is timed by the JDK's shared delay scheduler (one daemon thread for the whole
     * JVM), not a thread per stream; only a tail that runs out of time gets a virtual thread, to
     * complete the stream without running the subscriber on the scheduler's thread.
     *
     * <p>Thread-safety: {@link #read} is called by upstream signals, which are serial; the read
     * ends once, by whichever of the body's end, the byte limit and the timer comes first.
     */
    private static final class Tail implements Runnable {
        static final long MAX_BYTES = 64 * 1024;
        static final long MAX_WAIT_MILLIS = 1_000;
        private static final Executor LATER =
                CompletableFuture.delayedExecutor(MAX_WAIT_MILLIS, TimeUnit.MILLISECONDS, Runnable::run);

        /** The upstream subscription until the read ends; then null. */
        private final AtomicReference<Flow.Subscription> upstream;
        /** The stream to complete when the read ends; then null, so the timer keeps nothing alive. */
        private volatile DecodingSubscription<?, ?> owner;
        /** Written only by upstream signals, which are serial. */
        private long bytes;

        Tail(DecodingSubscription<?, ?> owner, Flow.Subscription upstream) {
            this.owner = owner;
            this.upstream = new AtomicReference<>(upstream);
        }

        boolean done() {
            return upstream.get() == null;
        }

        void start() {
            Flow.Subscription s = upstream.get();
            if (s != null) {
                s.request(Long.MAX_VALUE);
                LATER.execute(this);
            }
        }

        void read(long n) {
            bytes += n;
            if (bytes > MAX_BYTES) {
                cancel();
            }
        }

        /** The body ended (or failed after the marker, which does not matter): the stream can complete. */
        void finish() {
            if (upstream.getAndSet(null) != null) {
                ended();
            }
        }

        /** On the delay scheduler's thread, when the time is up. */
        @Override
        public void run() {
            if (!done()) {
                Thread.ofVirtual().name("parley-body-tail").start(this::cancel);
            }
        }

        private void cancel() {
            Flow.Subscription s = upstream.getAndSet(null);
            if (s != null) {
                s.cancel();
                ended();
            }
        }

        private void ended() {
            DecodingSubscription<?, ?> o = owner;
            owner = null;
            o.signal(); // the stream completes
        }
    }
}
