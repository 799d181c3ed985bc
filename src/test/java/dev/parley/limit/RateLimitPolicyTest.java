package dev.parley.limit;

import dev.parley.testing.ManualTicker;

import static dev.parley.spi.Chain.Operation.CHAT;
import static dev.parley.spi.Chain.Operation.MODELS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ContentPart;
import dev.parley.Embedding;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.LlmTimeoutException;
import dev.parley.Message;
import dev.parley.RateLimitException;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.spi.CallScope;
import dev.parley.spi.Provider;
import dev.parley.testing.ScriptedProvider;

class RateLimitPolicyTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);
    private final ManualTicker clock = ManualTicker.autoAdvancing();
    /** What the provider answers a chat with; a test changes it before its calls. */
    private volatile Function<ChatRequest, ChatResponse> onChat =
            r -> ChatResponse.newBuilder().provider("fake").text("ok").build();
    private final ScriptedProvider fake = ScriptedProvider.newBuilder("fake").answer(r -> onChat.apply(r)).build();

    private RateLimitPolicy.Builder limits() {
        return RateLimitPolicy.newBuilder().ticker(clock);
    }

    private static ChatRequest ask(String text) {
        return ChatRequest.of("m", text);
    }

    private CallScope deadlineIn(Duration d) {
        return CallScope.of(clock, d, true);
    }

    @Test
    void requests_keptComing_passExactlyNPerWindow() {
        Provider p = limits().requestsPerWindow(5, MINUTE).build().decorate(fake);
        List<Instant> sent = new ArrayList<>();
        onChat = r -> {
            sent.add(clock.instant());
            return ChatResponse.newBuilder().provider("fake").build();
        };
        Instant start = clock.instant();
        for (int i = 0; i < 23; i++) {
            p.chat(ask("q" + i));
        }
        int[] perWindow = new int[5];
        for (Instant t : sent) {
            perWindow[(int) (Duration.between(start, t).toNanos() / MINUTE.toNanos())]++;
        }
        assertEquals(List.of(5, 5, 5, 5, 3), java.util.Arrays.stream(perWindow).boxed().toList());
        assertEquals(start, sent.get(4), "the first five go at once");
        assertEquals(start.plus(MINUTE), sent.get(5), "the sixth goes when the first leaves the window");
        assertEquals(Duration.ofMinutes(4), Duration.between(start, clock.instant()), "and nobody waits longer");
    }

    @Test
    void tokens_keptComing_passExactlyTheLimitPerWindow() {
        // Each call is estimated at 2 prompt tokens ("abcdefgh" / 4) + 98 = 100 tokens.
        Provider p = limits().tokensPerWindow(1000, MINUTE).build().decorate(fake);
        ChatRequest r = ChatRequest.newBuilder().model("m").addMessage(Message.user("abcdefgh")).maxTokens(98).build();
        Instant start = clock.instant();
        for (int i = 0; i < 10; i++) {
            p.chat(r);
        }
        assertEquals(start, clock.instant());
        p.chat(r);
        assertEquals(start.plus(MINUTE), clock.instant());
    }

    @Test
    void tokens_reservedEstimate_isSettledWithTheReportedUsage() {
        RateLimitPolicy policy = limits().tokensPerWindow(1000, MINUTE).build();
        Provider p = policy.decorate(fake);
        Lane lane = policy.limiter().lane("fake", "m");
        ChatRequest r = ChatRequest.newBuilder().model("m").addMessage(Message.user("x".repeat(40))).maxTokens(100).build();
        assertEquals(110, Limiting.estimate(r));

        onChat = req -> ChatResponse.newBuilder().provider("fake").usage(Usage.of(10, 20)).build();
        p.chat(r);
        assertEquals(970, lane.tokensAvailable(), "80 of the 110 reserved were refunded");

        onChat = req -> ChatResponse.newBuilder().provider("fake").usage(Usage.of(300, 200)).build();
        p.chat(r);
        assertEquals(470, lane.tokensAvailable(), "390 more than reserved were charged");

        onChat = req -> ChatResponse.newBuilder().provider("fake").build(); // no usage reported
        p.chat(r);
        assertEquals(360, lane.tokensAvailable(), "the estimate stands");

        clock.advance(MINUTE);
        assertEquals(1000, lane.tokensAvailable(), "all left the window");
    }

    @Test
    void tokens_callLongerThanTheWindow_isChargedWhenItEnds() {
        RateLimitPolicy policy = limits().tokensPerWindow(1000, MINUTE).build();
        Lane lane = policy.limiter().lane("fake", "m");
        onChat = req -> {
            clock.advance(Duration.ofMinutes(2));
            return ChatResponse.newBuilder().provider("fake").usage(Usage.of(400, 200)).build();
        };
        policy.decorate(fake).chat(ChatRequest.newBuilder().model("m").addMessage(Message.user("hi")).maxTokens(99).build());
        assertEquals(1000 - (600 - 100), lane.tokensAvailable());
    }

    @Test
    void tokens_requestLargerThanTheLimit_waitsForAnEmptyWindowThenGoes() {
        Provider p = limits().tokensPerWindow(100, MINUTE).build().decorate(fake);
        p.chat(ChatRequest.newBuilder().model("m").addMessage(Message.user("a")).maxTokens(10).build());
        Instant before = clock.instant();
        p.chat(ChatRequest.newBuilder().model("m").addMessage(Message.user("a")).maxTokens(5000).build());
        assertEquals(before.plus(MINUTE), clock.instant());
        assertEquals(2, fake.calls(CHAT));
    }

    @Test
    void estimate_countsPromptCharactersImagesToolsAndTheAnswer() {
        ChatRequest r = ChatRequest.newBuilder().model("m")
                .addMessage(Message.user(List.of(ContentPart.text("12345"), ContentPart.imageUrl("https://x/y.png"))))
                .addMessage(Message.assistant("", List.of(new ToolCall("id", "fn", "{}"))))
                .build();
        // 5 + 2 + 2 = 9 chars -> 3 tokens, one image, default answer
        assertEquals(3 + RateLimitPolicy.IMAGE_TOKENS + RateLimitPolicy.DEFAULT_OUTPUT_TOKENS, Limiting.estimate(r));
        assertEquals(2, Limiting.estimate(EmbeddingRequest.of("e", List.of("abc", "defgh"))));
    }

    @Test
    void deadline_tooCloseForTheWait_failsFastWithoutWaiting() {
        RateLimitPolicy policy = limits().requestsPerWindow(1, MINUTE).build();
        Provider p = policy.decorate(fake);
        p.chat(ask("first"));
        Instant before = clock.instant();
        LlmException e = assertThrows(LlmException.class,
                () -> p.chat(ask("second"), deadlineIn(Duration.ofSeconds(10))));
        assertInstanceOf(RateLimitException.class, e);
        assertEquals(LlmException.Kind.RATE_LIMITED, e.kind());
        assertFalse(e.retryable());
        assertEquals("fake: rate limit: waiting for the request limit (1 per 60.0 s) would take 60.0 s,"
                + " more than the 10.0 s left before the deadline", e.getMessage());
        assertEquals(before, clock.instant(), "no waiting");
        assertEquals(List.of(), clock.waits());
        assertEquals(1, fake.calls(CHAT));
        assertEquals(1, policy.stats().rejectedCount());
    }

    @Test
    void deadline_farEnough_waitsExactlyAsLongAsNeeded() {
        RateLimitPolicy policy = limits().requestsPerWindow(1, MINUTE).build();
        Provider p = policy.decorate(fake);
        p.chat(ask("first"));
        Instant before = clock.instant();
        p.chat(ask("second"), deadlineIn(Duration.ofMinutes(2)));
        assertEquals(before.plus(MINUTE), clock.instant());
        RateLimitStats s = policy.stats();
        assertEquals(2, s.grantedCount());
        assertEquals(Duration.ofSeconds(30), s.averageWait());
        assertEquals(0, s.waitingCount());
        assertEquals(0, s.inFlightCount());
    }

    @Test
    void deadline_passingWhileWaitingForASlot_givesUp() {
        RateLimitPolicy policy = limits().maxConcurrent(1).build();
        Provider p = policy.decorate(fake);
        onChat = r -> {
            if (r.messages().get(0).text().equals("outer")) {
                LlmException e = assertThrows(RateLimitException.class,
                        () -> p.chat(ask("inner"), deadlineIn(Duration.ofSeconds(5))));
                assertTrue(e.getMessage().contains("all 1 concurrent call slots were still busy when the deadline passed"),
                        e.getMessage());
            }
            return ChatResponse.newBuilder().provider("fake").build();
        };
        Instant before = clock.instant();
        p.chat(ask("outer"));
        assertEquals(before.plusSeconds(5), clock.instant(), "it waited until the deadline, not past it");
        assertEquals(List.of("outer"), order());
    }

    @Test
    void deadline_alreadyPassed_failsAtOnceWhenItWouldWait() {
        Provider p = limits().requestsPerWindow(1, MINUTE).build().decorate(fake);
        p.chat(ask("first"));
        CallScope past = CallScope.of(clock.instant().minusSeconds(1), true);
        assertThrows(RateLimitException.class, () -> p.chat(ask("second"), past));
    }

    @Test
    void rateLimitFromTheProvider_pausesTheLaneForItsRetryAfter() {
        RateLimitPolicy policy = limits().build();
        Provider p = policy.decorate(fake);
        LlmException tooMany = LlmException.newBuilder(LlmException.Kind.RATE_LIMITED).statusCode(429)
                .retryAfter(Duration.ofSeconds(20)).build();
        onChat = r -> {
            throw tooMany;
        };
        assertThrows(RateLimitException.class, () -> p.chat(ask("a")));
        onChat = r -> ChatResponse.newBuilder().provider("fake").build();
        LlmException e = assertThrows(RateLimitException.class,
                () -> p.chat(ask("b"), deadlineIn(Duration.ofSeconds(5))));
        assertTrue(e.getMessage().contains("the pause the provider asked for"), e.getMessage());
        Instant before = clock.instant();
        p.chat(ask("c"));
        assertEquals(before.plusSeconds(20), clock.instant());
    }

    @Test
    void rateLimitFromTheProvider_absurdRetryAfter_isCapped() {
        Provider p = limits().build().decorate(fake);
        onChat = r -> {
            throw LlmException.newBuilder(LlmException.Kind.RATE_LIMITED).retryAfter(Duration.ofDays(400)).build();
        };
        assertThrows(RateLimitException.class, () -> p.chat(ask("a")));
        onChat = r -> ChatResponse.newBuilder().provider("fake").build();
        Instant before = clock.instant();
        p.chat(ask("b"));
        assertEquals(before.plus(Duration.ofMinutes(RateLimitPolicy.MAX_PAUSE_MINUTES)), clock.instant());
    }

    @Test
    void headers_reportingFewerRemaining_tightenUntilTheReset() {
        RateLimitPolicy policy = limits().requestsPerWindow(100, MINUTE).build();
        Provider p = policy.decorate(fake);
        onChat = r -> r.messages().get(0).text().equals("report")
                ? ChatResponse.newBuilder().provider("fake").headers(headers(Map.of(
                        "x-ratelimit-remaining-requests", "2", "x-ratelimit-reset-requests", "30s"))).build()
                : ChatResponse.newBuilder().provider("fake").build();
        Instant start = clock.instant();
        p.chat(ask("report"));
        p.chat(ask("a"));
        p.chat(ask("b"));
        assertEquals(start, clock.instant(), "the two the provider has left go at once");
        assertThrows(RateLimitException.class, () -> p.chat(ask("c"), deadlineIn(Duration.ofSeconds(10))));
        p.chat(ask("d"));
        assertEquals(start.plusSeconds(30), clock.instant(), "the rest waits for the provider's reset");
        for (int i = 0; i < 96; i++) {
            p.chat(ask("e" + i));
        }
        assertEquals(start.plusSeconds(30), clock.instant(), "after the reset the local limit applies again");
    }

    @Test
    void headers_reportingMoreRemaining_neverLoosenTheLocalLimit() {
        Provider p = limits().requestsPerWindow(2, MINUTE).build().decorate(fake);
        onChat = r -> ChatResponse.newBuilder().provider("fake").headers(headers(Map.of(
                "anthropic-ratelimit-requests-remaining", "999",
                "anthropic-ratelimit-requests-reset", clock.instant().plusSeconds(1).toString()))).build();
        Instant start = clock.instant();
        p.chat(ask("a"));
        p.chat(ask("b"));
        p.chat(ask("c"));
        assertEquals(start.plus(MINUTE), clock.instant());
    }

    @Test
    void headers_anthropicTokensRemaining_tightenTheTokenWindow() {
        RateLimitPolicy policy = limits().tokensPerWindow(10_000, MINUTE).build();
        Lane lane = policy.limiter().lane("fake", "m");
        onChat = r -> ChatResponse.newBuilder().provider("fake").usage(Usage.of(50, 50)).headers(headers(Map.of(
                "anthropic-ratelimit-tokens-remaining", "1000",
                "anthropic-ratelimit-tokens-reset", clock.instant().plusSeconds(40).toString()))).build();
        policy.decorate(fake).chat(ask("a"));
        assertEquals(1000, lane.tokensAvailable());
        clock.advance(Duration.ofSeconds(40));
        assertEquals(9900, lane.tokensAvailable());
    }

    @Test
    void headers_reportingZeroWithoutALocalLimit_pauseUntilTheReset() {
        Provider p = limits().build().decorate(fake);
        onChat = r -> ChatResponse.newBuilder().provider("fake").headers(headers(Map.of(
                "x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "6m0s"))).build();
        p.chat(ask("a"));
        onChat = r -> ChatResponse.newBuilder().provider("fake").build();
        Instant before = clock.instant();
        p.chat(ask("b"));
        assertEquals(before.plus(Duration.ofMinutes(6)), clock.instant());
    }

    @Test
    void perModel_givesEachModelItsOwnLimits() {
        Provider shared = limits().requestsPerWindow(1, MINUTE).build().decorate(fake);
        shared.chat(ChatRequest.of("a", "x"));
        shared.chat(ChatRequest.of("b", "x"));
        assertEquals(MINUTE, Duration.between(ManualTicker.autoAdvancing().instant(), clock.instant()));

        ManualTicker c2 = ManualTicker.autoAdvancing();
        Provider separate = RateLimitPolicy.newBuilder().ticker(c2)
                .requestsPerWindow(1, MINUTE).perModel(true).build().decorate(fake);
        separate.chat(ChatRequest.of("a", "x"));
        separate.chat(ChatRequest.of("b", "x"));
        assertEquals(ManualTicker.autoAdvancing().instant(), c2.instant());
    }

    @Test
    void embed_isLimitedAndSettled() {
        RateLimitPolicy policy = limits().tokensPerWindow(100, MINUTE).requestsPerWindow(1, MINUTE).build();
        ScriptedProvider fake = ScriptedProvider.newBuilder("fake")
                .embed(r -> new EmbeddingResponse(r.model(), "fake", List.of(new Embedding(0, new float[] {1})),
                        Usage.of(7, 0), null))
                .build();
        Provider p = policy.decorate(fake);
        p.embed(EmbeddingRequest.of("m", List.of("x".repeat(80))));
        assertEquals(93, policy.limiter().lane("fake", "m").tokensAvailable());
        assertThrows(RateLimitException.class,
                () -> p.embed(EmbeddingRequest.of("m", List.of("y")), deadlineIn(Duration.ofSeconds(1))));
    }

    @Test
    void models_nameAndCapabilities_passThroughUnlimited() {
        Provider p = limits().requestsPerWindow(1, MINUTE).build().decorate(fake);
        p.chat(ask("a"));
        p.models();
        p.models();
        assertEquals(2, fake.calls(MODELS));
        assertEquals("fake", p.name());
        assertEquals(fake.capabilities(), p.capabilities());
    }

    @Test
    void interruptedWhileWaiting_throwsATimeoutAndKeepsTheInterrupt() {
        RateLimitPolicy policy = RateLimitPolicy.newBuilder().ticker(clock).requestsPerWindow(1, MINUTE).build();
        Provider p = policy.decorate(fake);
        p.chat(ask("a"));
        Thread.currentThread().interrupt();
        try {
            assertThrows(LlmTimeoutException.class, () -> p.chat(ask("b")));
            assertTrue(Thread.interrupted());
        } finally {
            Thread.interrupted();
        }
        assertEquals(0, policy.stats().waitingCount());
    }

    @Test
    void builder_rejectsAbsurdValues_namingTheParameter() {
        RateLimitPolicy.Builder b = RateLimitPolicy.newBuilder();
        assertEquals("requestsPerWindow must be from 1 to 1000000 requests, got 0",
                assertThrows(IllegalArgumentException.class, () -> b.requestsPerWindow(0, MINUTE)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.requestsPerWindow(-1, MINUTE));
        assertThrows(IllegalArgumentException.class, () -> b.requestsPerWindow(2_000_000, MINUTE));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.requestsPerWindow(5, Duration.ZERO))
                .getMessage().startsWith("window must be from"));
        assertThrows(IllegalArgumentException.class, () -> b.requestsPerWindow(5, Duration.ofDays(2)));
        assertThrows(IllegalArgumentException.class, () -> b.requestsPerWindow(5, Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> b.requestsPerWindow(5, null));
        assertThrows(IllegalArgumentException.class, () -> b.tokensPerWindow(0, MINUTE));
        assertThrows(IllegalArgumentException.class, () -> b.tokensPerWindow(Long.MAX_VALUE, MINUTE));
        assertEquals("maxConcurrent must be from 1 to 100000, got 0",
                assertThrows(IllegalArgumentException.class, () -> b.maxConcurrent(0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.maxConcurrent(100_001));
    }

    static HttpHeaders headers(Map<String, String> values) {
        Map<String, List<String>> map = new java.util.HashMap<>();
        values.forEach((k, v) -> map.put(k, List.of(v)));
        return HttpHeaders.of(map, (a, b) -> true);
    }

    /** {@return the last message of each chat the provider got, in the order they arrived} */
    private List<String> order() {
        return fake.requests().stream().map(r -> r.messages().getLast().text()).toList();
    }
}
