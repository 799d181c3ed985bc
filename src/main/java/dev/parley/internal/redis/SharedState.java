package dev.parley.internal.redis;

import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;
import dev.parley.spi.Ticker;

/**
 * Everything gateway instances share through one Redis: the {@link RedisClient}, and on it the
 * {@link #limiter() limits}, the {@link #budgets() budgets}, the {@link #cacheStore() response
 * cache} and the {@link #circuits() circuit breakers}, with one {@link #health() health} snapshot for {@code /health/ready} and the metrics.
 *
 * <p>What happens while Redis cannot be reached, per kind of state (nothing waits longer than
 * the command timeout, and everything returns to Redis as soon as it answers again):
 * <ul>
 * <li>the cache fails open: a read is a miss, a write is dropped; both counted;</li>
 * <li>limits fall back to a local window on each instance, with each limit divided by
 *     {@code PARLEY_REDIS_INSTANCES}, so that the instances together stay within it;</li>
 * <li>budgets refuse the call ({@code PARLEY_REDIS_BUDGET_WHEN_DOWN=refuse}, the default) or
 *     allow it untracked ({@code allow}); both counted. Spend settled while Redis is down is
 *     kept in memory and written when it answers again;</li>
 * <li>shared circuit breakers let calls through (counted), leaving each instance's local
 *     {@code CircuitBreaker} to protect its upstreams.</li>
 * </ul>
 *
 * <p>Redis is the one clock of shared state: windows, reservations and cool-downs are timed with
 * its {@code TIME}, so instances whose clocks disagree still agree. A Redis that restarts without
 * persistence forgets counters and spend of the current periods; give it persistence (AOF) when
 * budgets matter.
 *
 * <p>Thread-safe; starts no thread.
 */
public final class SharedState implements AutoCloseable {

    private final RedisSettings settings;
    private final RedisClient client;
    private final RedisLimiter limiter;
    private final RedisBudgets budgets;
    private final RedisCacheStore cacheStore;
    private final RedisCircuits circuits;
    final LongAdder cacheFailures = new LongAdder();
    final LongAdder limitFallbacks = new LongAdder();
    final LongAdder budgetRefusals = new LongAdder();
    final LongAdder budgetUntracked = new LongAdder();
    final LongAdder settlementsLost = new LongAdder();
    final LongAdder circuitFallbacks = new LongAdder();
    private final LongAdder replyErrors = new LongAdder();

    private SharedState(RedisSettings settings, Ticker clock) {
        this.settings = settings;
        this.client = new RedisClient(settings, clock);
        this.limiter = new RedisLimiter(this);
        this.budgets = new RedisBudgets(this, clock);
        this.cacheStore = new RedisCacheStore(this);
        this.circuits = new RedisCircuits(this);
    }

    /**
     * {@return shared state on the Redis of {@code settings}}; it connects on first use, so a
     * Redis that is down at start is not an error (it is reported by {@link #health()})
     *
     * @param settings where Redis is and what to do while it is down
     */
    public static SharedState open(RedisSettings settings) {
        return new SharedState(settings, Ticker.system());
    }

    static SharedState open(RedisSettings settings, Ticker clock) {
        return new SharedState(settings, clock);
    }

    RedisSettings settings() {
        return settings;
    }

    RedisClient client() {
        return client;
    }

    /** {@return the shared sliding-window limits} */
    public RedisLimiter limiter() {
        return limiter;
    }

    /** {@return the shared budgets} */
    public RedisBudgets budgets() {
        return budgets;
    }

    /** {@return the shared response cache, for a {@code CachePolicy}} */
    public RedisCacheStore cacheStore() {
        return cacheStore;
    }

    /** {@return the shared circuit-breaker state} */
    public RedisCircuits circuits() {
        return circuits;
    }

    void recordLimitFallback() {
        limitFallbacks.increment();
    }

    /** Counts a command Redis refused (a bug or a misconfiguration, such as an ACL that forbids a command). */
    void recordFailure(RedisException e) {
        if (!e.unavailable()) {
            replyErrors.increment();
        }
    }

    /**
     * {@return whether Redis answers a {@code PING} now}: within the command timeout, and at once
     * (without touching the network) while the client waits out its backoff after a failure. It
     * updates {@link #health()}, which otherwise reflects the last command sent.
     */
    public boolean ping() {
        try {
            client.call("PING");
            return true;
        } catch (RedisException e) {
            recordFailure(e);
            return false;
        }
    }

    /**
     * {@return whether Redis answers, since when, the last failure, and how often each kind of
     * state fell back}
     */
    public Health health() {
        RedisClient.Status s = client.status();
        return new Health(s.up(), s.since(), s.lastError(), s.failures(), replyErrors.sum(), cacheFailures.sum(),
                limitFallbacks.sum(), budgetRefusals.sum(), budgetUntracked.sum(), budgets.pendingSettlements(), settlementsLost.sum(),
                circuitFallbacks.sum());
    }

    /**
     * A snapshot of the shared state's health.
     *
     * @param up               whether Redis answered the last command
     * @param since            when {@code up} last changed
     * @param lastError        the last failure to reach Redis (host and port, never a password), or null
     * @param failures         commands Redis could not answer
     * @param replyErrors      commands Redis answered with an error
     * @param cacheFailures    cache reads served as misses and writes dropped because Redis failed
     * @param limitFallbacks   limit decisions made locally because Redis was down
     * @param budgetRefusals   calls refused because Redis was down (budgets set to refuse)
     * @param budgetUntracked  calls allowed untracked because Redis was down (budgets set to allow)
     * @param settlementsPending spend kept in memory until Redis answers again
     * @param settlementsLost  spend that could not be recorded (Redis down too long: too many kept)
     * @param circuitFallbacks calls let through unchecked by the shared circuits because Redis was down
     */
    public record Health(boolean up, Instant since, String lastError, long failures, long replyErrors,
            long cacheFailures, long limitFallbacks, long budgetRefusals, long budgetUntracked, long settlementsPending,
            long settlementsLost,
            long circuitFallbacks) {

        /**
         * {@return the snapshot as JSON for {@code /health/ready}: {@code "redis": "up"} or
         * {@code "down"}, since when, the last error, and the fallback counters}
         */
        public dev.parley.json.JsonObject toJson() {
            dev.parley.json.JsonObject.Builder b = dev.parley.json.JsonObject.newBuilder()
                    .put("redis", up ? "up" : "down")
                    .put("since", since.toString());
            if (lastError != null && !up) {
                b.put("lastError", dev.parley.internal.Scrub.controls(lastError));
            }
            return b.put("failures", failures)
                    .put("replyErrors", replyErrors)
                    .put("cacheFailures", cacheFailures)
                    .put("limitFallbacks", limitFallbacks)
                    .put("budgetRefusals", budgetRefusals)
                    .put("budgetUntracked", budgetUntracked)
                    .put("settlementsPending", settlementsPending)
                    .put("settlementsLost", settlementsLost)
                    .put("circuitFallbacks", circuitFallbacks)
                    .build();
        }
    }

    /** Closes the connections. */
    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "SharedState[" + settings + "]";
    }
}
