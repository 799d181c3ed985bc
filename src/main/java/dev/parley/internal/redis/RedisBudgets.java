package dev.parley.internal.redis;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import dev.parley.spi.Ticker;

/**
 * Spend counters and budgets shared by every instance that uses the same Redis, per key and per
 * period (the UTC day, the UTC month, or all time).
 *
 * <p>Before a call, {@link #reserve} admits it only if, for every budget, what was spent plus
 * what calls in flight reserved plus this call's estimate stays within the budget, and reserves
 * the estimate: one atomic {@code EVALSHA}. After the call, {@link #settle} releases the
 * reservation and adds what the call actually cost. So when estimates are upper bounds (a
 * request's {@code maxTokens} priced as output), spend never exceeds a budget, however many
 * instances and calls race; when a call costs more than its estimate, the budget is exceeded by
 * at most that difference for each call in flight. A reservation that is never settled (an
 * instance that died mid-call) expires after {@link #RESERVATION_MINUTES} minutes.
 *
 * <p>Amounts are US dollars, kept in Redis as whole nano-dollars; budgets up to
 * $1,000,000. While Redis cannot be reached, {@code reserve} refuses or allows untracked per
 * {@code PARLEY_REDIS_BUDGET_WHEN_DOWN} (counted in the health snapshot), and a settlement that
 * cannot be written is kept in memory and written before the next command once Redis answers
 * (up to {@value #MAX_PENDING}; beyond, lost and counted; an instance that stops meanwhile loses
 * them; one whose reply was lost, rather than its command, may count twice, in the budget's
 * favour). Thread-safe.
 */
public final class RedisBudgets {

    /** How long an unsettled reservation holds its amount. */
    public static final int RESERVATION_MINUTES = 15;
    static final double MAX_DOLLARS = 1_000_000;

    private static final RedisClient.Script RESERVE = RedisClient.Script.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local est, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
            local reserved = tonumber(redis.call('GET', KEYS[2]) or '0')
            local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
            if #old > 0 then
              for _, m in ipairs(old) do reserved = reserved - tonumber(string.match(m, '(%d+)$')) end
              redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            end
            if reserved < 0 or redis.call('ZCARD', KEYS[1]) == 0 then reserved = 0 end
            local ok = true
            local out = {0}
            for i = 1, #KEYS - 2 do
              local spent = tonumber(redis.call('GET', KEYS[2 + i]) or '0')
              local budget = tonumber(ARGV[3 + i])
              out[#out + 1] = string.format('%.0f', budget - spent - reserved)
              if spent + reserved + est > budget then ok = false end
            end
            if ok then
              redis.call('ZADD', KEYS[1], now + ttl, ARGV[3] .. ':' .. string.format('%.0f', est))
              reserved = reserved + est
              out[1] = 1
            end
            redis.call('SET', KEYS[2], string.format('%.0f', reserved), 'PX', math.ceil(ttl / 1000))
            redis.call('PEXPIRE', KEYS[1], math.ceil(ttl / 1000))
            return out
            """);

    /**
     * KEYS: the reservations, their sum, n spent counters, then (with a spend row) the key's total
     * and day hashes. ARGV: the reservation's member ('' for none), the actual cost, n, the n
     * counters' times to live, then the model, input and output tokens and the day hash's time to live.
     */
    private static final RedisClient.Script SETTLE = RedisClient.Script.of("""
            if ARGV[1] ~= '' and redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
              local reserved = tonumber(redis.call('GET', KEYS[2]) or '0') - tonumber(string.match(ARGV[1], '(%d+)$'))
              if reserved < 0 then reserved = 0 end
              redis.call('SET', KEYS[2], string.format('%.0f', reserved), 'KEEPTTL')
            end
            local actual, n = tonumber(ARGV[2]), tonumber(ARGV[3])
            for i = 1, n do
              redis.call('INCRBY', KEYS[2 + i], actual)
              local ttl = tonumber(ARGV[3 + i])
              if ttl > 0 then redis.call('PEXPIRE', KEYS[2 + i], ttl) end
            end
            if KEYS[3 + n] then
              local model = ARGV[4 + n]
              for j = 3 + n, 4 + n do
                redis.call('HINCRBY', KEYS[j], 'requests:' .. model, 1)
                redis.call('HINCRBY', KEYS[j], 'input:' .. model, ARGV[5 + n])
                redis.call('HINCRBY', KEYS[j], 'output:' .. model, ARGV[6 + n])
                redis.call('HINCRBY', KEYS[j], 'usd:' .. model, actual)
              end
              redis.call('PEXPIRE', KEYS[4 + n], ARGV[7 + n])
            end
            return 1
            """);

    /** How long Redis keeps a key's spend of one day. */
    static final long DAY_ROWS_MILLIS = 400L * 86_400_000L;

    /** The period a budget counts over, in UTC. */
    public enum Period {
        /** The calendar day. */
        DAY,
        /** The calendar month. */
        MONTH,
        /** All time. */
        TOTAL
    }

    /**
     * A budget: at most {@code dollars} per period.
     *
     * @param period  the period
     * @param dollars the budget, from 0 to 1,000,000
     */
    public record Budget(Period period, double dollars) {

        /** Checks the values. */
        public Budget {
            Objects.requireNonNull(period, "period");
            if (!(dollars >= 0 && dollars <= MAX_DOLLARS)) {
                throw new IllegalArgumentException("a budget must be from $0 to $1000000, got " + dollars);
            }
        }
    }

    /** Why a reservation was or was not admitted. */
    public enum Outcome {
        /** Within every budget; reserved on Redis. */
        ADMITTED,
        /** A budget would be exceeded. */
        OVER_BUDGET,
        /** Redis is down and budgets refuse meanwhile. */
        REFUSED_REDIS_DOWN,
        /** Redis is down and budgets allow meanwhile: admitted, not reserved. */
        ALLOWED_REDIS_DOWN
    }

    /**
     * The answer to {@link #reserve}.
     *
     * @param outcome     what happened
     * @param remaining   for each budget, in order, the dollars left before this call (what was
     *                    spent and reserved deducted); empty when Redis is down
     * @param reservation what to {@link #settle} after the call; null when not admitted
     */
    public record Decision(Outcome outcome, List<Double> remaining, Reservation reservation) {

        /** {@return whether the call may go} */
        public boolean admitted() {
            return outcome == Outcome.ADMITTED || outcome == Outcome.ALLOWED_REDIS_DOWN;
        }
    }

    /** An admitted call's reservation, to settle once. Opaque. */
    public static final class Reservation {
        private final List<String> keys;
        private final List<Object> ttls;
        private final String member;
        /** The key's spend hashes: all time, and the day of the call. */
        private final String totalKey;
        private final String dayKey;

        private Reservation(List<String> keys, List<Object> ttls, String member, String totalKey, String dayKey) {
            this.keys = keys;
            this.ttls = ttls;
            this.member = member;
            this.totalKey = totalKey;
            this.dayKey = dayKey;
        }
    }

    /**
     * What a call used, added to its key's spend rows when it is settled: one hash per key for
     * all time ({@code parley:spend:{key}}) and one per key and UTC day
     * ({@code parley:spend:{key}:2026-12-02}, kept 400 days), with the fields
     * {@code requests:<model>}, {@code input:<model>}, {@code output:<model>} and
     * {@code usd:<model>} (nano-dollars).
     *
     * @param model        the model, as the client named it
     * @param inputTokens  its input tokens, 0 or more
     * @param outputTokens its output tokens, 0 or more
     */
    public record Spend(String model, long inputTokens, long outputTokens) {

        /** Checks the values. */
        public Spend {
            Objects.requireNonNull(model, "model");
            if (inputTokens < 0 || outputTokens < 0) {
                throw new IllegalArgumentException("tokens must be 0 or more");
            }
        }
    }

    /**
     * What one key used on one model, in all time, read from its spend hash.
     *
     * @param key          the key
     * @param model        the model
     * @param requests     the calls settled
     * @param inputTokens  their input tokens
     * @param outputTokens their output tokens
     * @param usd          their cost, in dollars
     */
    public record Total(String key, String model, long requests, long inputTokens, long outputTokens, double usd) {
    }

    /** Settlements kept for Redis's return at most; beyond, they are lost (and counted). */
    static final int MAX_PENDING = 100_000;
    /** Pending settlements replayed before one call's own command, at most. */
    private static final int REPLAY_BATCH = 64;

    /** A settlement Redis could not take yet. */
    private record Pending(Reservation reservation, long actual, Spend spend) {
    }

    private final SharedState state;
    private final Ticker clock;
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final String instanceId = Long.toHexString(ThreadLocalRandom.current().nextLong());
    private final AtomicLong sequence = new AtomicLong();

    RedisBudgets(SharedState state, Ticker clock) {
        this.state = state;
        this.clock = clock;
    }

    private String base(String key) {
        return state.settings().prefix + "budget:{" + key + "}:";
    }

    private String spendKey(String key) {
        return state.settings().prefix + "spend:{" + key + "}";
    }

    private String spentKey(String key, Period p, LocalDate today) {
        return base(key) + switch (p) {
            case DAY -> "day:" + today;
            case MONTH -> "month:" + today.toString().substring(0, 7);
            case TOTAL -> "total";
        };
    }

    private static long ttlMillis(Period p) {
        return switch (p) {
            case DAY -> 2L * 86_400_000L;
            case MONTH -> 62L * 86_400_000L;
            case TOTAL -> 0;
        };
    }

    static long nanos(double dollars) {
        return (long) Math.ceil(dollars * 1e9 - 1e-6);
    }

    /**
     * Admits a call of {@code estimate} dollars if it fits in every budget of {@code key}, and
     * reserves the estimate.
     *
     * @param key      the key (an identifier, not a secret), 1 to 256 characters without braces
     * @param budgets  the budgets, at least one, one per period
     * @param estimate the call's estimated cost in dollars (an upper bound keeps spend within budget)
     * @return the decision; never throws for Redis being down
     */
    public Decision reserve(String key, List<Budget> budgets, double estimate) {
        checkKey(key);
        if (budgets.isEmpty()) {
            throw new IllegalArgumentException("budgets must not be empty");
        }
        if (!(estimate >= 0 && estimate <= MAX_DOLLARS)) {
            throw new IllegalArgumentException("estimate must be from $0 to $1000000, got " + estimate);
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        List<String> keys = new ArrayList<>(budgets.size() + 2);
        keys.add(base(key) + "reserved");
        keys.add(base(key) + "reserved:sum");
        List<Object> ttls = new ArrayList<>(budgets.size());
        long est = nanos(estimate);
        String member = instanceId + "." + sequence.incrementAndGet() + ":" + est;
        List<Object> args = new ArrayList<>(budgets.size() + 3);
        args.add(est);
        args.add(RESERVATION_MINUTES * 60_000_000L);
        args.add(member.substring(0, member.lastIndexOf(':')));
        for (Budget b : budgets) {
            keys.add(spentKey(key, b.period(), today));
            ttls.add(ttlMillis(b.period()));
            args.add(nanos(b.dollars()));
        }
        if (keys.stream().distinct().count() != keys.size()) {
            throw new IllegalArgumentException("budgets must have distinct periods");
        }
        Reservation reservation = new Reservation(List.copyOf(keys), List.copyOf(ttls), member, spendKey(key),
                spendKey(key) + ":" + today);
        try {
            replayPending();
            List<Object> reply = RedisClient.list(state.client().eval(RESERVE, keys, args));
            List<Double> remaining = new ArrayList<>(budgets.size());
            for (int i = 1; i < reply.size(); i++) {
                remaining.add(Long.parseLong(new String((byte[]) reply.get(i), java.nio.charset.StandardCharsets.US_ASCII)) / 1e9);
            }
            boolean ok = (Long) reply.get(0) == 1L;
            return new Decision(ok ? Outcome.ADMITTED : Outcome.OVER_BUDGET, List.copyOf(remaining), ok ? reservation : null);
        } catch (RedisException | ClassCastException | NumberFormatException | IndexOutOfBoundsException e) {
            if (e instanceof RedisException re) {
                state.recordFailure(re);
            }
            if (state.settings().budgetWhenDown() == RedisSettings.BudgetWhenDown.ALLOW) {
                state.budgetUntracked.increment();
                return new Decision(Outcome.ALLOWED_REDIS_DOWN, List.of(), reservation);
            }
            state.budgetRefusals.increment();
            return new Decision(Outcome.REFUSED_REDIS_DOWN, List.of(), null);
        }
    }

    /**
     * {@return a reservation for a call of {@code key} that has no budget}, so that its spend is
     * still counted when it is {@linkplain #settle(Reservation, double, Spend) settled}; no command is sent
     *
     * @param key the key (an identifier, not a secret), 1 to 256 characters without braces
     */
    public Reservation track(String key) {
        checkKey(key);
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        return new Reservation(List.of(base(key) + "reserved", base(key) + "reserved:sum"), List.of(), "",
                spendKey(key), spendKey(key) + ":" + today);
    }

    /**
     * Releases a reservation and adds the call's actual cost to every period it was reserved in.
     *
     * @param reservation the reservation, from an admitted {@link Decision}
     * @param actual      what the call cost, in dollars
     * @return whether the spend was recorded now (false when Redis is down: it is kept, up to
     *         {@value #MAX_PENDING} settlements, and written when Redis answers again; beyond, lost and counted)
     */
    public boolean settle(Reservation reservation, double actual) {
        return settle(reservation, actual, null);
    }

    /**
     * Releases a reservation, adds the call's actual cost to every period it was reserved in and,
     * when {@code spend} is given, what it used to the key's spend rows (in the same round trip).
     *
     * @param reservation the reservation, from an admitted {@link Decision} or {@link #track}
     * @param actual      what the call cost, in dollars
     * @param spend       what it used, for the spend rows; or null
     * @return whether it was recorded now (false when Redis is down: it is kept, up to
     *         {@value #MAX_PENDING} settlements, and written when Redis answers again; beyond, lost and counted)
     */
    public boolean settle(Reservation reservation, double actual, Spend spend) {
        Objects.requireNonNull(reservation, "reservation");
        if (!(actual >= 0 && actual <= MAX_DOLLARS)) {
            throw new IllegalArgumentException("actual must be from $0 to $1000000, got " + actual);
        }
        long amount = nanos(actual);
        try {
            replayPending();
            write(reservation, amount, spend);
            return true;
        } catch (RedisException e) {
            state.recordFailure(e);
            keep(new Pending(reservation, amount, spend));
            return false;
        }
    }

    private void write(Reservation reservation, long amount, Spend spend) {
        List<String> keys = reservation.keys;
        List<Object> args = new ArrayList<>(reservation.ttls.size() + 7);
        args.add(reservation.member);
        args.add(amount);
        args.add(reservation.ttls.size());
        args.addAll(reservation.ttls);
        if (spend != null) {
            keys = new ArrayList<>(keys);
            keys.add(reservation.totalKey);
            keys.add(reservation.dayKey);
            args.add(spend.model());
            args.add(spend.inputTokens());
            args.add(spend.outputTokens());
            args.add(DAY_ROWS_MILLIS);
        }
        state.client().eval(SETTLE, keys, args);
    }

    /**
     * {@return what each of {@code keys} used per model in all time, read in one round trip;
     * keys that spent nothing have no rows}
     *
     * @param keys the keys
     * @throws RedisException if Redis cannot answer
     */
    public List<Total> totals(java.util.Collection<String> keys) {
        List<String> names = List.copyOf(keys);
        if (names.isEmpty()) {
            return List.of();
        }
        List<Object[]> commands = new ArrayList<>(names.size());
        for (String key : names) {
            checkKey(key);
            commands.add(new Object[] {"HGETALL", spendKey(key)});
        }
        List<Object> replies = state.client().pipeline(commands);
        List<Total> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (replies.get(i) instanceof RedisException e) {
                throw e;
            }
            java.util.Map<String, long[]> byModel = new java.util.TreeMap<>();
            List<Object> fields = RedisClient.list(replies.get(i));
            for (int j = 0; j + 1 < fields.size(); j += 2) {
                String field = new String((byte[]) fields.get(j), java.nio.charset.StandardCharsets.UTF_8);
                int colon = field.indexOf(':');
                int slot = switch (colon < 0 ? "" : field.substring(0, colon)) {
                    case "requests" -> 0;
                    case "input" -> 1;
                    case "output" -> 2;
                    case "usd" -> 3;
                    default -> -1;
                };
                if (slot >= 0) {
                    long value = Long.parseLong(new String((byte[]) fields.get(j + 1), java.nio.charset.StandardCharsets.US_ASCII));
                    byModel.computeIfAbsent(field.substring(colon + 1), m -> new long[4])[slot] = value;
                }
            }
            String key = names.get(i);
            byModel.forEach((model, v) -> out.add(new Total(key, model, v[0], v[1], v[2], v[3] / 1e9)));
        }
        return out;
    }

    private void keep(Pending p) {
        if (pendingCount.incrementAndGet() > MAX_PENDING) {
            pendingCount.decrementAndGet();
            state.settlementsLost.increment();
        } else {
            pending.add(p);
        }
    }

    /**
     * Writes settlements kept while Redis was down, a batch at a time.
     *
     * @throws RedisException if Redis fails again (what was not written stays kept)
     */
    private void replayPending() {
        for (int i = 0; i < REPLAY_BATCH; i++) {
            Pending p = pending.poll();
            if (p == null) {
                return;
            }
            pendingCount.decrementAndGet();
            try {
                write(p.reservation(), p.actual(), p.spend());
            } catch (RedisException e) {
                keep(p);
                throw e;
            }
        }
    }

    /** {@return settlements kept until Redis answers again} */
    int pendingSettlements() {
        return pendingCount.get();
    }

    /**
     * {@return what {@code key} spent in the current {@code period}, in dollars}
     *
     * @param key    the key
     * @param period the period
     * @throws RedisException if Redis cannot answer
     */
    public double spent(String key, Period period) {
        checkKey(key);
        Object v = state.client().call("GET", spentKey(key, period, LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)));
        return v == null ? 0 : Long.parseLong(new String((byte[]) v, java.nio.charset.StandardCharsets.US_ASCII)) / 1e9;
    }

    static void checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.length() > 256 || key.indexOf('{') >= 0 || key.indexOf('}') >= 0) {
            throw new IllegalArgumentException("key must be 1 to 256 characters without braces");
        }
    }

    @Override
    public String toString() {
        return "RedisBudgets[whenDown=" + state.settings().budgetWhenDown().name().toLowerCase(Locale.ROOT) + "]";
    }
}
