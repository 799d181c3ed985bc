package dev.parley.internal.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.internal.CircuitSharing;
import dev.parley.internal.redis.RedisCircuits.Decision;
import dev.parley.internal.redis.RedisCircuits.Outcome;
import dev.parley.internal.redis.RedisCircuits.Rules;
import dev.parley.route.CircuitBreaker;

/** Circuit-breaker state shared by two instances on a real redis-server. */
class RedisCircuitsTest {

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

    private static String name() {
        return "upstream" + ThreadLocalRandom.current().nextLong(Long.MAX_VALUE);
    }

    private static void fail(SharedState g, String name, Rules rules) {
        Decision d = g.circuits().acquire(name, rules);
        assertTrue(d.admitted() && d.shared());
        g.circuits().record(d.permit(), rules, Outcome.FAILURE);
    }

    /** Polls until the cool-down has passed and {@code g} gets a probe. */
    private static Decision awaitProbe(SharedState g, String name, Rules rules) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Decision d = g.circuits().acquire(name, rules);
            if (d.admitted()) {
                return d;
            }
            assertTrue(System.nanoTime() < deadline, "no probe after the cool-down");
            Thread.sleep(20); // polling for a state that must come, with a deadline
        }
    }

    @Test
    void failuresInARow_acrossInstances_openTheCircuitForBoth_andAProbeClosesIt() throws Exception {
        String name = name();
        Rules rules = new Rules(3, Duration.ofMillis(300), 1);
        try (SharedState a = gateway(); SharedState b = gateway()) {
            fail(a, name, rules);
            fail(b, name, rules);
            assertEquals("closed", a.circuits().state(name));
            fail(a, name, rules);
            assertEquals("open", b.circuits().state(name));
            Decision refused = b.circuits().acquire(name, rules);
            assertFalse(refused.admitted());
            assertNull(refused.permit());
            assertTrue(refused.retryAfter().compareTo(Duration.ZERO) > 0
                    && refused.retryAfter().compareTo(Duration.ofMillis(300)) <= 0, refused.retryAfter().toString());

            Decision probe = awaitProbe(a, name, rules);
            assertTrue(probe.permit().probe());
            assertFalse(b.circuits().acquire(name, rules).admitted(), "one probe across both instances");
            b.circuits().record(probe.permit(), rules, Outcome.SUCCESS);
            assertEquals("closed", a.circuits().state(name));
            assertTrue(b.circuits().acquire(name, rules).admitted());
        }
    }

    @Test
    void aFailedProbe_opensAgain_aNeutralOneGivesItsPlace_andStaleProbesAreIgnored() throws Exception {
        String name = name();
        Rules rules = new Rules(1, Duration.ofMillis(200), 1);
        try (SharedState g = gateway()) {
            fail(g, name, rules);
            Decision probe = awaitProbe(g, name, rules);
            g.circuits().record(probe.permit(), rules, Outcome.NEUTRAL);
            Decision next = g.circuits().acquire(name, rules);
            assertTrue(next.admitted() && next.permit().probe(), "the neutral probe gave its place");
            g.circuits().record(next.permit(), rules, Outcome.FAILURE);
            assertEquals("open", g.circuits().state(name));
            g.circuits().record(next.permit(), rules, Outcome.SUCCESS); // stale: already decided
            assertEquals("open", g.circuits().state(name));
        }
    }

    @Test
    void aSuccess_resetsTheCount() {
        String name = name();
        Rules rules = new Rules(3, Duration.ofMinutes(1), 1);
        try (SharedState g = gateway()) {
            fail(g, name, rules);
            fail(g, name, rules);
            Decision ok = g.circuits().acquire(name, rules);
            g.circuits().record(ok.permit(), rules, Outcome.SUCCESS);
            fail(g, name, rules);
            fail(g, name, rules);
            assertEquals("closed", g.circuits().state(name));
            fail(g, name, rules);
            assertEquals("open", g.circuits().state(name));
        }
    }

    @Test
    void recordTellsTheStateAfter_andViewReadsItOnRedissClock_changingNothing() throws Exception {
        String name = name();
        Rules rules = new Rules(2, Duration.ofMillis(300), 1);
        try (SharedState g = gateway()) {
            Decision d = g.circuits().acquire(name, rules);
            assertEquals(CircuitBreaker.State.CLOSED, g.circuits().record(d.permit(), rules, Outcome.FAILURE).state());
            d = g.circuits().acquire(name, rules);
            CircuitSharing.View opened = g.circuits().record(d.permit(), rules, Outcome.FAILURE);
            assertEquals(CircuitBreaker.State.OPEN, opened.state());
            assertTrue(opened.openFor().compareTo(Duration.ZERO) > 0 && opened.openFor().compareTo(Duration.ofMillis(300)) <= 0,
                    opened.openFor().toString());
            assertEquals(CircuitBreaker.State.OPEN, g.circuits().view(name).state());

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (g.circuits().view(name).state() != CircuitBreaker.State.HALF_OPEN) {
                assertTrue(System.nanoTime() < deadline, "half-open after the cool-down");
                Thread.sleep(20); // polling for a state that must come, with a deadline
            }
            assertEquals("open", g.circuits().state(name), "view changed nothing: the next acquire moves it");
            assertEquals(CircuitBreaker.State.CLOSED, g.circuits().view(name()).state(), "an unknown circuit is closed");
        }
        SharedState closed = gateway();
        closed.close();
        Decision untracked = closed.circuits().acquire(name, rules);
        assertFalse(untracked.shared());
        assertThrows(RedisException.class, () -> closed.circuits().view(name));
    }

    @Test
    void badRules_areRefusedClearly() {
        assertThrows(IllegalArgumentException.class, () -> new Rules(0, Duration.ofSeconds(1), 1));
        assertThrows(IllegalArgumentException.class, () -> new Rules(1, Duration.ZERO, 1));
        assertThrows(IllegalArgumentException.class, () -> new Rules(1, Duration.ofSeconds(1), 0));
    }
}
