package dev.parley.retry.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.internal.Sleeper;

/**
 * A clock and a sleeper on manual time, so that tests never really wait. In the default mode a
 * sleep advances the clock at once by its duration and returns (for retry backoffs). In
 * {@linkplain #blocking() blocking} mode a sleep waits until the test {@linkplain #advance
 * advances} the clock past its end (for watchdogs), and {@link #awaitSleepers} lets the test wait
 * until a given number of threads are asleep. Sleeps honour interruption. Thread-safe.
 */
public final class ManualTime extends Clock implements Sleeper {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Duration> sleeps = new ArrayList<>();
    private Instant now;
    private boolean blocking;
    private int sleepers;

    /** Manual time starting at 2025-01-01T00:00:00Z. */
    public ManualTime() {
        this(Instant.parse("2025-01-01T00:00:00Z"));
    }

    /** Manual time starting at {@code start}. */
    public ManualTime(Instant start) {
        this.now = start;
    }

    /** Makes sleeps wait for {@link #advance}. @return this */
    public ManualTime blocking() {
        lock.lock();
        try {
            blocking = true;
        } finally {
            lock.unlock();
        }
        return this;
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            sleeps.add(duration);
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted before sleeping");
            }
            if (duration.isNegative() || duration.isZero()) {
                return;
            }
            Instant end = now.plus(duration);
            if (!blocking) {
                now = end;
                changed.signalAll();
                return;
            }
            sleepers++;
            changed.signalAll();
            try {
                while (now.isBefore(end)) {
                    changed.await();
                }
            } finally {
                sleepers--;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Moves the clock forward and wakes the sleepers whose time has come. */
    public void advance(Duration d) {
        lock.lock();
        try {
            now = now.plus(d);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits (really, up to 10 s) until at least {@code n} threads sleep. */
    public void awaitSleepers(int n) {
        awaitState(() -> sleepers >= n, n + " sleepers");
    }

    /** Waits (really, up to 10 s) until {@code calls} sleeps have been asked for and one is in progress. */
    public void awaitSleepCall(int calls) {
        awaitState(() -> sleeps.size() >= calls && sleepers > 0, "sleep call " + calls);
    }

    /** Waits (really, up to 10 s) until no thread sleeps (a stopped watchdog has left). */
    public void awaitNoSleepers() {
        awaitState(() -> sleepers == 0, "no sleepers");
    }

    private void awaitState(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        lock.lock();
        try {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("timed out waiting for " + what + "; " + sleepers + " asleep, sleeps " + sleeps);
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** {@return every sleep asked for so far, in order} */
    public List<Duration> sleeps() {
        lock.lock();
        try {
            return List.copyOf(sleeps);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Instant instant() {
        lock.lock();
        try {
            return now;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("manual time is UTC only");
    }
}
