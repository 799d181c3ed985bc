package dev.parley;

import static dev.parley.spi.Chain.Operation.CHAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.parley.testing.ManualTicker;
import dev.parley.testing.ScriptedProvider;

/**
 * One time source: the ticker given to {@link Llm.Builder#ticker} measures the call's deadline
 * and reaches every policy the builder makes, so a test moves all of them at once.
 */
class LlmTickerTest {

    private final ManualTicker time = new ManualTicker();

    /** A chat that blocks until interrupted, then fails as the adapters do. */
    private static ChatResponse blockUntilInterrupted(CountDownLatch entered) {
        entered.countDown();
        try {
            new CountDownLatch(1).await();
            throw new AssertionError("unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw LlmException.newBuilder(LlmException.Kind.TIMEOUT).provider("openai").message("interrupted").build();
        }
    }

    private static <T> CompletableFuture<T> async(java.util.function.Supplier<T> call) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(call.get());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        return fail("expected a failure");
    }

    @Test
    void deadlineAndDefaultTimeoutPolicy_followTheBuildersTicker() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        ScriptedProvider provider = ScriptedProvider.newBuilder("openai")
                .answer(r -> blockUntilInterrupted(entered)).build();
        Llm llm = Llm.newBuilder().provider(provider).defaultModel("m").ticker(time)
                .timeout(Duration.ofSeconds(5)).build();

        CompletableFuture<ChatResponse> answer = async(() -> llm.chat("hi"));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        time.awaitWaiters(1);
        assertEquals(List.of(Duration.ofSeconds(5)), time.waits(), "the timer waits for the deadline, on the ticker");
        time.advance(Duration.ofSeconds(5));

        LlmTimeoutException e = assertInstanceOf(LlmTimeoutException.class, failure(answer));
        assertTrue(e.getMessage().contains("the overall deadline of the call passed after 5 s"), e.getMessage());
        time.awaitNoWaiters();
    }

    @Test
    void retryAndAttemptTimeoutFromTheSettings_followTheBuildersTicker() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        ScriptedProvider provider = ScriptedProvider.newBuilder("openai")
                .answer(r -> blockUntilInterrupted(entered)).reply("second").build();
        Llm llm = Llm.newBuilder().provider(provider).defaultModel("m").ticker(time)
                .settings(Map.of("LLM_MAX_RETRIES", "1", "LLM_ATTEMPT_TIMEOUT", "30")).build();

        CompletableFuture<ChatResponse> answer = async(() -> llm.chat("hi"));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        time.awaitWaiters(1);
        assertEquals(List.of(Duration.ofSeconds(30)), time.waits());
        time.advance(Duration.ofSeconds(30)); // the attempt times out; the retry sleeps its backoff on the ticker
        time.awaitSleeps(1);
        time.advance(Duration.ofSeconds(30)); // more than any backoff

        assertEquals("second", answer.get(10, TimeUnit.SECONDS).text());
        assertEquals(2, provider.calls(CHAT));
    }

    @Test
    void cacheAndRateLimitFromTheSettings_followTheBuildersTicker() throws Exception {
        ScriptedProvider provider = ScriptedProvider.newBuilder("openai").reply("one").reply("two").build();
        Llm llm = Llm.newBuilder().provider(provider).defaultModel("m").ticker(time)
                .settings(Map.of("ENABLE_CACHE", "true", "CACHE_TTL", "60", "MAX_REQUESTS_PER_MINUTE", "1")).build();

        assertEquals("one", llm.chat("hi").text());
        time.advance(Duration.ofSeconds(59));
        assertEquals("one", llm.chat("hi").text(), "still cached at 59 s");
        time.advance(Duration.ofSeconds(1));
        // Expired at 60 s; the request window of the first call has passed too, so no wait.
        assertEquals("two", llm.chat("hi").text());
        assertEquals(2, provider.calls(CHAT));

        // A different request within the minute waits for the window, on the ticker.
        time.awaitNoWaiters(); // the timeout timer of the last call has ended
        CompletableFuture<ChatResponse> third = async(() -> llm.chat("other"));
        time.awaitWaiters(1);
        assertEquals(2, provider.calls(CHAT));
        time.advance(Duration.ofSeconds(60));
        assertEquals("two", third.get(10, TimeUnit.SECONDS).text());
    }

    @Test
    void clientsFromOneBuilder_shareTheCacheTheSettingsMade_untilTheTickerChanges() {
        ScriptedProvider provider = ScriptedProvider.newBuilder("openai").reply("one").reply("two").build();
        Llm.Builder builder = Llm.newBuilder().provider(provider).defaultModel("m").ticker(time)
                .settings(Map.of("ENABLE_CACHE", "true"));
        assertEquals("one", builder.build().chat("hi").text());
        assertEquals("one", builder.build().chat("hi").text(), "the second client reads the same cache");
        assertEquals(1, provider.calls(CHAT));

        assertEquals("two", builder.ticker(new ManualTicker()).build().chat("hi").text(), "a new ticker, a new cache");
    }
}
