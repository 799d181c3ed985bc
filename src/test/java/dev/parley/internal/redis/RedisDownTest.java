package dev.parley.internal.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import dev.parley.cache.CacheEntry;
import dev.parley.internal.redis.RedisBudgets.Budget;
import dev.parley.internal.redis.RedisBudgets.Outcome;
import dev.parley.internal.redis.RedisBudgets.Period;
import dev.parley.internal.redis.RedisLimiter.Decision;
import dev.parley.internal.redis.RedisLimiter.Need;

/**
 * Killing Redis mid-run gives the documented behaviour per kind of state (the cache fails open,
 * limits fall back to the limit divided by the instances, budgets refuse or allow per the
 * setting, settlements are kept until Redis returns, shared circuits let calls through), every call answers within the command timeout, the health snapshot says so without
 * the password, and everything returns to Redis when it is back.
 */
class RedisDownTest {

    private static final String PASSWORD = "redis-canary-3f9e1";
    private static final String KEY = "a".repeat(64);
    private static final RedisCircuits.Rules CIRCUIT = new RedisCircuits.Rules(5, Duration.ofSeconds(30), 1);

    @Test
    void killedRedis_perKindOfState_thenRecovery() throws Exception {
        int threadsBefore = Thread.activeCount();
        try (RedisServer server = RedisServer.start("--requirepass", PASSWORD)) {
            RedisSettings.Builder settings = RedisSettings.newBuilder()
                    .url("redis://:" + PASSWORD + "@127.0.0.1:" + server.port())
                    .instances(2).maxBackoff(Duration.ofMillis(200)).commandTimeout(Duration.ofMillis(500));
            try (SharedState refusing = SharedState.open(settings.build());
                    SharedState allowing = SharedState.open(settings.budgetWhenDown(RedisSettings.BudgetWhenDown.ALLOW).build())) {
                List<Need> rpm = List.of(new Need("requests", 10, Duration.ofMinutes(1), 1));
                List<Budget> budget = List.of(new Budget(Period.DAY, 1));
                CacheEntry entry = new CacheEntry("{}".getBytes(UTF_8), Instant.parse("2025-01-01T00:00:00Z"));

                refusing.cacheStore().put(KEY, entry);
                assertTrue(refusing.cacheStore().get(KEY).isPresent());
                assertTrue(refusing.limiter().acquire("k", rpm).shared());
                RedisBudgets.Decision inFlight = refusing.budgets().reserve("k", budget, 0.1);
                assertEquals(Outcome.ADMITTED, inFlight.outcome());
                assertTrue(refusing.health().up());

                server.kill();

                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                    assertEquals(Optional.empty(), refusing.cacheStore().get(KEY), "the cache fails open: a miss");
                    refusing.cacheStore().put(KEY, entry);
                    assertEquals(0, refusing.cacheStore().size());
                    int admitted = 0;
                    for (int i = 0; i < 20; i++) {
                        Decision d = refusing.limiter().acquire("k", rpm);
                        assertFalse(d.shared());
                        admitted += d.admitted() ? 1 : 0;
                    }
                    assertEquals(5, admitted, "limits fall back to 10 / 2 instances");
                    assertEquals(Outcome.REFUSED_REDIS_DOWN, refusing.budgets().reserve("k", budget, 0.1).outcome());
                    assertFalse(refusing.budgets().settle(inFlight.reservation(), 0.1), "a settlement while down is kept");
                    RedisBudgets.Decision untracked = allowing.budgets().reserve("k", budget, 0.1);
                    assertEquals(Outcome.ALLOWED_REDIS_DOWN, untracked.outcome());
                    assertTrue(untracked.admitted());
                    RedisCircuits.Decision circuit = refusing.circuits().acquire("upstream", CIRCUIT);
                    assertTrue(circuit.admitted() && !circuit.shared(), "shared circuits let calls through");
                });

                SharedState.Health down = refusing.health();
                assertFalse(down.up());
                assertTrue(down.lastError().contains("127.0.0.1:" + server.port()), down.lastError());
                assertFalse(down.toString().contains(PASSWORD), down.toString());
                assertFalse(refusing.toString().contains(PASSWORD), refusing.toString());
                assertTrue(down.cacheFailures() >= 3, down.toString());
                assertEquals(20, down.limitFallbacks());
                assertEquals(1, down.budgetRefusals());
                assertEquals(1, down.settlementsPending());
                assertEquals(0, down.settlementsLost());
                assertEquals(1, allowing.health().budgetUntracked());
                assertEquals(1, down.circuitFallbacks());
                String json = down.toJson().toString();
                assertTrue(json.contains("\"redis\":\"down\"") && json.contains("\"limitFallbacks\":20"), json);
                assertFalse(json.contains(PASSWORD), json);

                server.restart();

                awaitTrue(() -> refusing.limiter().acquire("k", rpm).shared(), "limits are shared again");
                awaitTrue(() -> allowing.budgets().reserve("k", budget, 0.1).outcome() == Outcome.ADMITTED, "budgets again");
                assertEquals(Outcome.ADMITTED, refusing.budgets().reserve("k", budget, 0.1).outcome());
                assertEquals(0, refusing.health().settlementsPending());
                assertEquals(0.1, refusing.budgets().spent("k", Period.DAY), 1e-9, "the kept settlement was written");
                refusing.cacheStore().put(KEY, entry);
                assertTrue(refusing.cacheStore().get(KEY).isPresent(), "the cache again");
                assertTrue(refusing.circuits().acquire("upstream", CIRCUIT).shared(), "the circuits again");
                assertTrue(refusing.health().up());
                assertTrue(refusing.health().toJson().toString().contains("\"redis\":\"up\""));
                assertTrue(refusing.health().since().compareTo(down.since()) >= 0);
            }
        }
        assertTrue(Thread.activeCount() <= threadsBefore, "threads before " + threadsBefore + ", after " + Thread.activeCount());
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(20); // polling for a state that must come, with a deadline
        }
    }
}
