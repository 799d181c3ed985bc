package dev.parley.internal;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;

/**
 * A count of waiting callers that tests can wait on, so that a concurrency test knows when
 * every caller is parked without sleeping and hoping. Thread-safe; used off the hot path only.
 */
public final class WaitGauge {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int value;

    public void increment() {
        add(1);
    }

    public void decrement() {
        add(-1);
    }

    private void add(int delta) {
        lock.lock();
        try {
            value += delta;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public int get() {
        lock.lock();
        try {
            return value;
        } finally {
            lock.unlock();
        }
    }

    /** {@return whether the count reached at least {@code n} within {@code timeout}} */
    public boolean awaitAtLeast(int n, Duration timeout) throws InterruptedException {
        return await(v -> v >= n, timeout);
    }

    /** {@return whether the count met {@code condition} within {@code timeout}} */
    public boolean await(IntPredicate condition, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!condition.test(value)) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    public static long saturatedNanos(Duration d) {
        return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
    }
}
