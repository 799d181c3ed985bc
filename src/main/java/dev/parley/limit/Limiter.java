package dev.parley.limit;

import dev.parley.internal.WaitGauge;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.parley.spi.CallScope;

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
    private final Clock clock;
    private final Parker parker;
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Lane>> lanes = new ConcurrentHashMap<>();
    private final WaitGauge waiting = new WaitGauge();
    private final LongAdder granted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder waitNanos = new LongAdder();
    private final LongAdder inFlight = new LongAdder();

    Limiter(Limit requestLimit, Limit tokenLimit, int maxConcurrent, boolean perModel, Clock clock, Parker parker) {
        this.requestLimit = requestLimit;
        this.tokenLimit = tokenLimit;
        this.maxConcurrent = maxConcurrent;
        this.perModel = perModel;
        this.clock = clock;
        this.parker = parker;
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

    Parker parker() {
        return parker;
    }

    WaitGauge waiting() {
        return waiting;
    }

    Clock clock() {
        return clock;
    }

    /** {@return the policy clock's time in nanoseconds since the epoch} */
    long now() {
        return nanos(clock.instant());
    }

    static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** {@return the deadline of the call in policy nanoseconds, or {@code Long.MAX_VALUE}} */
    static long deadline(CallScope scope) {
        Instant d = scope.deadline();
        return d == null ? Long.MAX_VALUE : nanos(d);
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
