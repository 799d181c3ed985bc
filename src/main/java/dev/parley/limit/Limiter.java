package dev.parley.limit;

import dev.parley.internal.WaitGauge;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.parley.spi.CallScope;
import dev.parley.spi.Ticker;

/**
 * The state one {@link RateLimitPolicy} shares between every provider it decorates: its
 * settings, the {@link Lane}s by provider (and model) and the counters. Thread-safe.
 */
final class Limiter {

    /** A limit of {@code permits} per window. */
    record Limit(long permits, Duration window) {
        long windowNanos() {
            return window.toNanos();
        }

        @Override
        public String toString() {
            return permits + " per " + format(window.toNanos());
        }
    }

    private final Limit requestLimit;
    private final Limit tokenLimit;
    private final int maxConcurrent;
    private final boolean perModel;
    private final Ticker ticker;
    /** The ticker's time when this limiter was made: time 0 of {@link #now()}. */
    private final long origin;
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Lane>> lanes = new ConcurrentHashMap<>();
    private final WaitGauge waiting = new WaitGauge();
    private final LongAdder granted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder waitNanos = new LongAdder();
    private final LongAdder inFlight = new LongAdder();

    Limiter(Limit requestLimit, Limit tokenLimit, int maxConcurrent, boolean perModel, Ticker ticker) {
        this.requestLimit = requestLimit;
        this.tokenLimit = tokenLimit;
        this.maxConcurrent = maxConcurrent;
        this.perModel = perModel;
        this.ticker = ticker;
        this.origin = ticker.nanos();
    }

    RateLimitStats stats() {
        long g = granted.sum();
        long waitedTotal = waitNanos.sum();
        return new RateLimitStats(g, rejected.sum(), waiting.get(), (int) Math.max(0, inFlight.sum()),
                g == 0 ? Duration.ZERO : Duration.ofNanos(waitedTotal / g));
    }

    @Override
    public String toString() {
        return "requests=" + requestLimit + ", tokens=" + tokenLimit + ", maxConcurrent="
                + (maxConcurrent == Integer.MAX_VALUE ? "none" : maxConcurrent) + ", perModel=" + perModel;
    }

    Limit requestLimit() {
        return requestLimit;
    }

    Limit tokenLimit() {
        return tokenLimit;
    }

    int maxConcurrent() {
        return maxConcurrent;
    }

    /** {@return the time the windows are measured on, and that waiting callers wait on} */
    Ticker ticker() {
        return ticker;
    }

    WaitGauge waiting() {
        return waiting;
    }

    /**
     * {@return the policy's time: nanoseconds on its ticker since this limiter was made}, so
     * never negative, and far from the {@code Long.MIN_VALUE} and {@code Long.MAX_VALUE} that
     * stand for "none" and "never"
     */
    long now() {
        return ticker.nanos() - origin;
    }

    /**
     * {@return {@code instant} in policy time, given that {@code wallNow} is {@code now}}
     *
     * @param instant a wall-clock time, such as a reset time a provider sent
     * @param wallNow the ticker's wall-clock time at {@code now}
     * @param now     the policy's time at {@code wallNow}
     */
    static long at(Instant instant, Instant wallNow, long now) {
        long ahead;
        try {
            ahead = Duration.between(wallNow, instant).toNanos();
        } catch (ArithmeticException e) {
            ahead = instant.isBefore(wallNow) ? -RateLimitPolicy.MAX_PAUSE_NANOS : RateLimitPolicy.MAX_PAUSE_NANOS;
        }
        return now + Math.max(-RateLimitPolicy.MAX_PAUSE_NANOS, Math.min(ahead, RateLimitPolicy.MAX_PAUSE_NANOS));
    }

    /** {@return the deadline of the call in policy time, or {@code Long.MAX_VALUE}} */
    long deadline(CallScope scope) {
        Duration left = scope.remaining(ticker);
        if (left == null) {
            return Long.MAX_VALUE;
        }
        long now = now();
        try {
            return Math.addExact(now, left.toNanos());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE - 1;
        }
    }

    /** {@return {@code until}, but no later than the longest pause from {@code now}} */
    static long capPause(long until, long now) {
        return Math.min(until, now + RateLimitPolicy.MAX_PAUSE_NANOS);
    }

    void recordGrant(long waited) {
        granted.increment();
        inFlight.increment();
        if (waited > 0) {
            waitNanos.add(waited);
        }
    }

    void recordRelease() {
        inFlight.decrement();
    }

    void recordRejection() {
        rejected.increment();
    }

    /** {@return the lane of {@code provider}, or of its {@code model} with perModel} */
    Lane lane(String provider, String model) {
        ConcurrentHashMap<String, Lane> byModel = lanes.get(provider);
        if (byModel == null) {
            byModel = lanes.computeIfAbsent(provider, p -> new ConcurrentHashMap<>());
        }
        String key = perModel && model != null ? model : "";
        Lane lane = byModel.get(key);
        return lane != null ? lane : byModel.computeIfAbsent(key, k -> new Lane(this, provider));
    }

    /** {@return the callers waiting now; for tests} */
    int waitingCallers() {
        return waiting.get();
    }

    /** Waits until at least {@code n} callers wait; for tests. */
    boolean awaitWaitingCallers(int n, Duration timeout) throws InterruptedException {
        return waiting.awaitAtLeast(n, timeout);
    }

    /** Waits until no caller waits; for tests. */
    boolean awaitNoWaitingCallers(Duration timeout) throws InterruptedException {
        return waiting.await(n -> n == 0, timeout);
    }

    /** {@return a duration for a message: "250 ms", "2.5 s", "6 min"} */
    static String format(long nanos) {
        if (nanos < 1_000_000_000L) {
            return Math.ceilDiv(nanos, 1_000_000L) + " ms";
        }
        if (nanos < 120_000_000_000L) {
            return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
        }
        return String.format(java.util.Locale.ROOT, "%.1f min", nanos / 6e10);
    }
}
