package dev.parley.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import dev.parley.spi.Ticker;

/**
 * A {@link Ticker} whose time moves only when a test says so, so that tests of timeouts,
 * retries, rate limits, the cache and the circuit breaker never really wait.
 *
 * <p>A new {@code ManualTicker} stands still: a thread that sleeps or waits on it waits until
 * the test {@linkplain #advance advances} the time past the end of its wait (or, for a wait on
 * a condition, until the condition is signalled). The test first waits for the thread to be
 * waiting with {@link #awaitWaiters}, then moves the time:
 *
 * {@snippet :
 * ManualTicker time = new ManualTicker();
 * Llm llm = Llm.newBuilder().provider(stalling).ticker(time)
 *         .timeouts(TimeoutPolicy.newBuilder().attemptTimeout(Duration.ofSeconds(10)).build())
 *         .build();
 * CompletableFuture<ChatResponse> answer = CompletableFuture.supplyAsync(() -> llm.chat("hi"));
 * time.awaitWaiters(1);                 // the timeout timer waits for the attempt's end
 * time.advance(Duration.ofSeconds(10)); // the attempt times out now
 * }
 *
 * <p>A ticker made with {@link #autoAdvancing()} instead moves its time forward by the length
 * of every sleep and timed wait, at once, and returns: a retry's backoff or a wait for a
 * rate-limit permit then takes no real time, and the test reads how long it took from the
 * ticker. Do not give one to a timeout policy: the timer's own waits would move the time to
 * every deadline.
 *
 * <p>The time starts at 2025-01-01T00:00:00Z unless given; {@link #nanos()} starts at 0 and
 * moves with {@link #instant()}. The helpers that wait for a state ({@link #awaitWaiters},
 * {@link #awaitNoWaiters}) wait at most 10 seconds of real time, then throw
 * {@link IllegalStateException}. Thread-safe.
 */
public final class ManualTicker implements Ticker {

    private static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");
    private static final long STATE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** A thread waiting on a condition until a time on this ticker. */
    private record Parked(Lock lock, Condition condition, long end) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Instant origin;
    private final boolean autoAdvance;
    // Written with lock held; read without.
    private volatile long now;
    // Guarded by lock.
    private final List<Duration> sleeps = new ArrayList<>();
    private final List<Duration> waits = new ArrayList<>();
    private final List<Parked> parked = new ArrayList<>();
    private int waiters;

    /** A ticker that stands still until advanced, at 2025-01-01T00:00:00Z. */
    public ManualTicker() {
        this(DEFAULT_START, false);
    }

    /**
     * A ticker that stands still until advanced.
     *
     * @param start the wall-clock time it starts at
     */
    public ManualTicker(Instant start) {
        this(Objects.requireNonNull(start, "start"), false);
    }

    private ManualTicker(Instant start, boolean autoAdvance) {
        this.origin = start;
        this.autoAdvance = autoAdvance;
    }

    /**
     * {@return a ticker, at 2025-01-01T00:00:00Z, that moves forward by the length of each sleep
     * and timed wait at once instead of waiting}; a wait with no time limit still waits for a
     * signal
     */
    public static ManualTicker autoAdvancing() {
        return new ManualTicker(DEFAULT_START, true);
    }

    @Override
    public long nanos() {
        return now;
    }

    @Override
    public Instant instant() {
        return origin.plusNanos(now);
    }

    /**
     * Moves the time forward, and wakes the threads whose sleep or wait has ended.
     *
     * @param duration how far; zero does nothing
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time only moves forward; got " + duration);
        }
        advanceNanos(saturatedNanos(duration));
    }

    private void advanceNanos(long nanos) {
        List<Parked> due = new ArrayList<>();
        lock.lock();
        try {
            now = saturatedAdd(now, nanos);
            for (Parked p : parked) {
                if (p.end - now <= 0) {
                    due.add(p);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        // Outside this ticker's lock: a waiter's lock is taken while the waiter's thread may be
        // reading the time under it.
        for (Parked p : due) {
            p.lock.lock();
            try {
                p.condition.signalAll();
            } finally {
                p.lock.unlock();
            }
        }
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
            if (!autoAdvance) {
                long end = saturatedAdd(now, saturatedNanos(duration));
                waiters++;
                changed.signalAll();
                try {
                    while (end - now > 0) {
                        changed.await();
                    }
                } finally {
                    waiters--;
                    changed.signalAll();
                }
                return;
            }
        } finally {
            lock.unlock();
        }
        advanceNanos(saturatedNanos(duration));
    }

    @Override
    public void await(Lock waiterLock, Condition condition, long nanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before waiting");
        }
        if (nanos <= 0) {
            return;
        }
        if (nanos != FOREVER && autoAdvance) {
            lock.lock();
            try {
                waits.add(Duration.ofNanos(nanos));
            } finally {
                lock.unlock();
            }
            advanceNanos(nanos);
            return;
        }
        Parked p = null;
        lock.lock();
        try {
            if (nanos != FOREVER) {
                waits.add(Duration.ofNanos(nanos));
                p = new Parked(waiterLock, condition, saturatedAdd(now, nanos));
                parked.add(p);
            }
            waiters++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            // The caller holds waiterLock until await releases it, so advance() cannot signal
            // before this thread waits.
            condition.await();
        } finally {
            lock.lock();
            try {
                if (p != null) {
                    parked.remove(p);
                }
                waiters--;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Waits (in real time, at most 10 seconds) until at least {@code n} threads sleep or wait on
     * this ticker.
     *
     * @param n how many threads
     * @throws IllegalStateException if they do not within 10 seconds
     */
    public void awaitWaiters(int n) {
        awaitState(() -> waiters >= n, "at least " + n + " waiting threads");
    }

    /**
     * Waits (in real time, at most 10 seconds) until no thread sleeps or waits on this ticker:
     * for instance until the timeout timer has nothing left to time and has ended.
     *
     * @throws IllegalStateException if a thread still waits after 10 seconds
     */
    public void awaitNoWaiters() {
        awaitState(() -> waiters == 0, "no waiting thread");
    }

    /**
     * Waits (in real time, at most 10 seconds) until at least {@code count} waits with a time
     * limit have been asked for through {@link #await} and a thread sleeps or waits now: for
     * instance until the timeout timer has looked at a stream {@code count} times.
     *
     * @param count how many timed waits
     * @throws IllegalStateException if not within 10 seconds
     */
    public void awaitWaits(int count) {
        awaitState(() -> waits.size() >= count && waiters > 0, count + " timed waits");
    }

    /**
     * Waits (in real time, at most 10 seconds) until at least {@code count} sleeps have been
     * asked for: for instance until a retry sleeps its backoff. A sleep is asked for and begins
     * at once, so time advanced after this returns ends it when it should.
     *
     * @param count how many sleeps
     * @throws IllegalStateException if not within 10 seconds
     */
    public void awaitSleeps(int count) {
        awaitState(() -> sleeps.size() >= count, count + " sleeps");
    }

    /** {@return how many threads sleep or wait on this ticker now} */
    public int waiters() {
        lock.lock();
        try {
            return waiters;
        } finally {
            lock.unlock();
        }
    }

    /** {@return every {@link #sleep} asked for so far, in order, zero and negative ones included} */
    public List<Duration> sleeps() {
        lock.lock();
        try {
            return List.copyOf(sleeps);
        } finally {
            lock.unlock();
        }
    }

    /** {@return every wait with a time limit asked for so far through {@link #await}, in order} */
    public List<Duration> waits() {
        lock.lock();
        try {
            return List.copyOf(waits);
        } finally {
            lock.unlock();
        }
    }

    private void awaitState(BooleanSupplier state, String what) {
        long deadline = System.nanoTime() + STATE_WAIT_NANOS;
        lock.lock();
        try {
            while (!state.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("gave up after 10 s waiting for " + what + "; " + waiters
                            + " waiting, sleeps " + sleeps + ", waits " + waits);
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        } finally {
            lock.unlock();
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    @Override
    public String toString() {
        return "ManualTicker[" + instant() + (autoAdvance ? ", auto-advancing" : "") + "]";
    }
}
