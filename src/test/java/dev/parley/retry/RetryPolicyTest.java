package dev.parley.retry;

import static dev.parley.spi.Chain.Operation.CHAT;
import static dev.parley.spi.Chain.Operation.EMBED;
import static dev.parley.spi.Chain.Operation.MODELS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException.Kind;
import dev.parley.LlmException;
import dev.parley.LlmTimeoutException;
import dev.parley.ModelInfo;
import dev.parley.RateLimitException;
import dev.parley.http.HttpErrors;
import dev.parley.spi.CallScope;
import dev.parley.spi.Provider;
import dev.parley.testing.ManualTicker;
import dev.parley.testing.ScriptedProvider;

class RetryPolicyTest {

    private static final ChatRequest REQUEST = ChatRequest.of("gpt-test", "hi");

    private final ManualTicker time = ManualTicker.autoAdvancing();

    private RetryPolicy.Builder policy() {
        return RetryPolicy.newBuilder().ticker(time).jitter(RetryPolicy.Jitter.NONE);
    }

    static LlmException http(int status, Map<String, List<String>> headers) {
        byte[] body = "{\"error\":{\"message\":\"try later\",\"type\":\"server_error\"}}".getBytes(StandardCharsets.UTF_8);
        return HttpErrors.fromResponse("openai", status, HttpHeaders.of(headers, (a, b) -> true), body, null);
    }

    static LlmException http(int status) {
        return http(status, Map.of("x-request-id", List.of("req_1")));
    }

    @Test
    void builder_outOfRangeValues_throwNamingParameterAndRange() {
        var e = assertThrows(IllegalArgumentException.class, () -> RetryPolicy.newBuilder().maxAttempts(0));
        assertEquals("maxAttempts must be from 1 to 100, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.newBuilder().maxAttempts(101));
        e = assertThrows(IllegalArgumentException.class, () -> RetryPolicy.newBuilder().baseDelay(Duration.ofMillis(-1)));
        assertTrue(e.getMessage().startsWith("baseDelay must be from 0 to 10 minutes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.newBuilder().maxDelay(Duration.ofHours(2)));
        e = assertThrows(IllegalArgumentException.class,
                () -> RetryPolicy.newBuilder().baseDelay(Duration.ofSeconds(10)).maxDelay(Duration.ofSeconds(5)).build());
        assertTrue(e.getMessage().startsWith("maxDelay must be at least baseDelay"), e.getMessage());
    }

    @Test
    void chat_retryableFailuresThenSuccess_answersAfterExponentialBackoff() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .fail(http(503)).fail(http(502)).reply("ok").build();
        RetryPolicy retry = policy().maxAttempts(3).build();

        ChatResponse response = retry.decorate(delegate).chat(REQUEST);

        assertEquals("ok", response.text());
        assertEquals(3, delegate.calls(CHAT));
        assertEquals(List.of(Duration.ofMillis(500), Duration.ofSeconds(1)), time.sleeps());
        assertEquals(new RetryPolicy.Stats(3, 2, 0), retry.stats());
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 409, 429, 500, 502, 503, 504, 529})
    void chat_retryableStatus_isRetried(int status) {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").fail(http(status)).reply("ok").build();
        assertEquals("ok", policy().build().decorate(delegate).chat(REQUEST).text());
        assertEquals(2, delegate.calls(CHAT));
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 422})
    void chat_clientErrorStatus_isThrownAsItIsWithoutRetry(int status) {
        LlmException error = http(status);
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").fail(error).reply("never").build();
        RetryPolicy retry = policy().build();

        LlmException thrown = assertThrows(LlmException.class, () -> retry.decorate(delegate).chat(REQUEST));

        assertSame(error, thrown);
        assertEquals(1, delegate.calls(CHAT));
        assertEquals(new RetryPolicy.Stats(1, 0, 0), retry.stats());
    }

    @Test
    void chat_shouldRetryHeaderOverridesStatus_isObeyedBothWays() {
        LlmException noRetry503 = http(503, Map.of("x-should-retry", List.of("false")));
        ScriptedProvider a = ScriptedProvider.newBuilder("openai").fail(noRetry503).reply("never").build();
        assertSame(noRetry503, assertThrows(LlmException.class, () -> policy().build().decorate(a).chat(REQUEST)));
        assertEquals(1, a.calls(CHAT));

        ScriptedProvider b = ScriptedProvider.newBuilder("openai")
                .fail(http(400, Map.of("x-should-retry", List.of("true")))).reply("ok").build();
        assertEquals("ok", policy().build().decorate(b).chat(REQUEST).text());
    }

    @Test
    void chat_attemptsExhausted_throwsCopyOfSameKindWithAttemptsAndCause() {
        LlmException last = http(503);
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .fail(http(503)).fail(http(503)).fail(last).build();
        RetryPolicy retry = policy().maxAttempts(3).build();

        LlmException thrown = assertThrows(LlmException.class, () -> retry.decorate(delegate).chat(REQUEST));
        assertEquals(Kind.UNAVAILABLE, thrown.kind());

        assertEquals("openai: provider unavailable or overloaded (HTTP 503, server_error): try later "
                + "(gave up after 3 attempts) [request id req_1]", thrown.getMessage());
        assertSame(last, thrown.getCause());
        assertEquals(503, thrown.statusCode());
        assertEquals("req_1", thrown.requestId());
        assertEquals("openai", thrown.provider());
        assertTrue(thrown.retryable());
        assertEquals(new RetryPolicy.Stats(3, 2, 1), retry.stats());
    }

    @Test
    void chat_retryAfterLongerThanMaxDelay_isWaitedExactly() {
        LlmException limited = http(429, Map.of("retry-after", List.of("45")));
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").fail(limited).reply("ok").build();

        policy().maxDelay(Duration.ofSeconds(30)).build().decorate(delegate).chat(REQUEST);

        assertEquals(List.of(Duration.ofSeconds(45)), time.sleeps());
    }

    @Test
    void chat_retryAfterMsHeader_isWaitedExactly() {
        LlmException limited = http(529, Map.of("retry-after-ms", List.of("1250")));
        ScriptedProvider delegate = ScriptedProvider.newBuilder("anthropic").fail(limited).reply("ok").build();

        policy().build().decorate(delegate).chat(REQUEST);

        assertEquals(List.of(Duration.ofMillis(1250)), time.sleeps());
    }

    @Test
    void chat_retryAfterBeyondMaxRetryAfter_givesUpAtOnce() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .fail(http(429, Map.of("retry-after", List.of("3600")))).reply("never").build();
        RetryPolicy retry = policy().maxRetryAfter(Duration.ofMinutes(1)).build();

        RateLimitException e = assertThrows(RateLimitException.class, () -> retry.decorate(delegate).chat(REQUEST));

        assertTrue(e.getMessage().contains("(gave up after 1 attempt: the provider asked to wait 1 h, "
                + "more than maxRetryAfter 1 min)"), e.getMessage());
        assertEquals(Duration.ofHours(1), e.retryAfter());
        assertEquals(List.of(), time.sleeps());
        assertEquals(1, retry.stats().gaveUp());
    }

    @Test
    void chat_nextWaitWouldPassDeadline_givesUpWithoutWaiting() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").fail(http(500)).build();
        RetryPolicy retry = policy().maxAttempts(10).baseDelay(Duration.ofMillis(500)).build();
        CallScope ctx = CallScope.of(time, Duration.ofMillis(1200), true);

        LlmException e = assertThrows(LlmException.class, () -> retry.decorate(delegate).chat(REQUEST, ctx));

        // 500 ms fits (ends at 500), 1 s would end at 1500 > 1200.
        assertEquals(List.of(Duration.ofMillis(500)), time.sleeps());
        assertEquals(2, delegate.calls(CHAT));
        assertTrue(e.getMessage().contains("(gave up after 2 attempts: the next retry would pass the deadline)"),
                e.getMessage());
        assertEquals(Kind.SERVER_ERROR, e.kind());
    }

    @Test
    void chat_retryAfterBeyondDeadline_givesUp() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .fail(http(429, Map.of("retry-after", List.of("20")))).reply("never").build();
        CallScope ctx = CallScope.of(time, Duration.ofSeconds(10), true);

        RateLimitException e = assertThrows(RateLimitException.class,
                () -> policy().build().decorate(delegate).chat(REQUEST, ctx));

        assertTrue(e.getMessage().contains("the next retry would pass the deadline"), e.getMessage());
        assertEquals(1, delegate.calls(CHAT));
    }

    @Test
    void chat_interruptedWhileWaiting_throwsTimeoutAndKeepsInterruptFlag() {
        LlmException first = http(503);
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").fail(first).reply("never").build();
        RetryPolicy retry = policy().ticker(new dev.parley.spi.Ticker() {
            @Override
            public long nanos() {
                return 0;
            }

            @Override
            public java.time.Instant instant() {
                return java.time.Instant.EPOCH;
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                throw new InterruptedException("cancelled");
            }

            @Override
            public void await(java.util.concurrent.locks.Lock lock, java.util.concurrent.locks.Condition condition,
                              long nanos) {
                throw new AssertionError("a retry does not wait on a condition");
            }
        }).build();

        try {
            LlmTimeoutException e = assertThrows(LlmTimeoutException.class, () -> retry.decorate(delegate).chat(REQUEST));
            assertTrue(Thread.currentThread().isInterrupted());
            assertFalse(e.retryable());
            assertSame(first, e.getSuppressed()[0]);
            assertTrue(e.getMessage().contains("interrupted while waiting 500 ms to retry after attempt 1"), e.getMessage());
        } finally {
            Thread.interrupted();
        }
        assertEquals(1, delegate.calls(CHAT));
    }

    @Test
    void chat_threadInterruptedDuringAttempt_isNotRetried() {
        LlmException aborted = LlmException.newBuilder(Kind.TIMEOUT).provider("openai").message("interrupted").build();
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").answer(r -> {
            Thread.currentThread().interrupt();
            throw aborted;
        }).reply("never").build();
        try {
            assertSame(aborted, assertThrows(LlmException.class, () -> policy().build().decorate(delegate).chat(REQUEST)));
        } finally {
            Thread.interrupted();
        }
        assertEquals(1, delegate.calls(CHAT));
    }

    @Test
    void chat_maxAttemptsOne_neverRetriesAndThrowsTheErrorAsItIs() {
        LlmException error = http(503);
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").fail(error).reply("never").build();
        RetryPolicy retry = policy().maxAttempts(1).build();
        assertSame(error, assertThrows(LlmException.class, () -> retry.decorate(delegate).chat(REQUEST)));
        assertEquals(new RetryPolicy.Stats(1, 0, 0), retry.stats());
    }

    @Test
    void chat_nonLlmException_isNotRetried() {
        IllegalStateException bug = new IllegalStateException("bug");
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").answer(r -> {
            throw bug;
        }).build();
        assertSame(bug, assertThrows(IllegalStateException.class, () -> policy().build().decorate(delegate).chat(REQUEST)));
    }

    @Test
    void backoff_fullJitter_staysWithinCappedExponentialBound() {
        RetryPolicy retry = RetryPolicy.newBuilder().baseDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(2))
                .random(new Random(42)).build();
        List<Duration> seen = new ArrayList<>();
        for (int n = 1; n <= 100; n++) {
            Duration cap = Duration.ofMillis(Math.min(2000, n < 20 ? 100L << (n - 1) : 2000));
            for (int i = 0; i < 50; i++) {
                Duration d = retry.backoff(n);
                assertFalse(d.isNegative(), d::toString);
                assertTrue(d.compareTo(cap) <= 0, () -> "retry " + " waited " + d + " > " + cap);
                seen.add(d);
            }
        }
        assertTrue(seen.stream().distinct().count() > 1000, "jitter should spread the waits");
    }

    @Test
    void backoff_equalJitterAndNone_stayInTheirBands() {
        RetryPolicy equal = RetryPolicy.newBuilder().jitter(RetryPolicy.Jitter.EQUAL).random(new Random(7)).build();
        for (int i = 0; i < 1000; i++) {
            Duration d = equal.backoff(2);
            assertTrue(d.compareTo(Duration.ofMillis(500)) >= 0 && d.compareTo(Duration.ofSeconds(1)) <= 0, d::toString);
        }
        RetryPolicy none = RetryPolicy.newBuilder().jitter(RetryPolicy.Jitter.NONE).build();
        assertEquals(Duration.ofSeconds(30), none.backoff(100));
        assertEquals(Duration.ofSeconds(4), none.backoff(4));
    }

    @Test
    void embedAndModels_retryableFailures_areRetried() {
        EmbeddingResponse vectors = new EmbeddingResponse("e", "openai", List.of(), null, null);
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .embed(r -> {
                    throw http(500);
                }).embed(r -> vectors)
                .models(() -> {
                    throw http(503);
                }).models(() -> List.of(new ModelInfo("m", null, 0, null))).build();
        Provider p = policy().build().decorate(delegate);

        assertSame(vectors, p.embed(EmbeddingRequest.of("e", List.of("x"))));
        assertEquals("m", p.models().get(0).id());
        assertEquals(2, delegate.calls(EMBED));
        assertEquals(2, delegate.calls(MODELS));
    }

    @Test
    void decorate_passesNameAndCapabilitiesThrough() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("deepseek").build();
        Provider p = RetryPolicy.ofDefaults().decorate(delegate);
        assertEquals("deepseek", p.name());
        assertEquals(delegate.capabilities(), p.capabilities());
    }

    @Test
    void chat_thousandsOfConcurrentCallers_countEveryAttempt() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").answer(r -> {
            if (calls.incrementAndGet() % 2 == 1) {
                throw http(503);
            }
            return ChatResponse.newBuilder().provider("openai").model(r.model()).text("ok").build();
        }).build();
        RetryPolicy retry = policy().maxAttempts(100).build();
        Provider p = retry.decorate(delegate);
        List<Future<ChatResponse>> results = new ArrayList<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 2000; i++) {
                results.add(executor.submit(() -> p.chat(REQUEST)));
            }
        }
        for (Future<ChatResponse> f : results) {
            assertEquals("ok", f.get().text());
        }
        RetryPolicy.Stats stats = retry.stats();
        assertEquals(calls.get(), stats.attempts());
        assertEquals(stats.attempts() - 2000, stats.retries());
        assertEquals(0, stats.gaveUp());
        assertInstanceOf(RetryPolicy.Stats.class, stats);
    }
}
