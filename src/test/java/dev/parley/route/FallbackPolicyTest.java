package dev.parley.route;

import static dev.parley.spi.Chain.Operation.CHAT;
import static dev.parley.spi.Chain.Operation.EMBED;
import static dev.parley.spi.Chain.Operation.STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException.Kind;
import dev.parley.LlmException;
import dev.parley.retry.testing.ManualPublisher;
import dev.parley.spi.CallScope;
import dev.parley.spi.Provider;
import dev.parley.support.TestSubscriber;
import dev.parley.testing.ManualTicker;
import dev.parley.testing.ScriptedProvider;

class FallbackPolicyTest {

    private static final ChatRequest REQUEST = ChatRequest.of("gpt-big", "hi");

    private static LlmException error(Kind kind, String provider) {
        return LlmException.newBuilder(kind).provider(provider).statusCode(0).build();
    }

    private static List<String> models(ScriptedProvider p) {
        return p.requests().stream().map(ChatRequest::model).toList();
    }

    @Test
    void build_withoutFallbacks_throws() {
        var e = assertThrows(IllegalArgumentException.class, () -> FallbackPolicy.newBuilder().build());
        assertEquals("fallbacks: add at least one with fallback(...) or fallbackModel(...)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FallbackPolicy.newBuilder().fallbackModel(" "));
    }

    @Test
    void chat_primaryAnswers_fallbackUntouched() {
        ScriptedProvider openai = ScriptedProvider.newBuilder("openai").reply("primary").build();
        ScriptedProvider anthropic = ScriptedProvider.newBuilder("anthropic").reply("never").build();
        Provider p = FallbackPolicy.newBuilder().fallback(anthropic).build().decorate(openai);

        ChatResponse r = p.chat(REQUEST);

        assertEquals("primary", r.text());
        assertEquals("openai", r.provider());
        assertEquals(0, anthropic.calls(CHAT));
        assertEquals("openai", p.name());
    }

    @Test
    void chat_primaryUnavailable_answerNamesTheFallbackAndItsModel() {
        ScriptedProvider openai = ScriptedProvider.newBuilder("openai").fail(error(Kind.UNAVAILABLE, "openai")).build();
        ScriptedProvider anthropic = ScriptedProvider.newBuilder("anthropic")
                .answer(r -> ChatResponse.newBuilder().provider("claimed-by-someone-else").model(r.model())
                        .text("fallback").build())
                .build();
        Provider p = FallbackPolicy.newBuilder().fallback(anthropic, "claude-haiku").build().decorate(openai);

        ChatResponse r = p.chat(REQUEST);

        assertEquals("fallback", r.text());
        assertEquals("anthropic", r.provider());
        assertEquals("claude-haiku", r.model());
    }

    @Test
    void chat_fallbacks_areTriedInOrderWithTheirModels() {
        ScriptedProvider openai = ScriptedProvider.newBuilder("openai")
                .fail(error(Kind.SERVER_ERROR, "openai")).fail(error(Kind.RATE_LIMITED, "openai")).build();
        ScriptedProvider anthropic = ScriptedProvider.newBuilder("anthropic")
                .fail(error(Kind.TIMEOUT, "anthropic")).build();
        ScriptedProvider ollama = ScriptedProvider.newBuilder("ollama").reply("local").build();
        FallbackPolicy fallback = FallbackPolicy.newBuilder()
                .fallbackModel("gpt-small").fallback(anthropic, "claude").fallback(ollama).build();

        ChatResponse r = fallback.decorate(openai).chat(REQUEST);

        assertEquals("local", r.text());
        assertEquals("ollama", r.provider());
        assertEquals(List.of("gpt-big", "gpt-small"), models(openai));
        assertEquals(List.of("claude"), models(anthropic));
        assertEquals(List.of("gpt-big"), models(ollama));
        assertEquals(List.of(new FallbackPolicy.TargetStats("openai", 1, 1),
                new FallbackPolicy.TargetStats("openai/gpt-small", 1, 1),
                new FallbackPolicy.TargetStats("anthropic/claude", 1, 1),
                new FallbackPolicy.TargetStats("ollama", 1, 0)), fallback.stats().targets());
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"INVALID_REQUEST", "AUTHENTICATION", "PERMISSION_DENIED", "NOT_FOUND",
            "QUOTA_EXCEEDED", "UNSUPPORTED", "BUDGET_EXCEEDED", "CONFIGURATION"})
    void chat_callersOwnError_isThrownWithoutFallingBack(Kind kind) {
        LlmException own = error(kind, "openai");
        ScriptedProvider openai = ScriptedProvider.newBuilder("openai").fail(own).build();
        ScriptedProvider anthropic = ScriptedProvider.newBuilder("anthropic").reply("never").build();

        LlmException e = assertThrows(LlmException.class,
                () -> FallbackPolicy.newBuilder().fallback(anthropic).build().decorate(openai).chat(REQUEST));

        assertSame(own, e);
        assertEquals(0, anthropic.calls(CHAT));
    }

    @Test
    void chat_everyTargetFails_throwsTheLastWithEarlierSuppressed() {
        LlmException first = error(Kind.UNAVAILABLE, "openai");
        LlmException last = error(Kind.NETWORK, "anthropic");
        ScriptedProvider openai = ScriptedProvider.newBuilder("openai").fail(first).build();
        ScriptedProvider anthropic = ScriptedProvider.newBuilder("anthropic").fail(last).build();

        LlmException e = assertThrows(LlmException.class,
                () -> FallbackPolicy.newBuilder().fallback(anthropic).build().decorate(openai).chat(REQUEST));

        assertSame(last, e);
        assertSame(first, e.getSuppressed()[0]);
    }

    @Test
    void chat_configuredKinds_limitWhenToFallBack() {
        ScriptedProvider openai = ScriptedProvider.newBuilder("openai")
                .fail(error(Kind.SERVER_ERROR, "openai")).build();
        ScriptedProvider anthropic = ScriptedProvider.newBuilder("anthropic").reply("never").build();
        Provider p = FallbackPolicy.newBuilder().fallback(anthropic).fallbackOn(Set.of(Kind.UNAVAILABLE))
                .build().decorate(openai);

        assertEquals(Kind.SERVER_ERROR, assertThrows(LlmException.class, () -> p.chat(REQUEST)).kind());
        assertEquals(0, anthropic.calls(CHAT));
    }

    @Test
    void chat_overallDeadlinePassed_doesNotFallBack() {
        ManualTicker time = ManualTicker.autoAdvancing();
        ScriptedProvider openai = ScriptedProvider.newBuilder("openai").answer(r -> {
            time.advance(Duration.ofSeconds(5));
            throw error(Kind.TIMEOUT, "openai");
        }).build();
        ScriptedProvider anthropic = ScriptedProvider.newBuilder("anthropic").reply("never").build();
        Provider p = FallbackPolicy.newBuilder().fallback(anthropic).ticker(time).build().decorate(openai);
        CallScope ctx = CallScope.of(time, Duration.ofSeconds(5), true);

        assertThrows(LlmException.class, () -> p.chat(REQUEST, ctx));
        assertEquals(0, anthropic.calls(CHAT));
    }

    @Test
    void stream_primaryFailsBeforeFirstChunk_fallbackStreams() {
        ScriptedProvider openai = ScriptedProvider.newBuilder("openai").fail(error(Kind.UNAVAILABLE, "openai")).build();
        ScriptedProvider anthropic = ScriptedProvider.newBuilder("anthropic")
                .chunks(List.of(ChatChunk.ofText("from "), ChatChunk.ofText("claude"))).build();
        FallbackPolicy fallback = FallbackPolicy.newBuilder().fallback(anthropic, "claude").build();

        ChatResponse r = fallback.decorate(openai).stream(REQUEST).collect();

        assertEquals("from claude", r.text());
        assertEquals(List.of("claude"), models(anthropic));
        assertEquals(List.of(new FallbackPolicy.TargetStats("openai", 1, 1),
                new FallbackPolicy.TargetStats("anthropic/claude", 1, 0)), fallback.stats().targets());
    }

    @Test
    void stream_primaryFailsAfterFirstChunk_errorPassesThrough() {
        ManualPublisher upstream = new ManualPublisher();
        ScriptedProvider openai = ScriptedProvider.newBuilder("openai").stream(r -> upstream).build();
        ScriptedProvider anthropic = ScriptedProvider.newBuilder("anthropic")
                .chunks(List.of(ChatChunk.ofText("never"))).build();
        FallbackPolicy fallback = FallbackPolicy.newBuilder().fallback(anthropic).build();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(5);
        fallback.decorate(openai).stream(REQUEST).subscribe(sub);
        upstream.awaitRequested(5);

        upstream.send("half an ans");
        LlmException cut = error(Kind.NETWORK, "openai");
        upstream.error(cut);

        assertSame(cut, sub.awaitError());
        assertEquals(1, sub.items().size());
        assertEquals(0, anthropic.calls(STREAM));
        assertEquals(new FallbackPolicy.TargetStats("openai", 1, 1), fallback.stats().targets().get(0));
    }

    @Test
    void stream_invalidRequest_doesNotFallBack() {
        LlmException invalid = error(Kind.INVALID_REQUEST, "openai");
        ScriptedProvider openai = ScriptedProvider.newBuilder("openai").fail(invalid).build();
        ScriptedProvider anthropic = ScriptedProvider.newBuilder("anthropic")
                .chunks(List.of(ChatChunk.ofText("never"))).build();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);

        FallbackPolicy.newBuilder().fallback(anthropic).build().decorate(openai).stream(REQUEST).subscribe(sub);

        assertSame(invalid, sub.awaitError());
        assertEquals(0, anthropic.calls(STREAM));
    }

    @Test
    void embed_goesToThePrimaryAlone() {
        LlmException down = error(Kind.UNAVAILABLE, "openai");
        ScriptedProvider openai = ScriptedProvider.newBuilder("openai").embed(r -> {
            throw down;
        }).build();
        ScriptedProvider other = ScriptedProvider.newBuilder("other")
                .embed(r -> new EmbeddingResponse("x", "other", List.of(), null, null)).build();
        Provider p = FallbackPolicy.newBuilder().fallback(other).build().decorate(openai);

        assertSame(down, assertThrows(LlmException.class, () -> p.embed(EmbeddingRequest.of("e", List.of("x")))));
        assertEquals(0, other.calls(EMBED));
    }
}
