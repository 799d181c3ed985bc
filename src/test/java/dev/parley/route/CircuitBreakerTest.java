package dev.parley.route;

import static dev.parley.spi.Chain.Operation.CHAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.LlmException.Kind;
import dev.parley.LlmException;
import dev.parley.retry.testing.ManualPublisher;
import dev.parley.spi.Provider;
import dev.parley.support.TestSubscriber;
import dev.parley.testing.ManualTicker;
import dev.parley.testing.ScriptedProvider;
import java.util.Set;

class CircuitBreakerTest {

    static final ChatRequest REQUEST = ChatRequest.of("gpt-test", "hi");

    private final ManualTicker time = ManualTicker.autoAdvancing();

    private CircuitBreaker.Builder breaker() {
        return CircuitBreaker.newBuilder().ticker(time).failureThreshold(3).coolDown(Duration.ofSeconds(30));
    }

    static LlmException error(Kind kind, int status) {
        return LlmException.newBuilder(kind).provider("openai").statusCode(status).build();
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
    void builder_outOfRangeValues_throwNamingParameterAndRange() {
        var e = assertThrows(IllegalArgumentException.class, () -> CircuitBreaker.newBuilder().failureThreshold(0));
        assertEquals("failureThreshold must be from 1 to 1000, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CircuitBreaker.newBuilder().halfOpenProbes(101));
        assertThrows(IllegalArgumentException.class, () -> CircuitBreaker.newBuilder().coolDown(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> CircuitBreaker.newBuilder().failureKinds(java.util.Set.of()));
    }

    @Test
    void closed_thresholdOfFailuresInARow_opensCircuit() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .fail(error(Kind.UNAVAILABLE, 503)).fail(error(Kind.SERVER_ERROR, 500)).reply("ok")
                .fail(error(Kind.TIMEOUT, 0)).fail(error(Kind.NETWORK, 0)).fail(error(Kind.UNAVAILABLE, 529)).build();
        CircuitBreaker cb = breaker().build();
        Provider p = cb.decorate(delegate);

        callIgnoringErrors(p, 3); // two failures, then a success resets the count
        assertEquals(CircuitBreaker.State.CLOSED, cb.state());
        callIgnoringErrors(p, 2);
        assertEquals(CircuitBreaker.State.CLOSED, cb.state());
        callIgnoringErrors(p, 1);

        assertEquals(CircuitBreaker.State.OPEN, cb.state());
        assertEquals(new CircuitBreaker.Stats(CircuitBreaker.State.OPEN, 1, 0, 0, 0, 1, 5), cb.stats());
    }

    @Test
    void closed_clientErrors_doNotCountAndResetTheStreak() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .fail(error(Kind.UNAVAILABLE, 503)).fail(error(Kind.UNAVAILABLE, 503))
                .fail(error(Kind.INVALID_REQUEST, 400)).fail(error(Kind.UNAVAILABLE, 503))
                .fail(error(Kind.UNAVAILABLE, 503)).fail(error(Kind.AUTHENTICATION, 401)).build();
        CircuitBreaker cb = breaker().build();

        callIgnoringErrors(cb.decorate(delegate), 10);

        assertEquals(CircuitBreaker.State.CLOSED, cb.state());
    }

    @Test
    void open_callsFailAtOnceWithoutTouchingTheDelegate() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").fail(error(Kind.UNAVAILABLE, 503)).build();
        CircuitBreaker cb = breaker().build();
        Provider p = cb.decorate(delegate);
        callIgnoringErrors(p, 3);
        time.advance(Duration.ofSeconds(10));

        LlmException e = assertThrows(LlmException.class, () -> p.chat(REQUEST));
        assertEquals(Kind.UNAVAILABLE, e.kind());

        assertEquals("openai: circuit open until 2025-01-01T00:00:30Z after 3 failure(s) in a row; the call was not sent",
                e.getMessage());
        assertEquals("openai", e.provider());
        assertEquals(Duration.ofSeconds(20), e.retryAfter());
        assertEquals(3, delegate.calls(CHAT));
        assertEquals(Kind.UNAVAILABLE, assertThrows(LlmException.class, () -> p.embed(dev.parley.EmbeddingRequest.of("e", List.of("x")))).kind());
        assertEquals(Kind.UNAVAILABLE, assertThrows(LlmException.class, p::models).kind());
        assertEquals(3, cb.stats().rejected());
    }

    @Test
    void afterCoolDown_halfOpenProbeSuccess_closesCircuit() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").fail(error(Kind.UNAVAILABLE, 503))
                .fail(error(Kind.UNAVAILABLE, 503)).fail(error(Kind.UNAVAILABLE, 503)).reply("back").build();
        CircuitBreaker cb = breaker().build();
        Provider p = cb.decorate(delegate);
        callIgnoringErrors(p, 3);

        time.advance(Duration.ofSeconds(29));
        assertEquals(CircuitBreaker.State.OPEN, cb.state());
        time.advance(Duration.ofSeconds(1));
        assertEquals(CircuitBreaker.State.HALF_OPEN, cb.state());
        assertEquals("back", p.chat(REQUEST).text());

        assertEquals(new CircuitBreaker.Stats(CircuitBreaker.State.CLOSED, 1, 1, 1, 0, 1, 3), cb.stats());
    }

    @Test
    void halfOpen_probeFailure_reopensForAnotherCoolDown() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").fail(error(Kind.SERVER_ERROR, 500)).build();
        CircuitBreaker cb = breaker().build();
        Provider p = cb.decorate(delegate);
        callIgnoringErrors(p, 3);
        time.advance(Duration.ofSeconds(30));

        assertThrows(LlmException.class, () -> p.chat(REQUEST)); // the probe fails

        assertEquals(CircuitBreaker.State.OPEN, cb.state());
        LlmException e = assertThrows(LlmException.class, () -> p.chat(REQUEST));
        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("until 2025-01-01T00:01:00Z"), e.getMessage());
        assertEquals(4, delegate.calls(CHAT));
        CircuitBreaker.Stats stats = cb.stats();
        assertEquals(2, stats.opened());
        assertEquals(1, stats.halfOpened());
        assertEquals(0, stats.closed());
    }

    @Test
    void halfOpen_probeEndingWithoutVerdict_freesItsPlace() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .fail(error(Kind.UNAVAILABLE, 503)).fail(error(Kind.UNAVAILABLE, 503))
                .fail(error(Kind.UNAVAILABLE, 503))
                .answer(r -> {
                    throw new IllegalStateException("a bug, not the provider's failure");
                })
                .reply("ok").build();
        CircuitBreaker cb = breaker().build();
        Provider p = cb.decorate(delegate);
        callIgnoringErrors(p, 3);
        time.advance(Duration.ofSeconds(30));

        assertThrows(IllegalStateException.class, () -> p.chat(REQUEST));
        assertEquals(CircuitBreaker.State.HALF_OPEN, cb.state());
        assertEquals("ok", p.chat(REQUEST).text());
        assertEquals(CircuitBreaker.State.CLOSED, cb.state());
    }

    @Test
    void halfOpen_thousandConcurrentCallers_admitsExactlyTheConfiguredProbes() throws Exception {
        int probes = 3;
        int callers = 1000;
        CountDownLatch settled = new CountDownLatch(callers);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger entered = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .fail(error(Kind.UNAVAILABLE, 503)).fail(error(Kind.UNAVAILABLE, 503))
                .fail(error(Kind.UNAVAILABLE, 503))
                .answer(r -> {
                    entered.incrementAndGet();
                    settled.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    return ChatResponse.newBuilder().provider("openai").model(r.model()).text("probe ok").build();
                }).build();
        CircuitBreaker cb = breaker().halfOpenProbes(probes).build();
        Provider p = cb.decorate(delegate);
        callIgnoringErrors(p, 3);
        time.advance(Duration.ofSeconds(30));

        List<Thread> threads = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int i = 0; i < callers; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    start.await();
                    p.chat(REQUEST);
                    answered.incrementAndGet();
                } catch (LlmException e) {
                    if (e.kind() != Kind.UNAVAILABLE) {
                        throw e;
                    }
                    rejected.incrementAndGet();
                    settled.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        start.countDown();
        if (!settled.await(10, TimeUnit.SECONDS)) {
            fail("callers did not settle: entered " + entered + ", rejected " + rejected);
        }
        assertEquals(probes, entered.get());
        assertEquals(callers - probes, rejected.get());
        assertEquals(CircuitBreaker.State.HALF_OPEN, cb.state());

        release.countDown();
        for (Thread t : threads) {
            assertTrue(t.join(Duration.ofSeconds(10)));
        }
        assertEquals(probes, answered.get());
        assertEquals(CircuitBreaker.State.CLOSED, cb.state());
        CircuitBreaker.Stats stats = cb.stats();
        assertEquals(callers - probes, stats.rejected());
        assertEquals(1, stats.closed());
        assertEquals(3 + probes, delegate.calls(CHAT));
    }

    @Test
    void stream_whileOpen_failsOnSubscribeWithoutSubscribingToTheDelegate() {
        ManualPublisher upstream = new ManualPublisher();
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").fail(error(Kind.UNAVAILABLE, 503))
                .stream(r -> upstream).build();
        CircuitBreaker cb = breaker().failureThreshold(1).build();
        Provider p = cb.decorate(delegate);
        callIgnoringErrors(p, 1);

        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        p.stream(REQUEST).subscribe(sub);

        assertEquals(Kind.UNAVAILABLE, assertInstanceOf(LlmException.class, sub.awaitError()).kind());
        assertEquals(0, upstream.subscribes.get());
    }

    @Test
    void stream_outcomes_moveTheCircuit() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .fail(error(Kind.UNAVAILABLE, 503)).chunks(List.of(ChatChunk.ofText("a"), ChatChunk.ofText("b")))
                .build();
        CircuitBreaker cb = breaker().failureThreshold(1).build();
        Provider p = cb.decorate(delegate);

        TestSubscriber<ChatChunk> failed = new TestSubscriber<>(1);
        p.stream(REQUEST).subscribe(failed);
        failed.awaitError();
        assertEquals(CircuitBreaker.State.OPEN, cb.state());

        time.advance(Duration.ofSeconds(30));
        assertEquals("ab", p.stream(REQUEST).collect().text());
        assertEquals(CircuitBreaker.State.CLOSED, cb.state());
    }

    @Test
    void stream_probeCancelled_freesItsPlace() {
        ManualPublisher upstream = new ManualPublisher();
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .fail(error(Kind.UNAVAILABLE, 503)).stream(r -> upstream).chunks(List.of(ChatChunk.ofText("ok")))
                .build();
        CircuitBreaker cb = breaker().failureThreshold(1).build();
        Provider p = cb.decorate(delegate);
        p.stream(REQUEST).subscribe(new TestSubscriber<>(1));
        time.advance(Duration.ofSeconds(30));

        TestSubscriber<ChatChunk> probe = new TestSubscriber<>(1);
        p.stream(REQUEST).subscribe(probe);
        upstream.awaitRequested(1);
        probe.cancel();
        upstream.awaitCancelled();

        assertEquals(CircuitBreaker.State.HALF_OPEN, cb.state());
        assertEquals("ok", p.stream(REQUEST).collect().text());
        assertEquals(CircuitBreaker.State.CLOSED, cb.state());
    }
}
