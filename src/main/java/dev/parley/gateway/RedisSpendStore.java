package dev.parley.gateway;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import dev.parley.Usage;
import dev.parley.internal.redis.RedisBudgets;
import dev.parley.internal.redis.RedisBudgets.Budget;
import dev.parley.internal.redis.RedisBudgets.Period;
import dev.parley.internal.redis.RedisException;

/**
 * {@link SpendStore} shared by every gateway instance on one Redis, by key name (never the key).
 * A call of a key with budgets reserves its worst case against all of them in one atomic round
 * trip ({@link RedisBudgets}), so that instances racing on one budget never overrun it when
 * worst cases are upper bounds; when the call ends, one more round trip releases the
 * reservation, adds its cost to the budgets and what it used to the key's spend rows (all time,
 * and per UTC day). {@link #spend()} reads every configured key's all-time rows, in one round
 * trip, so that each instance's {@code /metrics} shows what the whole team spent.
 *
 * <p>While Redis cannot be reached: a call with a budget is refused with 503 and
 * {@code Retry-After} ({@code PARLEY_REDIS_BUDGET_WHEN_DOWN=refuse}, the default), or allowed
 * untracked ({@code allow}); the spend of calls that end meanwhile is kept in memory and written
 * when Redis answers again; {@code spend()} answers with the last rows it read. Budget days and
 * months are UTC days and months of this machine's clock. Thread-safe.
 */
final class RedisSpendStore implements SpendStore {

    /** What a client waits before trying again a call refused because Redis is down. */
    static final String RETRY_WHEN_DOWN_SECONDS = "5";
    private static final double MAX_DOLLARS = 1_000_000;

    private final RedisBudgets budgets;
    private final Supplier<Collection<String>> names;
    private volatile List<Spend> last = List.of();

    /**
     * @param budgets the shared budgets
     * @param names the names of the keys configured now, whose spending {@link #spend()} reports
     */
    RedisSpendStore(RedisBudgets budgets, Supplier<Collection<String>> names) {
        this.budgets = budgets;
        this.names = names;
    }

    @Override
    public Reservation reserve(VirtualKey key, double worstUsd, Instant now) {
        List<Budget> list = new ArrayList<>(3);
        List<String> windows = new ArrayList<>(3);
        add(list, windows, Period.DAY, "daily", key.daily());
        add(list, windows, Period.MONTH, "monthly", key.monthly());
        add(list, windows, Period.TOTAL, "total", key.total());
        double worst = Math.min(MAX_DOLLARS, Math.max(0, worstUsd));
        RedisBudgets.Reservation reservation;
        if (list.isEmpty()) {
            reservation = budgets.track(key.name());
        } else {
            // At least a nano-dollar, so that a budget used up exactly refuses even a call without a price.
            RedisBudgets.Decision d = budgets.reserve(key.name(), list, Math.max(worst, 1e-9));
            switch (d.outcome()) {
                case OVER_BUDGET -> throw overBudget(key, list, windows, d.remaining(), worst);
                case REFUSED_REDIS_DOWN -> throw new ApiError(503, "server_error", "budget_unavailable", null,
                        "The budget of key '" + key.name() + "' cannot be checked now: the gateway's shared state"
                                + " (Redis) is unavailable. Retry in a few seconds.")
                        .withHeader("Retry-After", RETRY_WHEN_DOWN_SECONDS);
                default -> reservation = d.reservation();
            }
        }
        RedisBudgets.Reservation r = reservation;
        AtomicBoolean settled = new AtomicBoolean();
        return (model, usage, usd) -> {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            Usage u = usage == null ? Usage.ZERO : usage;
            budgets.settle(r, Math.min(MAX_DOLLARS, Math.max(0, usd)), model == null ? null
                    : new RedisBudgets.Spend(model, Math.max(0, u.inputTokens()), Math.max(0, u.outputTokens())));
        };
    }

    private static void add(List<Budget> list, List<String> windows, Period period, String window, Double dollars) {
        if (dollars != null) {
            list.add(new Budget(period, Math.min(MAX_DOLLARS, dollars)));
            windows.add(window);
        }
    }

    /** {@return the 402 naming the first budget the worst case does not fit in} */
    private static ApiError overBudget(VirtualKey key, List<Budget> list, List<String> windows, List<Double> remaining,
                                       double worst) {
        int i = 0;
        while (i < list.size() - 1 && i < remaining.size() && remaining.get(i) > 0 && worst <= remaining.get(i)) {
            i++;
        }
        double left = i < remaining.size() ? remaining.get(i) : 0;
        return LocalSpendStore.overBudget(key, windows.get(i), list.get(i).dollars(), left, worst);
    }

    /**
     * {@return what each configured key used per model, in all time, as Redis has it (every
     * instance's calls); while Redis cannot be reached, the rows it last read}. Rows have no day
     * ({@code null}): they sum every day.
     */
    @Override
    public List<Spend> spend() {
        try {
            List<Spend> rows = new ArrayList<>();
            for (RedisBudgets.Total t : budgets.totals(names.get())) {
                rows.add(new Spend(t.key(), t.model(), null, t.requests(), t.inputTokens(), t.outputTokens(), t.usd()));
            }
            last = List.copyOf(rows);
        } catch (RedisException | NumberFormatException | ClassCastException e) {
            // Redis is down (or holds something else there): report the last totals rather than none,
            // so that counters do not fall to zero.
        }
        return last;
    }

    @Override
    public String toString() {
        return "RedisSpendStore[" + budgets + "]";
    }
}
