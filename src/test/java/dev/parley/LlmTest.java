package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.retry.RetryPolicy;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;
import dev.parley.testing.ScriptedProvider;

class LlmTest {

    private static ScriptedProvider fake(String... replies) {
        ScriptedProvider.Builder b = ScriptedProvider.newBuilder("fake");
        for (String r : replies) {
            b.reply(r);
        }
        return b.build();
    }

    @Test
    void chat_oneLiner_usesDefaults() {
        ScriptedProvider p = fake("Paris");
        Llm llm = Llm.newBuilder().provider(p).defaultModel("m1").defaultMaxTokens(50).defaultTemperature(0.3).build();
        assertEquals("Paris", llm.chat("Capital of France?").text());
        ChatRequest sent = p.requests().get(0);
        assertEquals("m1", sent.model());
        assertEquals(50, sent.maxTokens());
        assertEquals(0.3, sent.temperature());
        assertEquals("Capital of France?", sent.messages().get(0).text());
    }

    @Test
    void stream_oneLiner_deliversChunksAndCollects() {
        Llm llm = Llm.newBuilder().provider(fake("Once upon a time")).defaultModel("m").build();
        StringBuilder sb = new StringBuilder();
        try (ChatStream s = llm.stream("story")) {
            for (ChatChunk c : s) {
                sb.append(c.textDelta());
            }
        }
        assertEquals("Once upon a time", sb.toString());
        assertEquals("Once upon a time", llm.stream("again").collect().text());
    }

    @Test
    void customOptions_reachTheProvider() {
        ScriptedProvider p = fake("ok");
        Llm llm = Llm.newBuilder().provider(p).defaultModel("m").build();
        llm.chat(ChatRequest.newBuilder().model("other").addMessage(Message.system("be brief"))
                .addMessage(Message.user("hi")).temperature(1.5).topP(0.9).stop(List.of("END")).seed(7).build());
        ChatRequest sent = p.requests().get(0);
        assertEquals("other", sent.model());
        assertEquals(1.5, sent.temperature());
        assertEquals(List.of("END"), sent.stop());
        assertEquals(7L, sent.seed());
    }

    @Test
    void validation_failsBeforeAnyCall() {
        ScriptedProvider p = fake("never");
        Llm llm = Llm.newBuilder().provider(p).build();
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> llm.chat("no model set"));
        assertTrue(e.getMessage().contains("model"), e.getMessage());

        Llm withModel = Llm.newBuilder().provider(p).defaultModel("m").build();
        ChatRequest orphan = ChatRequest.newBuilder().addMessage(Message.user("hi"))
                .addMessage(Message.tool("call_1", "42")).build();
        e = assertThrows(InvalidRequestException.class, () -> withModel.chat(orphan));
        assertEquals("fake: messages[1].toolCallId: call_1 answers no earlier tool call", e.getMessage());

        ChatRequest unanswered = ChatRequest.newBuilder().addMessage(Message.user("hi"))
                .addMessage(Message.assistant("", List.of(new ToolCall("call_1", "f", "{}"))))
                .addMessage(Message.user("and?")).build();
        e = assertThrows(InvalidRequestException.class, () -> withModel.chat(unanswered));
        assertTrue(e.getMessage().contains("messages[1].toolCalls: tool call call_1 has no tool result"), e.getMessage());
        assertEquals(0, p.requests().size());
    }

    @Test
    void unsupportedCapability_failsBeforeAnyCall() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake")
                .reply("x").capabilities(Set.of(Capability.CHAT)).build();
        Llm llm = Llm.newBuilder().provider(p).defaultModel("m").build();
        assertThrows(UnsupportedCapabilityException.class, () -> llm.embed(List.of("a")));
        assertThrows(UnsupportedCapabilityException.class, () -> llm.stream("a"));
        assertEquals(0, p.requests().size());
    }

    @Test
    void metricsAndListener_seeEveryCall() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply("a")
                .fail(LlmException.newBuilder(LlmException.Kind.RATE_LIMITED).build()).reply("b").build();
        Llm llm = Llm.newBuilder().provider(p).defaultModel("m").retry(RetryPolicy.newBuilder().maxAttempts(1).build())
                .listener(new LlmListener() {
            @Override
            public void onStart(CallInfo call) {
                events.add("start " + call.operation());
            }

            @Override
            public void onAttempt(CallInfo call, int attempt) {
                events.add("attempt " + attempt);
            }

            @Override
            public void onEnd(CallInfo call, Usage usage, Duration elapsed) {
                events.add("end " + usage.inputTokens());
            }

            @Override
            public void onError(CallInfo call, LlmException error, Duration elapsed) {
                events.add("error " + error.kind());
            }
        }).build();
        llm.chat("1");
        assertThrows(RateLimitException.class, () -> llm.chat("2"));
        llm.stream("3").collect();
        assertEquals(List.of("start chat", "attempt 1", "end 10", "start chat", "attempt 1", "error RATE_LIMITED",
                "start stream", "attempt 1", "end 10"), events);
        MetricsSnapshot m = llm.metrics().snapshot();
        assertEquals(3, m.calls());
        assertEquals(2, m.succeeded());
        assertEquals(1, m.errors());
        assertEquals(1L, m.errorsByKind().get(LlmException.Kind.RATE_LIMITED));
        assertEquals(3, m.attempts());
        assertEquals(20, m.inputTokens());
        assertTrue(llm.metrics().toPrometheus().contains("parley_errors_total{kind=\"rate_limited\"} 1"));
    }

    @Test
    void retries_happenBelowTheObserver_andFallbackAnswersWhenThePrimaryIsDown() {
        ScriptedProvider flaky = ScriptedProvider.newBuilder("flaky")
                .fail(LlmException.newBuilder(LlmException.Kind.UNAVAILABLE).message("overloaded").build())
                .reply("second time lucky").build();
        Llm llm = Llm.newBuilder().provider(flaky).defaultModel("m")
                .retry(RetryPolicy.newBuilder().baseDelay(Duration.ZERO).maxDelay(Duration.ZERO).build()).build();
        assertEquals("second time lucky", llm.chat("x").text());
        assertEquals(2, llm.metrics().snapshot().attempts());
        assertEquals(1, llm.metrics().snapshot().retries());

        ScriptedProvider down = ScriptedProvider.newBuilder("down")
                .fail(LlmException.newBuilder(LlmException.Kind.UNAVAILABLE).message("down").build()).build();
        ScriptedProvider backup = ScriptedProvider.newBuilder("backup").reply("from backup").build();
        Llm withFallback = Llm.newBuilder().provider(down).defaultModel("m")
                .retry(RetryPolicy.newBuilder().maxAttempts(2).baseDelay(Duration.ZERO).maxDelay(Duration.ZERO).build())
                .fallback(backup, "backup-model").build();
        ChatResponse r = withFallback.chat("x");
        assertEquals("from backup", r.text());
        assertEquals("backup", r.provider());
        assertEquals(2, down.requests().size(), "the primary was retried before falling back");
        assertEquals("backup-model", backup.requests().get(0).model());
    }

    @Test
    void fallbackStream_reportsAndPricesTheProviderThatAnswered() {
        ScriptedProvider down = ScriptedProvider.newBuilder("down")
                .fail(LlmException.newBuilder(LlmException.Kind.UNAVAILABLE).message("down").build()).build();
        ScriptedProvider backup = ScriptedProvider.newBuilder("backup").reply(ChatResponse.newBuilder()
                .provider("backup").model("backup-model").text("from backup").usage(Usage.of(1000, 1000)).build()).build();
        Llm llm = Llm.newBuilder().provider(down).defaultModel("m")
                .retry(RetryPolicy.newBuilder().maxAttempts(1).build())
                .cost(dev.parley.cost.CostPolicy.newBuilder().prices(dev.parley.cost.PriceTable.empty()
                        .withPrice("backup", "backup-model", dev.parley.cost.ModelPrice.of(1.0, 1.0))).build())
                .fallback(backup, "backup-model").build();
        try (ChatStream stream = llm.stream("x")) {
            ChatResponse r = stream.collect();
            assertEquals("from backup", r.text());
            assertEquals("backup", r.provider());
            assertEquals("down", stream.provider(), "the stream was asked of the primary");
        }
        List<dev.parley.cost.CostSummary> costs = llm.costs().summary();
        assertEquals(1, costs.size(), costs.toString());
        assertEquals("backup", costs.get(0).provider());
        assertEquals(0.002, llm.costs().totalCost(), 1e-12);
    }

    @Test
    void routerAsTheProvider_streamReportsAndPricesTheTargetThatAnswered_throughTheWholeStack() {
        ScriptedProvider west = ScriptedProvider.newBuilder("west").reply(ChatResponse.newBuilder()
                .provider("west").model("m").text("from west").usage(Usage.of(1000, 1000)).build()).build();
        dev.parley.route.WeightedRouter router = dev.parley.route.WeightedRouter.newBuilder().route(west, 1).build();
        Llm llm = Llm.newBuilder().provider(router).defaultModel("m")
                .cost(dev.parley.cost.CostPolicy.newBuilder().prices(dev.parley.cost.PriceTable.empty()
                        .withPrice("west", "m", dev.parley.cost.ModelPrice.of(1.0, 1.0))).build())
                .build();
        try (ChatStream stream = llm.stream("x")) {
            assertEquals("west", stream.collect().provider());
        }
        assertEquals("west", llm.chat("x").provider());
        assertEquals(0.004, llm.costs().totalCost(), 1e-12, "both calls priced as west's");
    }

    @Test
    void fallbackStream_isCachedUnderTheProviderThatAnswered() {
        ScriptedProvider down = ScriptedProvider.newBuilder("down")
                .fail(LlmException.newBuilder(LlmException.Kind.UNAVAILABLE).message("down").build()).build();
        ScriptedProvider backup = ScriptedProvider.newBuilder("backup").reply("from backup").build();
        Llm llm = Llm.newBuilder().provider(down).defaultModel("m")
                .retry(RetryPolicy.newBuilder().maxAttempts(1).build())
                .fallback(backup, "backup-model")
                .settings(Map.of("ENABLE_CACHE", "true", "CACHE_TTL", "10m")).build();
        assertEquals("backup", llm.stream("same").collect().provider());
        try (ChatStream hit = llm.stream("same")) {
            ChatResponse r = hit.collect();
            assertEquals("from backup", r.text());
            assertEquals("backup", r.provider(), "the cached chunks name the provider that answered");
            assertEquals("down", hit.provider(), "the stream was asked of the primary");
        }
        assertEquals(1, backup.requests().size(), "the second stream was a cache hit");
    }

    @Test
    void settings_configureRetriesTimeoutsAndFallbacks() {
        assertThrows(ConfigurationException.class, () -> Llm.newBuilder().settings(Map.of("LLM_MAX_RETRIES", "99")));
        assertThrows(ConfigurationException.class, () -> Llm.newBuilder().settings(Map.of("LLM_IDLE_TIMEOUT", "0")));
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> Llm.newBuilder()
                .settings(Map.of("OPENAI_API_KEY", "sk-x", "LLM_FALLBACK", "anthropic/claude-sonnet-4-5")).build());
        assertTrue(e.getMessage().startsWith("ANTHROPIC_API_KEY: "), e.getMessage());
    }

    @Test
    void cacheHit_costsNoProviderCallAndNoMoney() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply(ChatResponse.newBuilder().provider("fake")
                .model("m").text("cached answer").usage(Usage.of(1000, 1000)).build()).build();
        Llm llm = Llm.newBuilder().provider(p).defaultModel("m")
                .cost(dev.parley.cost.CostPolicy.newBuilder().prices(dev.parley.cost.PriceTable.empty()
                        .withPrice("fake", "m", dev.parley.cost.ModelPrice.of(1.0, 1.0))).build())
                .settings(Map.of("ENABLE_CACHE", "true", "CACHE_TTL", "10m")).build();
        assertEquals("cached answer", llm.chat("same question").text());
        assertEquals("cached answer", llm.chat("same question").text());
        assertEquals("cached answer", llm.stream("same question").collect().text());
        assertEquals(1, p.requests().size());
        MetricsSnapshot m = llm.metrics().snapshot();
        assertEquals(2, m.cacheHits());
        assertEquals(1, m.attempts());
        assertEquals(0.002, llm.costs().totalCost(), 1e-12);
        llm.chat(ChatRequest.of(null, "same question"), CallOptions.defaults().withoutCache());
        assertEquals(2, p.requests().size(), "the opt-out bypasses the cache");
    }

    @Test
    void rateLimitSettings_areValidated() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> Llm.newBuilder().settings(Map.of("MAX_REQUESTS_PER_MINUTE", "0")));
        assertTrue(e.getMessage().startsWith("MAX_REQUESTS_PER_MINUTE: "), e.getMessage());
        ScriptedProvider p = fake("ok");
        Llm llm = Llm.newBuilder().provider(p).defaultModel("m")
                .settings(Map.of("MAX_REQUESTS_PER_MINUTE", "2", "LLM_TIMEOUT", "200ms")).build();
        llm.chat("1");
        llm.chat("2");
        RateLimitException limited = assertThrows(RateLimitException.class, () -> llm.chat("3"));
        assertTrue(limited.getMessage().contains("limit"), limited.getMessage());
        assertEquals(2, p.requests().size());
    }

    @Test
    void circuitBreakerSettings_makeOneInsideTheFallbacks_thatAnExplicitBreakerReplaces() {
        ScriptedProvider failing = ScriptedProvider.newBuilder("primary")
                .fail(LlmException.newBuilder(LlmException.Kind.SERVER_ERROR).provider("primary").statusCode(500).build()).build();
        ScriptedProvider rescue = fake("rescued");
        Llm llm = Llm.newBuilder().provider(failing).defaultModel("m").fallback(rescue, "r")
                .settings(Map.of("LLM_CIRCUIT_BREAKER_FAILURES", "2", "LLM_CIRCUIT_BREAKER_COOL_DOWN", "10m",
                        "LLM_CIRCUIT_BREAKER_PROBES", "3", "LLM_MAX_RETRIES", "0")).build();

        for (int i = 0; i < 4; i++) {
            assertEquals("rescued", llm.chat("x").text());
        }

        assertEquals(2, failing.requests().size(), "open after two failures: the primary is not called, the fallback answers");
        dev.parley.internal.LlmInternals.Policies p = dev.parley.internal.LlmInternals.policies(llm);
        assertEquals(dev.parley.route.CircuitBreaker.State.OPEN, p.breaker().state());
        assertEquals(2, p.breaker().stats().rejected());
        assertTrue(p.breakerFromSettings());
        assertEquals(new dev.parley.internal.CircuitSharing.Rules(2, Duration.ofMinutes(10), 3),
                dev.parley.internal.CircuitSharing.rules(p.breaker()));

        dev.parley.route.CircuitBreaker mine = dev.parley.route.CircuitBreaker.newBuilder().build();
        Llm explicit = Llm.newBuilder().provider(fake("ok")).defaultModel("m").circuitBreaker(mine)
                .settings(Map.of("LLM_CIRCUIT_BREAKER_FAILURES", "2")).build();
        dev.parley.internal.LlmInternals.Policies q = dev.parley.internal.LlmInternals.policies(explicit);
        assertTrue(q.breaker() == mine, "the breaker given in code wins");
        assertFalse(q.breakerFromSettings());
        assertNull(dev.parley.internal.LlmInternals.policies(Llm.newBuilder().provider(fake("ok")).defaultModel("m").build())
                .breaker(), "none unless asked");
    }

    @Test
    void circuitBreakerSettings_areValidated_andTheFailuresTurnItOn() {
        for (Map<String, String> bad : List.of(Map.of("LLM_CIRCUIT_BREAKER_FAILURES", "0"),
                Map.of("LLM_CIRCUIT_BREAKER_FAILURES", "many"), Map.of("LLM_CIRCUIT_BREAKER_FAILURES", "1001"))) {
            ConfigurationException e = assertThrows(ConfigurationException.class, () -> Llm.newBuilder().settings(bad));
            assertTrue(e.getMessage().startsWith("LLM_CIRCUIT_BREAKER_FAILURES: expected a whole number"), e.getMessage());
        }
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> Llm.newBuilder()
                .settings(Map.of("LLM_CIRCUIT_BREAKER_FAILURES", "5", "LLM_CIRCUIT_BREAKER_COOL_DOWN", "soon")));
        assertTrue(e.getMessage().startsWith("LLM_CIRCUIT_BREAKER_COOL_DOWN: expected a duration"), e.getMessage());
        e = assertThrows(ConfigurationException.class, () -> Llm.newBuilder()
                .settings(Map.of("LLM_CIRCUIT_BREAKER_FAILURES", "5", "LLM_CIRCUIT_BREAKER_COOL_DOWN", "25h")));
        assertTrue(e.getMessage().startsWith("LLM_CIRCUIT_BREAKER_COOL_DOWN: "), e.getMessage());
        e = assertThrows(ConfigurationException.class, () -> Llm.newBuilder()
                .settings(Map.of("LLM_CIRCUIT_BREAKER_FAILURES", "5", "LLM_CIRCUIT_BREAKER_PROBES", "0")));
        assertTrue(e.getMessage().startsWith("LLM_CIRCUIT_BREAKER_PROBES: "), e.getMessage());
        e = assertThrows(ConfigurationException.class, () -> Llm.newBuilder()
                .settings(Map.of("LLM_CIRCUIT_BREAKER_COOL_DOWN", "30s")));
        assertEquals("LLM_CIRCUIT_BREAKER_FAILURES: missing: it turns the circuit breaker on (how many failures in a row open "
                + "the circuit, such as 5); LLM_CIRCUIT_BREAKER_COOL_DOWN alone does not", e.getMessage());
    }

    @Test
    void chatAsync_completes_andCancellationInterruptsTheCall() throws Exception {
        Llm llm = Llm.newBuilder().provider(fake("async")).defaultModel("m").build();
        assertEquals("async", llm.chatAsync(ChatRequest.of(null, "x")).get(5, TimeUnit.SECONDS).text());

        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        Provider blocking = ScriptedProvider.newBuilder("blocking").answer(r -> {
            entered.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw LlmException.newBuilder(LlmException.Kind.TIMEOUT).message("interrupted").build();
            }
            throw new AssertionError("unreachable");
        }).build();
        Llm slow = Llm.newBuilder().provider(blocking).defaultModel("m").build();
        CompletableFuture<ChatResponse> f = slow.chatAsync(ChatRequest.of(null, "x"));
        assertTrue(entered.await(5, TimeUnit.SECONDS));
        f.cancel(true);
        assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the provider call was interrupted");
        assertTrue(f.isCancelled());
    }

    @Test
    void settings_badValuesNameTheVariable() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> Llm.newBuilder().settings(Map.of("TEMPERATURE", "hot")));
        assertEquals("TEMPERATURE: expected a number from 0.0 to 2.0, got \"hot\"", e.getMessage());
        e = assertThrows(ConfigurationException.class, () -> Llm.newBuilder().settings(Map.of("MAX_TOKENS", "-5")));
        assertTrue(e.getMessage().startsWith("MAX_TOKENS: expected a whole number"), e.getMessage());
        e = assertThrows(ConfigurationException.class, () -> Llm.newBuilder().settings(Map.of("LLM_TIMEOUT", "soon")));
        assertTrue(e.getMessage().contains("30s"), e.getMessage());
        e = assertThrows(ConfigurationException.class,
                () -> Llm.newBuilder().settings(Map.of("LLM_PROVIDER", "nonesuch")).build());
        assertTrue(e.getMessage().startsWith("LLM_PROVIDER: no provider called \"nonesuch\""), e.getMessage());
    }

    @Test
    void explicitSetters_winOverSettings_inEitherOrder() {
        ScriptedProvider p = fake("ok", "ok");
        Llm a = Llm.newBuilder().defaultMaxTokens(7).provider(p).defaultModel("m")
                .settings(Map.of("MAX_TOKENS", "99", "TEMPERATURE", "1.0", "LLM_PROVIDER", "anthropic")).build();
        a.chat("x");
        assertEquals(7, p.requests().get(0).maxTokens());
        assertEquals(1.0, p.requests().get(0).temperature());
        assertEquals("fake", a.providerName(), "an explicit provider beats LLM_PROVIDER");
        Llm b = Llm.newBuilder().settings(Map.of("MAX_TOKENS", "99")).defaultMaxTokens(8).provider(p).defaultModel("m").build();
        b.chat("y");
        assertEquals(8, p.requests().get(1).maxTokens());
    }

    @Test
    void settings_durationForms() {
        Settings s = new Settings(Map.of("A", "30", "B", "500ms", "C", "2m", "D", "PT1H", "E", "1.5s"));
        assertEquals(Duration.ofSeconds(30), s.duration("A", Duration.ofDays(1)));
        assertEquals(Duration.ofMillis(500), s.duration("B", Duration.ofDays(1)));
        assertEquals(Duration.ofMinutes(2), s.duration("C", Duration.ofDays(1)));
        assertEquals(Duration.ofHours(1), s.duration("D", Duration.ofDays(1)));
        assertEquals(Duration.ofMillis(1500), s.duration("E", Duration.ofDays(1)));
        assertThrows(ConfigurationException.class, () -> s.duration("C", Duration.ofSeconds(10)));
        assertNull(s.duration("Z", Duration.ofDays(1)));
    }

    @Test
    void secrets_fromVariableOrFile_andNeverShown(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("key");
        Files.writeString(file, "sk-canary-file-123\n");
        Settings s = new Settings(Map.of("OPENAI_API_KEY_FILE", file.toString(), "X_API_KEY", "sk-canary-var-456"));
        ApiKey fromFile = s.secret("OPENAI_API_KEY");
        assertEquals("sk-canary-file-123", fromFile.value());
        assertEquals("ApiKey[redacted]", fromFile.toString());
        assertEquals("sk-canary-var-456", s.secret("X_API_KEY").value());
        ConfigurationException both = assertThrows(ConfigurationException.class,
                () -> new Settings(Map.of("K", "a", "K_FILE", file.toString())).secret("K"));
        assertTrue(both.getMessage().contains("set only one"));
        ConfigurationException missing = assertThrows(ConfigurationException.class,
                () -> new Settings(Map.of("K_FILE", dir.resolve("nope").toString())).secret("K"));
        assertFalse(missing.getMessage().contains("sk-canary"));
    }

    @Test
    void embed_usesTheDefaultEmbeddingModel() {
        ScriptedProvider p = fake("x");
        Llm llm = Llm.newBuilder().provider(p).embeddingModel("e1").build();
        EmbeddingResponse r = llm.embed(List.of("a", "b"));
        assertEquals(2, r.embeddings().size());
        assertEquals("e1", p.embeddingRequests().get(0).model());
    }

    @Test
    void unexpectedRuntimeFailure_becomesLlmException() {
        Provider broken = ScriptedProvider.newBuilder("broken").answer(r -> {
            throw new IllegalStateException("boom");
        }).build();
        Llm llm = Llm.newBuilder().provider(broken).defaultModel("m").build();
        LlmException e = assertThrows(LlmException.class, () -> llm.chat("x"));
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }
}
