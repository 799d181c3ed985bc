package dev.parley.testing;

import static dev.parley.spi.Chain.Operation.CHAT;
import static dev.parley.spi.Chain.Operation.EMBED;
import static dev.parley.spi.Chain.Operation.MODELS;
import static dev.parley.spi.Chain.Operation.STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.spi.CallScope;
import dev.parley.spi.Capability;
import dev.parley.support.ScriptedPublisher;
import dev.parley.support.TestSubscriber;

class ScriptedProviderTest {

    private static final ChatRequest ASK = ChatRequest.of("m", "hi");
    private static final LlmException BOOM =
            LlmException.newBuilder(LlmException.Kind.SERVER_ERROR).message("boom").build();

    @Test
    void chatAndStream_takeTheStepsOfOneScriptInTurn_andTheLastRepeats() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply("one")
                .chunks(List.of(ChatChunk.ofText("t"), ChatChunk.ofText("wo"))).fail(BOOM).reply("last").build();

        assertEquals("one", p.stream(ASK).collect().text(), "a reply streams");
        assertEquals("two", p.chat(ASK).text(), "chunks are collected for chat");
        assertSame(BOOM, assertThrows(LlmException.class, () -> p.stream(ASK).collect()));
        assertEquals("last", p.chat(ASK).text());
        assertEquals("last", p.stream(ASK).collect().text());
        assertEquals(List.of(ASK, ASK, ASK, ASK, ASK), p.requests());
        assertEquals(2, p.calls(CHAT));
        assertEquals(3, p.calls(STREAM));
    }

    @Test
    void reply_answersWithTheRequestsModelAndTheProvidersName() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply("x").build();
        var r = p.chat(ChatRequest.of("gpt-test", "hi"));
        assertEquals("gpt-test", r.model());
        assertEquals("fake", r.provider());
    }

    @Test
    void emptyScript_failsEveryCallClearly() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").build();
        LlmException e = assertThrows(LlmException.class, () -> p.chat(ASK));
        assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
        assertTrue(e.getMessage().contains("the script of this ScriptedProvider is empty"), e.getMessage());
    }

    @Test
    void streamStep_runsOnlyWhenSubscribed() {
        AtomicInteger ran = new AtomicInteger();
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").answer(r -> {
            ran.incrementAndGet();
            throw BOOM;
        }).build();

        ChatStream stream = p.stream(ASK);
        assertEquals(0, ran.get());
        assertEquals(1, p.calls(STREAM), "the call is counted when made");
        assertEquals(List.of(ASK), p.requests());
        assertSame(BOOM, assertThrows(LlmException.class, stream::collect), "what the step throws fails the stream");
        assertEquals(1, ran.get());
        assertEquals(0, p.inFlight());
    }

    @Test
    void inFlight_countsChatsUntilTheyReturn() throws Exception {
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").answer(r -> {
            entered.countDown();
            await(release);
            throw BOOM;
        }).build();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> first = threads.submit(() -> p.chat(ASK));
            Future<?> second = threads.submit(() -> p.chat(ASK));
            await(entered);
            assertEquals(2, p.inFlight());
            release.countDown();
            assertSame(BOOM, assertThrows(ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS)).getCause());
            assertSame(BOOM, assertThrows(ExecutionException.class, () -> second.get(10, TimeUnit.SECONDS)).getCause());
        }
        assertEquals(0, p.inFlight(), "a call that throws has ended too");
        assertEquals(2, p.maxInFlight());
    }

    @Test
    void inFlight_countsAStreamFromSubscriptionToItsEnd() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake")
                .stream(r -> new ScriptedPublisher(List.of(ChatChunk.ofText("a"), ChatChunk.ofText("b")), null)).build();

        ChatStream first = p.stream(ASK);
        ChatStream second = p.stream(ASK);
        assertEquals(0, p.inFlight(), "not before subscription");
        TestSubscriber<ChatChunk> cancelled = new TestSubscriber<>(1);
        first.subscribe(cancelled);
        TestSubscriber<ChatChunk> completed = new TestSubscriber<>(1);
        second.subscribe(completed);
        assertEquals(2, p.inFlight());
        cancelled.cancel();
        assertEquals(1, p.inFlight(), "a cancelled stream has ended");
        completed.request(10);
        completed.awaitCompletion();
        assertEquals(0, p.inFlight(), "a completed stream has ended");
        assertEquals(2, p.maxInFlight());
    }

    @Test
    void scopes_recordWhatEachCallCameWith() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply("x").build();
        CallScope scope = CallScope.of(Instant.now().plusSeconds(60), false);
        p.chat(ASK);
        p.chat(ASK, scope);
        p.stream(ASK, scope);
        p.embed(EmbeddingRequest.of("e", List.of("a")), scope);
        p.models(scope);
        assertEquals(List.of(CallScope.none(), scope, scope, scope, scope), p.scopes());
    }

    @Test
    void embedAndModels_followTheirOwnScripts() {
        EmbeddingResponse empty = new EmbeddingResponse("e", "fake", List.of(), null, null);
        List<ModelInfo> models = List.of(new ModelInfo("m1", null, 0, null));
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply("x")
                .embed(r -> {
                    throw BOOM;
                }).embed(r -> empty)
                .models(() -> {
                    throw BOOM;
                }).models(models).build();
        EmbeddingRequest request = EmbeddingRequest.of("e", List.of("a"));

        assertSame(BOOM, assertThrows(LlmException.class, () -> p.embed(request)));
        assertSame(empty, p.embed(request));
        assertSame(empty, p.embed(request));
        assertSame(BOOM, assertThrows(LlmException.class, p::models));
        assertEquals(models, p.models());
        assertEquals(3, p.calls(EMBED));
        assertEquals(2, p.calls(MODELS));
        assertEquals(0, p.calls(CHAT));
        assertEquals(List.of(request, request, request), p.embeddingRequests());
    }

    @Test
    void embedAndModels_withoutAScript_makeVectorsUpAndListNothing() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").dimensions(4).build();
        EmbeddingResponse r = p.embed(EmbeddingRequest.of("e", List.of("a", "a")));
        assertEquals(4, r.vector(0).length);
        assertEquals(List.of(), p.models());
    }

    @Test
    void missingCapability_isRefusedAndNotCounted() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake")
                .capabilities(Set.of(Capability.CHAT)).reply("x").build();
        assertEquals(LlmException.Kind.UNSUPPORTED, assertThrows(LlmException.class, () -> p.stream(ASK)).kind());
        assertThrows(LlmException.class, () -> p.embed(EmbeddingRequest.of("e", List.of("a"))));
        assertEquals(0, p.calls(STREAM));
        assertEquals(0, p.calls(EMBED));
        assertEquals(List.of(), p.requests());
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS), "latch timed out");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
