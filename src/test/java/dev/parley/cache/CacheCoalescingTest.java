package dev.parley.cache;

import static dev.parley.spi.Chain.Operation.CHAT;
import static dev.parley.spi.Chain.Operation.EMBED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.LlmTimeoutException;
import dev.parley.spi.CallScope;
import dev.parley.spi.Provider;
import dev.parley.testing.ScriptedProvider;

class CacheCoalescingTest {

    private static final int CALLERS = 1000;
    /** What the provider does with a chat and with embeddings; a test changes them before its calls. */
    private volatile Function<ChatRequest, ChatResponse> onChat = Echo::answer;
    private volatile Function<EmbeddingRequest, EmbeddingResponse> onEmbed = Echo::vectors;
    private final ScriptedProvider fake = ScriptedProvider.newBuilder("fake")
            .answer(r -> onChat.apply(r)).embed(r -> onEmbed.apply(r)).build();
    private final CachePolicy cache = CachePolicy.newBuilder().build();
    private final Provider provider = cache.decorate(fake);

    /** Makes the provider wait until {@code waiters} other callers wait for its call. */
    private void holdUntilWaiting(int waiters) {
        var answer = onChat;
        onChat = r -> {
            awaitWaiters(waiters);
            return answer.apply(r);
        };
    }

    private void awaitWaiters(int waiters) {
        try {
            assertTrue(cache.core().awaitWaitingCallers(waiters, Duration.ofSeconds(10)),
                    () -> "only " + cache.core().waitingCallers() + " callers waiting");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void chat_thousandIdenticalCallsAtOnce_callTheProviderOnce() throws Exception {
        holdUntilWaiting(CALLERS - 1);
        List<Future<ChatResponse>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < CALLERS; i++) {
                results.add(threads.submit(() -> provider.chat(ChatRequest.of("m", "same"))));
            }
        }
        ChatResponse first = results.get(0).get();
        for (Future<ChatResponse> f : results) {
            assertSame(first, f.get(), "every caller gets the one response");
        }
        assertEquals(1, fake.calls(CHAT));
        CacheStats s = cache.stats();
        assertEquals(CALLERS - 1, s.coalescedCount());
        assertEquals(CALLERS - 1, s.hitCount());
        assertEquals(1, s.missCount());
        assertEquals(0, cache.core().waitingCallers());
    }

    @Test
    void chat_failureOfTheSharedCall_reachesEveryWaiter_andIsNotCached() throws Exception {
        int callers = 200;
        LlmException boom = LlmException.newBuilder(LlmException.Kind.UNAVAILABLE).message("overloaded").build();
        onChat = r -> {
            awaitWaiters(callers - 1);
            throw boom;
        };
        List<Future<ChatResponse>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < callers; i++) {
                results.add(threads.submit(() -> provider.chat(ChatRequest.of("m", "same"))));
            }
        }
        for (Future<ChatResponse> f : results) {
            Throwable t = assertThrows(java.util.concurrent.ExecutionException.class, f::get).getCause();
            assertSame(boom, t);
        }
        assertEquals(1, fake.calls(CHAT));
        assertEquals(1, cache.stats().loadFailureCount());
        assertEquals(callers, cache.stats().missCount());
        onChat = Echo::answer;
        provider.chat(ChatRequest.of("m", "same"));
        assertEquals(2, fake.calls(CHAT), "the failure was not cached");
    }

    @Test
    void chat_waiterWhoseDeadlinePassed_givesUpWithATimeout() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = holdChats(entered);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<ChatResponse> leader = threads.submit(() -> provider.chat(ChatRequest.of("m", "same")));
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            CallScope past = CallScope.of(java.time.Instant.now().minusSeconds(1), true);
            LlmException e = assertThrows(LlmException.class,
                    () -> provider.chat(ChatRequest.of("m", "same"), past));
            assertInstanceOf(LlmTimeoutException.class, e);
            assertTrue(e.getMessage().contains("deadline"), e.getMessage());
            CallScope soon = CallScope.of(dev.parley.spi.Ticker.system(), Duration.ofMillis(50), true);
            assertThrows(LlmTimeoutException.class, () -> provider.chat(ChatRequest.of("m", "same"), soon));
            release.countDown();
            assertEquals("echo: same", leader.get().text());
        }
        assertEquals(1, fake.calls(CHAT));
        assertEquals(0, cache.core().waitingCallers());
    }

    @Test
    void chat_interruptedWaiter_keepsItsInterruptAndGetsATimeout() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = holdChats(entered);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<ChatResponse> leader = threads.submit(() -> provider.chat(ChatRequest.of("m", "same")));
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            Future<Boolean> waiter = threads.submit(() -> {
                Thread.currentThread().interrupt();
                assertThrows(LlmTimeoutException.class, () -> provider.chat(ChatRequest.of("m", "same")));
                return Thread.currentThread().isInterrupted();
            });
            assertTrue(waiter.get());
            release.countDown();
            leader.get();
        }
    }

    @Test
    void embed_identicalBatchesAtOnce_callTheProviderOnce() throws Exception {
        var answer = onEmbed;
        onEmbed = r -> {
            awaitWaiters(99);
            return answer.apply(r);
        };
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 100; i++) {
                threads.submit(() -> provider.embed(EmbeddingRequest.of("e", List.of("a", "b"))));
            }
        }
        assertEquals(1, fake.calls(EMBED));
        assertEquals(99, cache.stats().hitCount());
    }

    /** Makes the provider's chats count {@code entered} down, then wait for the returned latch before answering. */
    private CountDownLatch holdChats(CountDownLatch entered) {
        CountDownLatch release = new CountDownLatch(1);
        onChat = r -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return Echo.answer(r);
        };
        return release;
    }
}
