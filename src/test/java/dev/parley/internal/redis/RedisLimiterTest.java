package dev.parley.internal.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
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

import dev.parley.internal.redis.RedisLimiter.Decision;
import dev.parley.internal.redis.RedisLimiter.Lease;
import dev.parley.internal.redis.RedisLimiter.Need;

/** Shared sliding-window limits against a real redis-server. */
class RedisLimiterTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);
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

    /** Two gateways (two pools, as two processes would have) race on one key: 60 admitted, not one more. */
    @Test
    void twoInstances_admitAtMostTheLimitInTotal() throws Exception {
        String key = key();
        List<Need> rpm = List.of(new Need("requests", 60, MINUTE, 1));
        AtomicLong admitted = new AtomicLong();
        AtomicLong refusedWithRetry = new AtomicLong();
        try (SharedState a = gateway(); SharedState b = gateway();
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                SharedState g = i % 2 == 0 ? a : b;
                all.add(threads.submit(() -> {
                    Decision d = g.limiter().acquire(key, rpm);
                    assertTrue(d.shared());
                    if (d.admitted()) {
                        admitted.incrementAndGet();
                    } else if (d.retryAfter().compareTo(Duration.ZERO) > 0 && d.retryAfter().compareTo(MINUTE) <= 0) {
                        refusedWithRetry.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : all) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(60, admitted.get());
            assertEquals(140, refusedWithRetry.get());
            assertEquals(0, a.health().limitFallbacks() + b.health().limitFallbacks());
        }
    }

    @Test
    void weightedAmounts_neverExceedTheLimit_andOneHugeCallGoesIntoAnEmptyWindow() throws Exception {
        String key = key();
        AtomicLong taken = new AtomicLong();
        try (SharedState a = gateway(); SharedState b = gateway();
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                SharedState g = i % 2 == 0 ? a : b;
                long amount = 1 + i % 97;
                all.add(threads.submit(() -> {
                    if (g.limiter().acquire(key, List.of(new Need("tokens", 1000, MINUTE, amount))).admitted()) {
                        taken.addAndGet(amount);
                    }
                }));
            }
            for (Future<?> f : all) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertTrue(taken.get() <= 1000 && taken.get() > 900, "taken " + taken.get());
            String fresh = key();
            assertTrue(a.limiter().acquire(fresh, List.of(new Need("tokens", 1000, MINUTE, 5000))).admitted());
            Decision after = a.limiter().acquire(fresh, List.of(new Need("tokens", 1000, MINUTE, 1)));
            assertFalse(after.admitted());
            assertEquals(List.of(0L), after.remaining());
        }
    }

    @Test
    void allWindowsOrNone_andAdjustRefunds() {
        String key = key();
        try (SharedState g = gateway()) {
            Need req = new Need("requests", 10, MINUTE, 1);
            Decision first = g.limiter().acquire(key, List.of(req, new Need("tokens", 100, MINUTE, 80)));
            assertTrue(first.admitted());
            assertEquals(List.of(9L, 20L), first.remaining());
            Decision tooBig = g.limiter().acquire(key, List.of(req, new Need("tokens", 100, MINUTE, 30)));
            assertFalse(tooBig.admitted());
            assertEquals(List.of(9L, 20L), tooBig.remaining(), "a refused call takes from no window");
            g.limiter().adjust(first.grant(), "tokens", -60); // used 20 of the 80 estimated
            Decision fits = g.limiter().acquire(key, List.of(req, new Need("tokens", 100, MINUTE, 30)));
            assertTrue(fits.admitted());
            assertEquals(List.of(8L, 50L), fits.remaining());
            assertThrows(IllegalArgumentException.class, () -> g.limiter().adjust(fits.grant(), "nope", 1));
        }
    }

    @Test
    void theWindowSlides_andRetryAfterSaysWhen() throws Exception {
        String key = key();
        Need need = new Need("requests", 2, Duration.ofMillis(300), 1);
        try (SharedState g = gateway()) {
            assertTrue(g.limiter().acquire(key, List.of(need)).admitted());
            assertTrue(g.limiter().acquire(key, List.of(need)).admitted());
            Decision refused = g.limiter().acquire(key, List.of(need));
            assertFalse(refused.admitted());
            assertTrue(refused.retryAfter().compareTo(Duration.ofMillis(300)) <= 0, refused.retryAfter().toString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            boolean again = false;
            while (!again && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling for a state that must come, with a deadline
                again = g.limiter().acquire(key, List.of(need)).admitted();
            }
            assertTrue(again, "the window slid and admitted again");
        }
    }

    @Test
    void badArguments_areRefusedClearly() {
        try (SharedState g = gateway()) {
            assertThrows(IllegalArgumentException.class, () -> new Need("requests", 0, MINUTE, 1));
            assertThrows(IllegalArgumentException.class, () -> new Need("a b", 1, MINUTE, 1));
            assertThrows(IllegalArgumentException.class, () -> new Need("r", 1, Duration.ZERO, 1));
            assertThrows(IllegalArgumentException.class, () -> g.limiter().acquire("{x}", List.of(new Need("r", 1, MINUTE, 1))));
            assertThrows(IllegalArgumentException.class, () -> g.limiter().acquire("x", List.of()));
            assertThrows(IllegalArgumentException.class, () -> new Lease(0, MINUTE));
            assertThrows(IllegalArgumentException.class, () -> new Lease(1, Duration.ZERO));
        }
    }

    /** Two gateways race for 5 slots of calls at once: 5 admitted, not one more; each refusal says so. */
    @Test
    void leases_capCallsAtOnceAcrossInstances() throws Exception {
        String key = key();
        Lease five = new Lease(5, MINUTE);
        AtomicLong admitted = new AtomicLong();
        AtomicLong refusedForConcurrency = new AtomicLong();
        List<RedisLimiter.Grant> grants = java.util.Collections.synchronizedList(new ArrayList<>());
        try (SharedState a = gateway(); SharedState b = gateway();
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                SharedState g = i % 2 == 0 ? a : b;
                all.add(threads.submit(() -> {
                    Decision d = g.limiter().acquire(key, List.of(new Need("requests", 1000, MINUTE, 1)), five);
                    assertTrue(d.shared());
                    if (d.admitted()) {
                        admitted.incrementAndGet();
                        grants.add(d.grant());
                    } else if (d.leaseRefused() && d.retryAfter().compareTo(Duration.ZERO) > 0) {
                        refusedForConcurrency.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : all) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(5, admitted.get());
            assertEquals(45, refusedForConcurrency.get());
            assertEquals("5", server.raw("ZCARD", "parley:lease:{" + key + "}"));

            a.limiter().release(grants.get(0), null, 0);
            Decision next = b.limiter().acquire(key, List.of(), five);
            assertTrue(next.admitted(), "a released lease frees its slot for every instance");
            assertFalse(b.limiter().acquire(key, List.of(), five).admitted());
            assertEquals(List.of(), next.remaining());
        }
    }

    /** A lease that is never released (its instance died) expires on Redis's clock; one that is renewed does not. */
    @Test
    void leasesOfACrashedInstanceExpire_renewedOnesAreExtended() throws Exception {
        String key = key();
        try (SharedState crashed = gateway(); SharedState alive = gateway()) {
            assertTrue(crashed.limiter().acquire(key, List.of(), new Lease(1, Duration.ofMillis(300))).admitted());
            Decision refused = alive.limiter().acquire(key, List.of(), new Lease(1, Duration.ofMillis(300)));
            assertFalse(refused.admitted());
            assertTrue(refused.leaseRefused());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Decision later;
            do {
                assertTrue(System.nanoTime() < deadline, "the dead instance's lease never expired");
                Thread.sleep(20); // polling Redis's clock until the lease's expiry, with a deadline
                later = alive.limiter().acquire(key, List.of(), new Lease(1, MINUTE));
            } while (!later.admitted());

            String leases = "parley:lease:{" + key + "}";
            String member = server.raw("ZRANGE", leases, "0", "0");
            double before = Double.parseDouble(server.raw("ZSCORE", leases, firstLine(member)));
            alive.limiter().renew(List.of(later.grant()));
            double after = Double.parseDouble(server.raw("ZSCORE", leases, firstLine(member)));
            assertTrue(after > before, "renewing moves the expiry on: " + before + " -> " + after);
            alive.limiter().release(later.grant(), null, 0);
            assertEquals("0", server.raw("ZCARD", leases));
        }
    }

    private static String firstLine(String rawList) {
        // RedisServer.raw prints a list reply as [member]; one member here
        return rawList.startsWith("[") ? rawList.substring(1, rawList.length() - 1) : rawList;
    }

    /** With Redis unreachable, each instance holds at most the concurrency limit divided by the instances. */
    @Test
    void leasesFallBackToTheLimitDividedByTheInstances_whileRedisIsDown() throws Exception {
        int nothingThere = RedisServer.freePort();
        RedisSettings down = RedisSettings.newBuilder().url("redis://127.0.0.1:" + nothingThere).instances(2)
                .commandTimeout(Duration.ofMillis(300)).build();
        try (SharedState g = SharedState.open(down)) {
            Lease four = new Lease(4, MINUTE);
            Decision one = g.limiter().acquire("k", List.of(), four);
            Decision two = g.limiter().acquire("k", List.of(), four);
            Decision three = g.limiter().acquire("k", List.of(), four);
            assertTrue(one.admitted() && two.admitted() && !one.shared());
            assertFalse(three.admitted());
            assertTrue(three.leaseRefused());
            g.limiter().release(one.grant(), null, 0);
            g.limiter().release(one.grant(), null, 0); // twice frees one slot only
            assertTrue(g.limiter().acquire("k", List.of(), four).admitted());
            assertFalse(g.limiter().acquire("k", List.of(), four).admitted());
            assertTrue(g.health().limitFallbacks() >= 5);
        }
    }
}
