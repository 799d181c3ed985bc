package dev.parley.provider.ollama;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A test subscriber (the idea of dev.parley.support.TestSubscriber, trimmed): records items and the
 * terminal signal, requests only when told to, and records Reactive Streams violations (items
 * without demand, signals after a terminal one). Thread-safe.
 */
final class ChunkSubscriber<T> implements Flow.Subscriber<T> {

    private static final long TIMEOUT_SECONDS = 10;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final long initialRequest;
    private final List<T> items = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private Flow.Subscription subscription;
    private long demand;
    private Throwable error;
    private boolean completed;
    private volatile Consumer<T> onNextAction = item -> {
    };

    /** @param initialRequest what to request in onSubscribe; 0 for nothing */
    ChunkSubscriber(long initialRequest) {
        this.initialRequest = initialRequest;
    }

    /** Runs {@code action} in each onNext, after the item is recorded. @return this subscriber */
    ChunkSubscriber<T> onNextDo(Consumer<T> action) {
        this.onNextAction = action;
        return this;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        lock.lock();
        try {
            subscription = s;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (initialRequest > 0) {
            request(initialRequest);
        }
    }

    @Override
    public void onNext(T item) {
        lock.lock();
        try {
            if (error != null || completed) {
                violations.add("onNext after a terminal signal");
            }
            if (demand == 0) {
                violations.add("onNext without demand: " + item);
            } else if (demand != Long.MAX_VALUE) {
                demand--;
            }
            items.add(item);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        onNextAction.accept(item);
    }

    @Override
    public void onError(Throwable t) {
        lock.lock();
        try {
            if (error != null || completed) {
                violations.add("onError after a terminal signal: " + t);
            }
            error = t;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onComplete() {
        lock.lock();
        try {
            if (error != null || completed) {
                violations.add("onComplete after a terminal signal");
            }
            completed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void request(long n) {
        Flow.Subscription s;
        lock.lock();
        try {
            s = subscription;
            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        } finally {
            lock.unlock();
        }
        assertNotNull(s, "not subscribed");
        s.request(n);
    }

    List<T> items() {
        lock.lock();
        try {
            return List.copyOf(items);
        } finally {
            lock.unlock();
        }
    }

    boolean isTerminated() {
        lock.lock();
        try {
            return error != null || completed;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for at least {@code count} items (or the end) and returns the items so far. */
    List<T> awaitItems(int count) {
        await(() -> items.size() >= count || error != null || completed, count + " items");
        return items();
    }

    /** Waits for completion; fails on an error or a violation. */
    List<T> awaitCompletion() {
        await(() -> error != null || completed, "completion");
        if (error != null) {
            throw new AssertionError("expected completion, got an error", error);
        }
        assertNoViolations();
        return items();
    }

    /** Waits for an error; fails on completion or a violation. */
    Throwable awaitError() {
        await(() -> error != null || completed, "an error");
        if (completed) {
            fail("expected an error, got completion after " + items.size() + " items");
        }
        assertNoViolations();
        return error;
    }

    void assertNoViolations() {
        lock.lock();
        try {
            assertEquals(List.of(), violations, "Reactive Streams violations");
        } finally {
            lock.unlock();
        }
    }

    private void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        lock.lock();
        try {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("timed out waiting for " + what + "; items so far: " + items.size());
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted waiting for " + what);
        } finally {
            lock.unlock();
        }
    }
}
