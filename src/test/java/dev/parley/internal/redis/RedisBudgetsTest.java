package dev.parley.internal.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.internal.redis.RedisBudgets.Budget;
import dev.parley.internal.redis.RedisBudgets.Decision;
import dev.parley.internal.redis.RedisBudgets.Outcome;
import dev.parley.internal.redis.RedisBudgets.Period;
import dev.parley.testing.ManualTicker;

/** Shared budgets and spend counters against a real redis-server. */
class RedisBudgetsTest {

    private static RedisServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = RedisServer.start();
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    private static SharedState gateway() {
        return SharedState.open(server.settings().build());
    }

    private static String key() {
        return "k" + ThreadLocalRandom.current().nextLong(Long.MAX_VALUE);
    }

    /**
     * Two gateways race on one key's $1 budget with calls estimated at 3 cents that cost 1.5 to 3
     * cents: spend never exceeds the budget, and calls are refused only when less than one call's
     * estimate is left (counting reservations).
     */
    @Test
    void twoInstances_neverExceedTheBudget() throws Exception {
        String key = key();
        List<Budget> budget = List.of(new Budget(Period.DAY, 1.00), new Budget(Period.MONTH, 5.00));
        double estimate = 0.03;
        AtomicLong admitted = new AtomicLong();
        try (SharedState a = gateway(); SharedState b = gateway();
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                SharedState g = i % 2 == 0 ? a : b;
                all.add(threads.submit(() -> {
                    Decision d = g.budgets().reserve(key, budget, estimate);
                    if (d.admitted()) {
                        assertEquals(Outcome.ADMITTED, d.outcome());
                        admitted.incrementAndGet();
                        double actual = estimate * (0.5 + ThreadLocalRandom.current().nextDouble() / 2);
                        assertTrue(g.budgets().settle(d.reservation(), actual));
                    } else {
                        assertEquals(Outcome.OVER_BUDGET, d.outcome());
                        assertNull(d.reservation());
                    }
                }));
            }
            for (Future<?> f : all) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertTrue(a.budgets().spent(key, Period.DAY) <= 1.00, "spent " + a.budgets().spent(key, Period.DAY));
            // Calls refused while others' reservations were in flight left room: use it up, one at a time.
            Decision last;
            while ((last = a.budgets().reserve(key, budget, estimate)).admitted()) {
                admitted.incrementAndGet();
                a.budgets().settle(last.reservation(), estimate);
            }
            double spent = a.budgets().spent(key, Period.DAY);
            assertTrue(spent <= 1.00, "spent " + spent);
            assertEquals(spent, b.budgets().spent(key, Period.MONTH), 1e-9);
            assertEquals(Outcome.OVER_BUDGET, last.outcome());
            assertTrue(last.remaining().get(0) < estimate, "stopped with less than one call's worth left: " + last.remaining());
            assertTrue(admitted.get() >= 33, "admitted " + admitted.get());
        }
    }

    @Test
    void reservationsCount_untilSettled() {
        String key = key();
        List<Budget> budget = List.of(new Budget(Period.TOTAL, 0.10));
        try (SharedState g = gateway()) {
            Decision first = g.budgets().reserve(key, budget, 0.06);
            assertTrue(first.admitted());
            assertEquals(List.of(0.10), first.remaining());
            Decision second = g.budgets().reserve(key, budget, 0.06);
            assertFalse(second.admitted(), "the first call's reservation counts while it runs");
            assertEquals(0.04, second.remaining().get(0), 1e-9);
            assertTrue(g.budgets().settle(first.reservation(), 0.01));
            assertEquals(0.01, g.budgets().spent(key, Period.TOTAL), 1e-9);
            assertTrue(g.budgets().reserve(key, budget, 0.06).admitted(), "settling released the reservation");
        }
    }

    /**
     * Calls that cost twice their estimate: admission still counts what was spent, so the budget
     * is exceeded by at most the last call's underestimate (one request's worth).
     */
    @Test
    void underestimatedCalls_exceedTheBudgetByAtMostOneRequestsWorth() {
        String key = key();
        List<Budget> budget = List.of(new Budget(Period.TOTAL, 1.00));
        try (SharedState a = gateway(); SharedState b = gateway()) {
            int calls = 0;
            RedisBudgets.Decision d;
            while ((d = (calls % 2 == 0 ? a : b).budgets().reserve(key, budget, 0.03)).admitted()) {
                (calls++ % 2 == 0 ? a : b).budgets().settle(d.reservation(), 0.06);
            }
            double spent = a.budgets().spent(key, Period.TOTAL);
            assertTrue(spent > 1.00 - 0.03 && spent <= 1.00 + 0.03, "spent " + spent + " in " + calls + " calls");
        }
    }

    /** Spend rows per key and model, all time and per UTC day, written by every instance and read by any. */
    @Test
    void spendRows_countEveryCallPerModel_acrossInstances_withOrWithoutABudget() throws IOException {
        String budgeted = key();
        String free = key();
        ManualTicker clock = new ManualTicker(Instant.parse("2026-12-02T07:25:11Z"));
        try (SharedState a = gateway(); SharedState b = SharedState.open(server.settings().build(), clock)) {
            Decision d = a.budgets().reserve(budgeted, List.of(new Budget(Period.DAY, 1)), 0.05);
            assertTrue(a.budgets().settle(d.reservation(), 0.02, new RedisBudgets.Spend("m", 100, 10)));
            Decision e = a.budgets().reserve(budgeted, List.of(new Budget(Period.TOTAL, 1)), 0.05);
            assertTrue(a.budgets().settle(e.reservation(), 0.01, new RedisBudgets.Spend("m", 1, 2)));
            assertTrue(b.budgets().settle(b.budgets().track(free), 0.5, new RedisBudgets.Spend("other/model:x", 5, 6)));

            List<RedisBudgets.Total> totals = a.budgets().totals(List.of(budgeted, free, key()));

            assertEquals(2, totals.size(), totals.toString());
            RedisBudgets.Total m = totals.get(0);
            assertEquals(List.of(budgeted, "m", 2L, 101L, 12L), List.of(m.key(), m.model(), m.requests(), m.inputTokens(), m.outputTokens()));
            assertEquals(0.03, m.usd(), 1e-12);
            assertEquals(0.02, a.budgets().spent(budgeted, Period.DAY), 1e-12, "each budget counts its own calls");
            assertEquals(0.01, a.budgets().spent(budgeted, Period.TOTAL), 1e-12);
            RedisBudgets.Total x = totals.get(1);
            assertEquals(List.of(free, "other/model:x", 1L, 5L, 6L), List.of(x.key(), x.model(), x.requests(), x.inputTokens(), x.outputTokens()));
            assertEquals(0.5, x.usd(), 1e-12);
            String day = "parley:spend:{" + free + "}:2026-12-02";
            assertEquals("6", server.raw("HGET", day, "output:other/model:x"));
            assertTrue(Long.parseLong(server.raw("PTTL", day)) > 399L * 86_400_000L, "a day's row is kept 400 days");
            assertEquals("-1", server.raw("PTTL", "parley:spend:{" + free + "}"), "the all-time row is kept");
        }
    }

    @Test
    void periods_areUtcDaysAndMonths() {
        String key = key();
        ManualTicker clock = new ManualTicker(Instant.parse("2026-01-31T23:59:00Z"));
        try (SharedState g = SharedState.open(server.settings().build(), clock)) {
            List<Budget> budget = List.of(new Budget(Period.DAY, 1), new Budget(Period.MONTH, 10));
            g.budgets().settle(g.budgets().reserve(key, budget, 0.5).reservation(), 0.5);
            clock.advance(java.time.Duration.ofMinutes(2)); // 1 February
            assertEquals(0, g.budgets().spent(key, Period.DAY));
            assertEquals(0, g.budgets().spent(key, Period.MONTH));
            g.budgets().settle(g.budgets().reserve(key, budget, 0.25).reservation(), 0.25);
            assertEquals(0.25, g.budgets().spent(key, Period.DAY), 1e-9);
            clock.advance(java.time.Duration.ofDays(1));
            assertEquals(0, g.budgets().spent(key, Period.DAY));
            assertEquals(0.25, g.budgets().spent(key, Period.MONTH), 1e-9);
        }
    }

    @Test
    void badArguments_areRefusedClearly() {
        try (SharedState g = gateway()) {
            assertThrows(IllegalArgumentException.class, () -> new Budget(Period.DAY, -1));
            assertThrows(IllegalArgumentException.class, () -> new Budget(Period.DAY, Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> g.budgets().reserve("k", List.of(), 1));
            assertThrows(IllegalArgumentException.class, () -> g.budgets().reserve("k",
                    List.of(new Budget(Period.DAY, 1), new Budget(Period.DAY, 2)), 1));
            assertThrows(IllegalArgumentException.class, () -> g.budgets().reserve("k", List.of(new Budget(Period.DAY, 1)), -0.5));
        }
    }
}
