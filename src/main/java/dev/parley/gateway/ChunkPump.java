package dev.parley.gateway;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.ChatChunk;

/**
 * Reads an upstream stream of chunks on the handler's thread with a timed wait, so that the
 * handler can send heartbeats while the upstream is silent (and so notice a client that left),
 * and so that {@link #cancel()} from another thread (shutdown) wakes it.
 *
 * <p>Asks for {@value #BATCH} chunks at a time and buffers at most that many, so a slow client
 * slows the upstream down. {@link #cancel()} cancels the upstream subscription, which aborts its
 * HTTP exchange.
 *
 * <p>Thread-safety: the {@code Flow.Subscriber} methods may be called from any thread, as the
 * publisher pleases; {@link #poll} is meant for one thread; {@link #cancel()} for any. A
 * {@link ReentrantLock} guards the state, never held while calling the upstream.
 */
final class ChunkPump implements Flow.Subscriber<ChatChunk> {

    static final int BATCH = 16;

    /** What {@link #poll} found. */
    enum Kind { CHUNK, COMPLETE, ERROR, TIMEOUT, CANCELLED }

    /** One result of {@link #poll}: a chunk, the end, an error, a timeout, or cancellation. */
    record Signal(Kind kind, ChatChunk chunk, Throwable error) {
        static final Signal COMPLETE = new Signal(Kind.COMPLETE, null, null);
        static final Signal TIMEOUT = new Signal(Kind.TIMEOUT, null, null);
        static final Signal CANCELLED = new Signal(Kind.CANCELLED, null, null);
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ChatChunk> queue = new ArrayDeque<>(BATCH);
    private Flow.Subscription subscription;
    private Throwable error;
    private boolean complete;
    private boolean cancelled;
    private int consumed;

    private ChunkPump() {
    }

    /** {@return a pump subscribed to {@code publisher}} */
    static ChunkPump subscribe(Flow.Publisher<ChatChunk> publisher) {
        ChunkPump pump = new ChunkPump();
        publisher.subscribe(pump);
        return pump;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        Objects.requireNonNull(s, "subscription");
        boolean refuse;
        lock.lock();
        try {
            refuse = subscription != null || cancelled;
            if (!refuse) {
                subscription = s;
            }
        } finally {
            lock.unlock();
        }
        if (refuse) {
            s.cancel();
        } else {
            s.request(BATCH);
        }
    }

    @Override
    public void onNext(ChatChunk item) {
        lock.lock();
        try {
            queue.add(item);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onError(Throwable throwable) {
        lock.lock();
        try {
            error = throwable;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onComplete() {
        lock.lock();
        try {
            complete = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the next signal.
     *
     * @param timeoutNanos how long to wait for one, or a negative number to wait without limit
     * @return the next chunk, the end, the error, {@link Signal#TIMEOUT}, or {@link Signal#CANCELLED}
     *         (also when the calling thread is interrupted, whose flag is then restored)
     */
    Signal poll(long timeoutNanos) {
        ChatChunk chunk;
        Flow.Subscription replenish = null;
        lock.lock();
        try {
            long remaining = timeoutNanos;
            while (!cancelled && queue.isEmpty() && error == null && !complete) {
                if (timeoutNanos < 0) {
                    changed.await();
                } else if (remaining <= 0) {
                    return Signal.TIMEOUT;
                } else {
                    remaining = changed.awaitNanos(remaining);
                }
            }
            if (cancelled) {
                return Signal.CANCELLED;
            }
            chunk = queue.poll();
            if (chunk == null) {
                return error != null ? new Signal(Kind.ERROR, null, error) : Signal.COMPLETE;
            }
            if (++consumed == BATCH) {
                consumed = 0;
                replenish = subscription;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Signal.CANCELLED;
        } finally {
            lock.unlock();
        }
        if (replenish != null) {
            replenish.request(BATCH);
        }
        return new Signal(Kind.CHUNK, chunk, null);
    }

    /** Cancels the upstream (aborting its HTTP exchange) and wakes the reader; idempotent. */
    void cancel() {
        Flow.Subscription s;
        lock.lock();
        try {
            if (cancelled) {
                return;
            }
            cancelled = true;
            s = subscription;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (s != null) {
            s.cancel();
        }
    }
}
