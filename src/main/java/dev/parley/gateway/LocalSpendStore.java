package dev.parley.gateway;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.Usage;
import dev.parley.cost.Money;

/**
 * {@link SpendStore} kept in this process, so it starts from zero at each start. Spending is
 * kept by key name (a reload that changes a key's budget keeps what it spent); daily and
 * monthly windows are UTC days and months. Reservations count against every window until they
 * are settled. Thread-safe: each key's state has its own lock.
 */
final class LocalSpendStore implements SpendStore {

    private final Map<String, State> states = new ConcurrentHashMap<>();

    @Override
    public Reservation reserve(VirtualKey key, double worstUsd, Instant now) {
        State s = states.computeIfAbsent(key.name(), n -> new State());
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        YearMonth month = YearMonth.from(day);
        double worst = Math.max(0, worstUsd);
        s.lock.lock();
        try {
            check(key, "daily", key.daily(), s.days.getOrDefault(day, 0.0), s.reserved, worst);
            check(key, "monthly", key.monthly(), s.months.getOrDefault(month, 0.0), s.reserved, worst);
            check(key, "total", key.total(), s.total, s.reserved, worst);
            s.reserved += worst;
        } finally {
            s.lock.unlock();
        }
        return new Reservation() {
            private boolean settled;

            @Override
            public void settle(String model, Usage usage, double usd) {
                double cost = Math.max(0, usd);
                s.lock.lock();
                try {
                    if (settled) {
                        return;
                    }
                    settled = true;
                    s.reserved -= worst;
                    s.days.merge(day, cost, Double::sum);
                    s.months.merge(month, cost, Double::sum);
                    s.total += cost;
                    if (model != null) {
                        Row row = s.rows.computeIfAbsent(new RowKey(model, day), k -> new Row());
                        row.requests++;
                        row.inputTokens += usage.inputTokens();
                        row.outputTokens += usage.outputTokens();
                        row.usd += cost;
                    }
                    s.days.keySet().removeIf(d -> d.isBefore(day.minusDays(1)));
                    s.months.keySet().removeIf(m -> m.isBefore(month.minusMonths(1)));
                } finally {
                    s.lock.unlock();
                }
            }
        };
    }

    private static void check(VirtualKey key, String window, Double budget, double spent, double reserved, double worst) {
        if (budget == null) {
            return;
        }
        double left = budget - spent - reserved;
        if (left <= 0 || worst > left) {
            throw overBudget(key, window, budget, left, worst);
        }
    }

    /**
     * {@return the 402 for a call whose worst case does not fit in a budget}
     *
     * @param window "daily", "monthly" or "total"
     * @param left what the budget has left, spending and reservations deducted
     */
    static ApiError overBudget(VirtualKey key, String window, double budget, double left, double worst) {
        String when = switch (window) {
            case "daily" -> " It starts again at 00:00 UTC.";
            case "monthly" -> " It starts again on the 1st at 00:00 UTC.";
            default -> "";
        };
        return new ApiError(402, "insufficient_quota", "insufficient_quota", null,
                "The " + window + " budget of " + Money.format(budget) + " for key '" + key.name() + "' is "
                        + (left <= 0 ? "used up." : "too low for this request: it could cost up to "
                        + Money.format(worst) + " and " + Money.format(left) + " is left; ask for fewer max_tokens.")
                        + when);
    }

    @Override
    public List<Spend> spend() {
        List<Spend> out = new ArrayList<>();
        states.forEach((name, s) -> {
            s.lock.lock();
            try {
                s.rows.forEach((k, row) -> out.add(new Spend(name, k.model(), k.day(), row.requests, row.inputTokens,
                        row.outputTokens, row.usd)));
            } finally {
                s.lock.unlock();
            }
        });
        return out;
    }

    private record RowKey(String model, LocalDate day) {
    }

    /** What one key used on one model in one day. Guarded by its key's lock. */
    private static final class Row {
        long requests;
        long inputTokens;
        long outputTokens;
        double usd;
    }

    /** One key's spending. Guarded by its lock. */
    private static final class State {
        final ReentrantLock lock = new ReentrantLock();
        final Map<LocalDate, Double> days = new HashMap<>();
        final Map<YearMonth, Double> months = new HashMap<>();
        final Map<RowKey, Row> rows = new HashMap<>();
        double total;
        double reserved;
    }
}
