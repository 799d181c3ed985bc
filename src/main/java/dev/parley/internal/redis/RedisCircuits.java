package dev.parley.internal.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

import dev.parley.internal.CircuitSharing;
import dev.parley.route.CircuitBreaker;

/**
 * Circuit-breaker state shared by every instance that uses the same Redis, with the rules of
 * {@link dev.parley.route.CircuitBreaker}: {@code threshold} failures in a row (counted across
 * instances) open the circuit for {@code coolDown}; then it is half-open and lets exactly
 * {@code probes} calls through (across instances); the first probe that succeeds closes it, the
 * first that fails opens it again. A success of an ordinary call resets the count. Each
 * {@link #acquire} and {@link #record} is one atomic {@code EVALSHA}, timed on Redis's clock.
 *
 * <p>While Redis cannot be reached, {@code acquire} lets the call through and says the decision
 * was not shared ({@code shared == false}, counted as a fallback), and {@code record} is
 * dropped (it returns null): the gateway's route keeps its own {@code CircuitBreaker}, which
 * follows the state Redis reports while it answers (through {@link CircuitSharing}) and decides
 * alone meanwhile, from the state it last saw. Thread-safe.
 *
 * <p>Circuit names are identifiers (an upstream's name), never secrets: they are visible in Redis.
 */
public final class RedisCircuits {

    // Hash fields: s state (closed|open|half), f consecutive failures, u open until (µs), p probes taken, g generation.
    private static final RedisClient.Script ACQUIRE = RedisClient.Script.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local h = redis.call('HMGET', KEYS[1], 's', 'u', 'p', 'g')
            local state, untilT, probes, gen = h[1] or 'closed', tonumber(h[2] or '0'), tonumber(h[3] or '0'), tonumber(h[4] or '0')
            local maxProbes, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
            if state == 'open' and now >= untilT then
              state, probes, gen = 'half', 0, gen + 1
              redis.call('HSET', KEYS[1], 's', state, 'p', 0, 'g', gen)
            end
            local out
            if state == 'closed' then
              out = {1, gen, 0, 0}
            elseif state == 'half' and probes < maxProbes then
              redis.call('HSET', KEYS[1], 'p', probes + 1)
              out = {1, gen, 1, 0}
            elseif state == 'half' then
              out = {0, gen, 0, 0}
            else
              out = {0, gen, 0, math.ceil((untilT - now) / 1000)}
            end
            redis.call('PEXPIRE', KEYS[1], ttl)
            return out
            """);

    private static final RedisClient.Script RECORD = RedisClient.Script.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local h = redis.call('HMGET', KEYS[1], 's', 'f', 'u', 'p', 'g')
            local state, failures, untilT, probes, gen = h[1] or 'closed', tonumber(h[2] or '0'), tonumber(h[3] or '0'),
                tonumber(h[4] or '0'), tonumber(h[5] or '0')
            local pgen, probe, outcome = tonumber(ARGV[1]), ARGV[2] == '1', tonumber(ARGV[3])
            local threshold, cool, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
            if state == 'open' and now >= untilT then
              state, probes, gen = 'half', 0, gen + 1
              redis.call('HSET', KEYS[1], 's', state, 'p', 0, 'g', gen)
            end
            local function open()
              state, untilT = 'open', now + cool
              redis.call('HSET', KEYS[1], 's', 'open', 'u', string.format('%.0f', untilT), 'g', gen + 1, 'f', 0, 'p', 0)
            end
            if probe then
              -- a stale probe (another one already decided) changes nothing
              if state == 'half' and pgen == gen then
                if outcome > 0 then
                  state = 'closed'
                  redis.call('HSET', KEYS[1], 's', 'closed', 'f', 0, 'g', gen + 1, 'p', 0)
                elseif outcome < 0 then
                  open()
                else
                  redis.call('HSET', KEYS[1], 'p', math.max(0, probes - 1))
                end
              end
            elseif state == 'closed' then
              if outcome > 0 then
                redis.call('HSET', KEYS[1], 'f', 0)
              elseif outcome < 0 then
                if failures + 1 >= threshold then open() else redis.call('HSET', KEYS[1], 'f', failures + 1) end
              end
            end
            redis.call('PEXPIRE', KEYS[1], ttl)
            local left = 0
            if state == 'open' then left = math.ceil((untilT - now) / 1000) end
            return {state, left}
            """);

    /** Reads a circuit's state now, on Redis's clock, changing nothing: {state, ms left open}. */
    private static final RedisClient.Script VIEW = RedisClient.Script.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local h = redis.call('HMGET', KEYS[1], 's', 'u')
            local state, untilT = h[1] or 'closed', tonumber(h[2] or '0')
            if state == 'open' and now >= untilT then state = 'half' end
            local left = 0
            if state == 'open' then left = math.ceil((untilT - now) / 1000) end
            return {state, left}
            """);

    /**
     * A circuit's rules.
     *
     * @param threshold failures in a row that open the circuit, from 1 to 1,000
     * @param coolDown  how long it stays open, from 1 ms to 1 day
     * @param probes    calls a half-open circuit lets through, from 1 to 100
     */
    public record Rules(int threshold, Duration coolDown, int probes) {

        /** Checks the values. */
        public Rules {
            if (threshold < 1 || threshold > 1000) {
                throw new IllegalArgumentException("threshold must be from 1 to 1000, got " + threshold);
            }
            Objects.requireNonNull(coolDown, "coolDown");
            if (coolDown.compareTo(Duration.ofMillis(1)) < 0 || coolDown.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("coolDown must be from 1 ms to 1 day, got " + coolDown);
            }
            if (probes < 1 || probes > 100) {
                throw new IllegalArgumentException("probes must be from 1 to 100, got " + probes);
            }
        }

        /** The state is kept a day past the cool-down, then forgotten (a closed circuit with no failures). */
        long ttlMillis() {
            return coolDown.toMillis() + 86_400_000L;
        }
    }

    /** How a call that was let through ended. */
    public enum Outcome {
        /** The upstream answered (an error of the caller's making counts as an answer). */
        SUCCESS,
        /** The upstream failed (unavailable, server error, timeout, network). */
        FAILURE,
        /** Neither (cancelled): a probe's place goes to the next caller. */
        NEUTRAL
    }

    /**
     * The answer to {@link #acquire}.
     *
     * @param admitted   whether the call may go
     * @param retryAfter when refused with the circuit open, the cool-down left; zero otherwise
     * @param shared     true when Redis decided; false when Redis was down and the call was let through
     * @param permit     what to {@link #record} after the call; null when refused or not shared
     */
    public record Decision(boolean admitted, Duration retryAfter, boolean shared, Permit permit) {
    }

    /** A call let through, in which generation of the circuit and whether as a probe. Opaque. */
    public static final class Permit {
        private final String name;
        private final long generation;
        private final boolean probe;

        private Permit(String name, long generation, boolean probe) {
            this.name = name;
            this.generation = generation;
            this.probe = probe;
        }

        /** {@return whether the call is a probe of a half-open circuit} */
        public boolean probe() {
            return probe;
        }
    }

    private final SharedState state;
    private final LongAdder fallbacks = new LongAdder();

    RedisCircuits(SharedState state) {
        this.state = state;
    }

    /** {@return how many calls were let through unchecked because Redis was down} */
    public long fallbacks() {
        return fallbacks.sum();
    }

    private String key(String name) {
        RedisBudgets.checkKey(name);
        return state.settings().prefix + "circuit:{" + name + "}";
    }

    /**
     * Asks whether a call to the upstream {@code name} may go.
     *
     * @param name  the circuit's name, 1 to 256 characters without braces
     * @param rules the circuit's rules (the same on every instance)
     * @return the decision; never throws for Redis being down
     */
    public Decision acquire(String name, Rules rules) {
        String key = key(name);
        try {
            List<Object> r = RedisClient.list(state.client().eval(ACQUIRE, List.of(key), List.of(rules.probes(), rules.ttlMillis())));
            boolean admitted = (Long) r.get(0) == 1L;
            return new Decision(admitted, Duration.ofMillis(Math.max(0, (Long) r.get(3))), true,
                    admitted ? new Permit(name, (Long) r.get(1), (Long) r.get(2) == 1L) : null);
        } catch (RedisException | ClassCastException | IndexOutOfBoundsException e) {
            if (e instanceof RedisException re) {
                state.recordFailure(re);
            }
            fallbacks.increment();
            state.circuitFallbacks.increment();
            return new Decision(true, Duration.ZERO, false, null);
        }
    }

    /**
     * Records how a call let through by {@link #acquire} ended.
     *
     * @param permit  the decision's permit
     * @param rules   the circuit's rules
     * @param outcome how the call ended
     * @return the circuit's state after it, on Redis's clock; null when Redis could not record it
     *         (the outcome is then lost to the other instances)
     */
    public CircuitSharing.View record(Permit permit, Rules rules, Outcome outcome) {
        Objects.requireNonNull(permit, "permit");
        int o = switch (outcome) {
            case SUCCESS -> 1;
            case FAILURE -> -1;
            case NEUTRAL -> 0;
        };
        try {
            return view(state.client().eval(RECORD, List.of(key(permit.name)), List.of(permit.generation, permit.probe ? 1 : 0, o,
                    rules.threshold(), rules.coolDown().toNanos() / 1000, rules.ttlMillis())));
        } catch (RedisException e) {
            state.recordFailure(e);
            return null;
        } catch (ClassCastException | IndexOutOfBoundsException e) {
            return null;
        }
    }

    /**
     * {@return the circuit's state now, on Redis's clock (an open circuit past its cool-down reads
     * half-open), changing nothing}
     *
     * @param name the circuit's name
     * @throws RedisException if Redis cannot answer
     */
    public CircuitSharing.View view(String name) {
        try {
            return view(state.client().eval(VIEW, List.of(key(name)), List.of()));
        } catch (ClassCastException | IndexOutOfBoundsException e) {
            throw RedisException.unavailable("unexpected reply from Redis");
        }
    }

    /** {@return a {state, ms left open} reply as a view} */
    private static CircuitSharing.View view(Object reply) {
        List<Object> r = RedisClient.list(reply);
        CircuitBreaker.State s = switch (new String((byte[]) r.get(0), StandardCharsets.US_ASCII)) {
            case "open" -> CircuitBreaker.State.OPEN;
            case "half" -> CircuitBreaker.State.HALF_OPEN;
            default -> CircuitBreaker.State.CLOSED;
        };
        return new CircuitSharing.View(s, s == CircuitBreaker.State.OPEN ? Duration.ofMillis(Math.max(1, (Long) r.get(1)))
                : Duration.ZERO);
    }

    /**
     * {@return the circuit's state as Redis holds it: {@code "closed"}, {@code "open"} or
     * {@code "half"} (an open circuit past its cool-down reads {@code "open"} until the next call)}
     *
     * @param name the circuit's name
     * @throws RedisException if Redis cannot answer
     */
    public String state(String name) {
        Object v = state.client().call("HGET", key(name), "s");
        return v == null ? "closed" : new String((byte[]) v, StandardCharsets.US_ASCII);
    }
}
