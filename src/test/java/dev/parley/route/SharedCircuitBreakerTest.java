package dev.parley.route;

import static dev.parley.route.CircuitBreakerTest.REQUEST;
import static dev.parley.route.CircuitBreakerTest.error;
import static dev.parley.spi.Chain.Operation.CHAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.internal.CircuitSharing;
import dev.parley.internal.CircuitSharing.Decision;
import dev.parley.internal.CircuitSharing.Outcome;
import dev.parley.internal.CircuitSharing.View;
import dev.parley.spi.Provider;
import dev.parley.testing.ManualTicker;
import dev.parley.testing.ScriptedProvider;

/**
 * A breaker whose state a shared store keeps (the gateway's Redis): the store decides while it
 * answers and the breaker follows it; while it cannot, the breaker decides alone from the state
 * it last saw. The store here is a test double; the gateway's tests run the real one on Redis.
 */
class SharedCircuitBreakerTest {

    private static final View CLOSED = new View(CircuitBreaker.State.CLOSED, Duration.ZERO);

    private final ManualTicker time = ManualTicker.autoAdvancing();

    /** A store scripted by the test: what acquire and record answer (null: it cannot answer). */
    private static final class Store implements CircuitSharing.Store {
        volatile Decision next = new Decision(true, false, CLOSED, "ticket");
        volatile View afterRecord = CLOSED;
        final List<Outcome> recorded = new CopyOnWriteArrayList<>();
        int acquires;

        @Override
        public String name() {
            return "smart";
        }

        @Override
        public Decision acquire() {
            acquires++;
            return next;
        }

        @Override
        public View record(Decision admitted, Outcome outcome) {
            assertEquals("ticket", admitted.ticket(), "the ticket of the decision that let the call through");
            if (afterRecord != null) {
                recorded.add(outcome);
            }
            return afterRecord;
        }

        @Override
        public View view() {
            return next == null ? null : next.view();
        }
    }

    private CircuitBreaker shared(Store store) {
        CircuitBreaker cb = CircuitBreaker.newBuilder().ticker(time).failureThreshold(3).coolDown(Duration.ofSeconds(30)).build();
        assertTrue(CircuitSharing.share(cb, null, store));
        return cb;
    }

    private static void callIgnoringErrors(Provider p, int times) {
        for (int i = 0; i < times; i++) {
            try {
                p.chat(REQUEST);
            } catch (LlmException ignored) {
                // counted by the breaker
            }
        }
    }

    @Test
    void whileTheStoreAnswers_itDecides_andEveryOutcomeIsRecordedThere() {
        Store store = new Store();
        CircuitBreaker cb = shared(store);
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").fail(error(Kind.UNAVAILABLE, 503)).build();

        callIgnoringErrors(cb.decorate(delegate), 5);

        assertEquals(5, delegate.calls(CHAT), "five failures in a row, over the threshold of 3: the store said closed");
        assertEquals(List.of(Outcome.FAILURE, Outcome.FAILURE, Outcome.FAILURE, Outcome.FAILURE, Outcome.FAILURE), store.recorded);
        assertEquals(CircuitBreaker.State.CLOSED, cb.state());
    }

    @Test
    void aCircuitTheStoreHoldsOpen_refusesAtOnce_withTheStoresTimeLeft() {
        Store store = new Store();
        store.next = new Decision(false, false, new View(CircuitBreaker.State.OPEN, Duration.ofSeconds(12)), null);
        CircuitBreaker cb = shared(store);
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").reply("ok").build();

        LlmException e = assertThrows(LlmException.class, () -> cb.decorate(delegate).chat(REQUEST));

        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("circuit open until") && e.getMessage().contains("counted across the instances sharing it"),
                e.getMessage());
        assertEquals(Duration.ofSeconds(12), e.retryAfter());
        assertEquals(0, delegate.calls(CHAT));
        CircuitBreaker.Stats s = cb.stats();
        assertEquals(CircuitBreaker.State.OPEN, s.state(), "it follows the store");
        assertEquals(1, s.opened());
        assertEquals(1, s.rejected());

        store.next = new Decision(false, false, new View(CircuitBreaker.State.HALF_OPEN, Duration.ZERO), null);
        LlmException half = assertThrows(LlmException.class, () -> cb.decorate(delegate).chat(REQUEST));
        assertTrue(half.getMessage().contains("half-open") && half.getMessage().contains("another"), half.getMessage());
        assertNull(half.retryAfter());
        assertEquals(0, delegate.calls(CHAT));
    }

    @Test
    void whenTheStoreCannotAnswer_theBreakerDecidesFromTheStateItLastSaw() {
        Store store = new Store();
        store.next = new Decision(false, false, new View(CircuitBreaker.State.OPEN, Duration.ofSeconds(20)), null);
        CircuitBreaker cb = shared(store);
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").reply("back").build();
        Provider p = cb.decorate(delegate);
        callIgnoringErrors(p, 1);

        store.next = null; // down
        time.advance(Duration.ofSeconds(10));
        LlmException e = assertThrows(LlmException.class, () -> p.chat(REQUEST));
        assertFalse(e.getMessage().contains("across"), "decided here: " + e.getMessage());
        assertEquals(Duration.ofSeconds(10), e.retryAfter());
        assertEquals(0, delegate.calls(CHAT));

        time.advance(Duration.ofSeconds(10));
        assertEquals("back", p.chat(REQUEST).text(), "its own probe, after the cool-down it saw");
        assertEquals(CircuitBreaker.State.CLOSED, cb.state());
        assertTrue(store.recorded.isEmpty(), "a call the store did not let through is not recorded there");
    }

    @Test
    void whenTheStoreCannotRecord_theOutcomeCountsHere_andOpensTheCircuitWhileTheStoreIsDown() {
        Store store = new Store();
        store.afterRecord = null; // admits, then goes down before it records
        CircuitBreaker cb = shared(store);
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").fail(error(Kind.SERVER_ERROR, 500)).build();
        Provider p = cb.decorate(delegate);

        callIgnoringErrors(p, 3);
        assertEquals(CircuitBreaker.State.OPEN, cb.state(), "three failures the store could not record, counted here");

        store.next = null;
        assertEquals(Kind.UNAVAILABLE, assertThrows(LlmException.class, () -> p.chat(REQUEST)).kind());
        assertEquals(3, delegate.calls(CHAT), "refused here without a call");
    }

    @Test
    void aProbeTheStoreAdmits_andItsOutcome_areFollowed() {
        Store store = new Store();
        store.next = new Decision(true, true, new View(CircuitBreaker.State.HALF_OPEN, Duration.ZERO), "ticket");
        store.afterRecord = new View(CircuitBreaker.State.OPEN, Duration.ofSeconds(30));
        CircuitBreaker cb = shared(store);
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").fail(error(Kind.TIMEOUT, 0)).build();

        callIgnoringErrors(cb.decorate(delegate), 1);

        assertEquals(List.of(Outcome.FAILURE), store.recorded);
        CircuitBreaker.Stats s = cb.stats();
        assertEquals(CircuitBreaker.State.OPEN, s.state(), "the state the store reported after the failed probe");
        assertEquals(1, s.halfOpened());
        assertEquals(1, s.opened());
    }

    @Test
    void sharingIsSetAndUndoneOnlyByWhoeverHoldsIt_andTheRulesAreTheBreakers() {
        Store mine = new Store();
        Store theirs = new Store();
        CircuitBreaker cb = CircuitBreaker.newBuilder().failureThreshold(7).coolDown(Duration.ofSeconds(9)).halfOpenProbes(2).build();

        assertEquals(new CircuitSharing.Rules(7, Duration.ofSeconds(9), 2), CircuitSharing.rules(cb));
        assertTrue(CircuitSharing.share(cb, null, mine));
        assertFalse(CircuitSharing.share(cb, null, theirs), "already shared");
        assertFalse(CircuitSharing.share(cb, theirs, null), "not theirs to undo");
        assertSame(mine, CircuitSharing.store(cb));
        assertTrue(CircuitSharing.share(cb, mine, null));
        assertNull(CircuitSharing.store(cb));

        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").reply("ok").build();
        assertEquals("ok", cb.decorate(delegate).chat(REQUEST).text());
        assertEquals(0, mine.acquires, "no longer asked");
    }
}
