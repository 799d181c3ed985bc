package dev.parley.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * The one source of time for a client and its policies: a monotonic count of nanoseconds for
 * measuring durations and deadlines, the wall-clock time for what is dated (cache entries, the
 * reset times providers send in rate-limit headers), and the two ways a policy waits (a sleep
 * for a retry's backoff, and a wait on a {@link Condition} for the timeout timer and for callers
 * queued for a rate-limit permit).
 *
 * <p>{@link #system()} is the real time of the JVM, and the default everywhere. A test gives a
 * {@link dev.parley.testing.ManualTicker} to {@code Llm.Builder.ticker(...)}, which hands it to
 * every policy the builder makes, so that timeouts, retries, rate limits, the cache and the
 * circuit breaker all follow the time the test moves, with no real waiting.
 *
 * {@snippet :
 * ManualTicker time = new ManualTicker();
 * Llm llm = Llm.newBuilder().provider(scripted).ticker(time).build();
 * }
 *
 * <p>Implementations must be thread-safe. {@link #nanos()} never goes backwards.
 */
public interface Ticker {

    /** Passed to {@link #await} for a wait with no time limit: until signalled or interrupted. */
    long FOREVER = Long.MAX_VALUE;

    /**
     * {@return the real time of the JVM}: {@link System#nanoTime()}, {@link Instant#now()},
     * {@link Thread#sleep(Duration)} and {@link Condition#awaitNanos(long)}
     */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }

    /**
     * {@return the current value of a monotonic count of nanoseconds}, only meaningful as the
     * difference between two readings of this ticker (as {@link System#nanoTime()})
     */
    long nanos();

    /** {@return the current wall-clock time} */
    Instant instant();

    /**
     * Waits for {@code duration} on the calling thread.
     *
     * @param duration how long; zero or negative returns at once
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    void sleep(Duration duration) throws InterruptedException;

    /**
     * Waits on {@code condition}, whose {@code lock} the calling thread holds, until it is
     * signalled, the thread is interrupted, or {@code nanos} have passed on this ticker. May
     * return early, as {@link Condition#awaitNanos(long)} may: the caller checks again what it
     * waits for.
     *
     * @param lock      the lock of {@code condition}, held by the calling thread
     * @param condition the condition to wait on
     * @param nanos     how long at most, more than 0, or {@link #FOREVER} for no limit
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    void await(Lock lock, Condition condition, long nanos) throws InterruptedException;
}
