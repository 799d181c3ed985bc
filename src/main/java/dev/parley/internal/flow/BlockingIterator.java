package dev.parley.internal.flow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads a {@link Flow.Publisher} as a blocking {@link Iterator}, for code on (virtual) threads:
 * <pre>{@code
 * try (var items = BlockingIterator.subscribe(publisher)) {
 *     for (var item : items) { ... }
 * }
 * }</pre>
 *
 * <p>Items are requested a small batch at a time and the buffer never holds more than one batch,
 * so a slow reader slows the stream down instead of filling memory. When the stream fails,
 * {@link #hasNext()} and {@link #next()} throw its error once the items before it are consumed:
 * unchecked exceptions as they are, an {@link IOException} wrapped in
 * {@link UncheckedIOException}, any other checked exception wrapped in
 * {@link CompletionException}. {@link #close()} cancels the subscription. If the reading thread is
 * interrupted while it waits, the subscription is cancelled, the interrupt flag is restored and a
 * {@link CancellationException} (caused by the {@link InterruptedException}) is thrown.
 *
 * <p>Thread-safety: meant for one reading thread; {@link #close()} may be called from any thread,
 * and wakes a reader blocked in {@code hasNext()} with a {@link CancellationException}. Blocking
 * uses a {@link ReentrantLock}, so it does not pin virtual threads.
 *
 * @param <T> the type of items
 */
public final class BlockingIterator<T> implements Iterator<T>, Iterable<T>, AutoCloseable {

    /** The default number of items requested at a time. */
    public static final int DEFAULT_BATCH_SIZE = 16;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final int batchSize;
    private final int replenishAt;

    // Guarded by lock.
    private final ArrayDeque<T> queue;
    private Flow.Subscription subscription;
    private Throwable error;
    private boolean completed;
    private boolean closed;
    private boolean iteratorTaken;
    private int consumed;

    private BlockingIterator(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
        }
        this.batchSize = batchSize;
        this.replenishAt = Math.max(1, batchSize - batchSize / 4);
        this.queue = new ArrayDeque<>(batchSize);
    }

    /**
     * Subscribes to {@code publisher}, requesting {@value #DEFAULT_BATCH_SIZE} items at a time.
     *
     * @param publisher the publisher
     * @param <T> the type of items
     * @return the iterator, already subscribed
     */
    public static <T> BlockingIterator<T> subscribe(Flow.Publisher<? extends T> publisher) {
        return subscribe(publisher, DEFAULT_BATCH_SIZE);
    }

    /**
     * Subscribes to {@code publisher}, requesting {@code batchSize} items at a time.
     *
     * @param publisher the publisher
     * @param batchSize how many items to buffer at most (and request at first)
     * @param <T> the type of items
     * @return the iterator, already subscribed
     * @throws IllegalArgumentException if {@code batchSize} is not positive
     */
    public static <T> BlockingIterator<T> subscribe(
            Flow.Publisher<? extends T> publisher, int batchSize) {
        Objects.requireNonNull(publisher, "publisher");
        BlockingIterator<T> iterator = new BlockingIterator<>(batchSize);
        publisher.subscribe(iterator.new Receiver());
        return iterator;
    }

    /**
     * Returns this iterator, so it can be used in a for-each loop. It can be taken only once.
     *
     * @return this
     * @throws IllegalStateException on a second call
     */
    @Override
    public Iterator<T> iterator() {
        lock.lock();
        try {
            if (iteratorTaken) {
                throw new IllegalStateException("a BlockingIterator can be iterated only once");
            }
            iteratorTaken = true;
            return this;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until an item is available or the stream ends.
     *
     * @return {@code true} if {@link #next()} will return an item; {@code false} once the stream
     *     completed and every item was consumed
     * @throws RuntimeException the stream's error (see the class description)
     * @throws CancellationException if the iterator was closed before the stream ended, or the
     *     waiting thread was interrupted
     */
    @Override
    public boolean hasNext() {
        try {
            return awaitItem();
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            CancellationException cancelled =
                    new CancellationException("interrupted while waiting for the next item");
            cancelled.initCause(e);
            throw cancelled;
        }
    }

    private boolean awaitItem() throws InterruptedException {
        lock.lock();
        try {
            for (;;) {
                if (!queue.isEmpty()) {
                    return true;
                }
                if (error != null) {
                    throw unchecked(error);
                }
                if (completed) {
                    return false;
                }
                if (closed) {
                    throw new CancellationException("the stream was closed before it ended");
                }
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the next item, waiting for it if needed.
     *
     * @return the next item
     * @throws NoSuchElementException if the stream completed and every item was consumed
     * @throws RuntimeException the stream's error, or {@link CancellationException}, as for
     *     {@link #hasNext()}
     */
    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the stream has ended");
        }
        T item;
        Flow.Subscription toRequest = null;
        lock.lock();
        try {
            item = queue.poll();
            if (++consumed >= replenishAt && !completed && error == null && !closed) {
                toRequest = subscription;
            }
            if (toRequest != null) {
                consumed = 0;
            }
        } finally {
            lock.unlock();
        }
        if (toRequest != null) {
            toRequest.request(replenishAt); // outside the lock: the publisher may call back
        }
        return item;
    }

    /**
     * Cancels the subscription (unless the stream already ended) and drops buffered items.
     * Idempotent; may be called from any thread.
     */
    @Override
    public void close() {
        Flow.Subscription toCancel;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            toCancel = completed || error != null ? null : subscription;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (toCancel != null) {
            toCancel.cancel();
        }
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t instanceof IOException io) {
            return new UncheckedIOException(io.getMessage(), io);
        }
        return new CompletionException(t);
    }

    /** The subscriber side, kept private so callers cannot signal the iterator. */
    private final class Receiver implements Flow.Subscriber<T> {

        @Override
        public void onSubscribe(Flow.Subscription s) {
            Objects.requireNonNull(s, "subscription");
            boolean accept;
            lock.lock();
            try {
                accept = subscription == null && !closed;
                if (accept) {
                    subscription = s;
                }
            } finally {
                lock.unlock();
            }
            if (accept) {
                s.request(batchSize);
            } else {
                s.cancel();
            }
        }

        @Override
        public void onNext(T item) {
            Objects.requireNonNull(item, "item");
            Flow.Subscription overflowed = null;
            lock.lock();
            try {
                if (closed || completed || error != null) {
                    return;
                }
                if (queue.size() >= batchSize) {
                    error = new IllegalStateException(
                            "the publisher sent more items than were requested");
                    overflowed = subscription;
                } else {
                    queue.add(item);
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (overflowed != null) {
                overflowed.cancel();
            }
        }

        @Override
        public void onError(Throwable t) {
            Objects.requireNonNull(t, "error");
            lock.lock();
            try {
                if (!completed && error == null) {
                    error = t;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onComplete() {
            lock.lock();
            try {
                if (error == null) {
                    completed = true;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
