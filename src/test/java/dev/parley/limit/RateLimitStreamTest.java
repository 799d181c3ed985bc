package dev.parley.limit;

import dev.parley.support.PublisherScript;
import dev.parley.support.TestSubscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.FinishReason;
import dev.parley.LlmException;
import dev.parley.RateLimitException;
import dev.parley.Usage;
import dev.parley.spi.CallScope;
import dev.parley.spi.Provider;
import dev.parley.testing.ScriptedProvider;

class RateLimitStreamTest {

    private static final ChatRequest REQUEST = ChatRequest.of("m", "stream please");
    private static final List<ChatChunk> CHUNKS = List.of(ChatChunk.ofText("a"), ChatChunk.ofText("b"),
            ChatChunk.newBuilder().finishReason(FinishReason.STOP).rawFinishReason("stop").usage(Usage.of(10, 2))
                    .build());

    private final PublisherScript streams = new PublisherScript();
    private final ScriptedProvider fake = ScriptedProvider.newBuilder("fake").stream(streams).build();
    private final RateLimitPolicy policy = RateLimitPolicy.newBuilder().maxConcurrent(1)
            .tokensPerWindow(10_000, Duration.ofMinutes(1)).build();
    private final Provider provider = policy.decorate(fake);

    /** {@return a provider of the same name, so in the same lane of the policy, answering chats with {@code answer} of "ok"} */
    private Provider chats(java.util.function.UnaryOperator<ChatResponse> answer) {
        return policy.decorate(ScriptedProvider.newBuilder("fake")
                .answer(r -> answer.apply(ChatResponse.newBuilder().provider("fake").text("ok").build())).build());
    }

    private int inFlight() {
        return policy.stats().inFlightCount();
    }

    @Test
    void stream_holdsItsSlotFromSubscriptionUntilItCompletes() throws Exception {
        streams.set(CHUNKS, null);
        ChatStream stream = provider.stream(REQUEST);
        assertEquals(0, inFlight(), "nothing is taken before the stream is subscribed to");
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>();
        stream.subscribe(sub);
        sub.request(1);
        assertEquals(1, inFlight());
        assertThrows(RateLimitException.class, () -> provider.chat(ChatRequest.of("m", "meanwhile"),
                CallScope.of(java.time.Instant.now().plusMillis(50), true)));
        sub.request(10);
        sub.awaitTerminal();
        assertTrue(sub.isCompleted());
        assertEquals(0, inFlight(), "released when the stream completed");
        assertEquals(10_000 - 12, policy.limiter().lane("fake", "m").tokensAvailable(), "settled with the stream's usage");
    }

    @Test
    void stream_releasesItsSlotWhenItFails() throws Exception {
        LlmException broken = LlmException.newBuilder(LlmException.Kind.STREAM_INTERRUPTED).build();
        streams.set(CHUNKS.subList(0, 1), broken);
        assertSame(broken, assertThrows(LlmException.class, () -> provider.stream(REQUEST).collect()));
        assertEquals(0, inFlight());
    }

    @Test
    void stream_releasesItsSlotWhenCancelled_andTheCancelReachesTheProvider() {
        streams.set(CHUNKS, null);
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>();
        provider.stream(REQUEST).subscribe(sub);
        sub.request(1);
        assertEquals(1, inFlight());
        sub.cancel();
        assertTrue(streams.made().get(0).cancelled.get());
        assertEquals(0, inFlight());
        sub.cancel();
        assertEquals(0, inFlight(), "released once");
        assertEquals("ok", chats(ok -> ok).chat(ChatRequest.of("m", "next")).text());
    }

    @Test
    void stream_keepsBackpressure_demandAskedBeforeTheGrantIsHandedOn() {
        streams.set(CHUNKS, null);
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>();
        provider.stream(REQUEST).subscribe(sub);
        sub.request(1);
        assertEquals(1, sub.items().size());
        assertEquals(1, streams.made().get(0).requested.get());
        sub.request(1);
        assertEquals(2, sub.items().size());
        assertEquals(2, streams.made().get(0).requested.get());
    }

    @Test
    void stream_thatMustWait_waitsOffTheSubscribingThreadThenFlows() throws Exception {
        streams.set(CHUNKS, null);
        try (SlotHolder holder = new SlotHolder()) {
            TestSubscriber<ChatChunk> sub = new TestSubscriber<>();
            provider.stream(REQUEST).subscribe(sub); // returns at once
            sub.request(Long.MAX_VALUE);
            assertTrue(policy.limiter().awaitWaitingCallers(1, Duration.ofSeconds(10)));
            assertEquals(List.of(), streams.made(), "the provider's stream is not subscribed to");
            holder.release();
            sub.awaitTerminal();
            assertTrue(sub.isCompleted());
            assertEquals(3, sub.items().size());
        }
        assertEquals(0, inFlight());
    }

    @Test
    void stream_cancelledWhileWaiting_leavesTheLineAndNeverSubscribes() throws Exception {
        streams.set(CHUNKS, null);
        try (SlotHolder holder = new SlotHolder()) {
            TestSubscriber<ChatChunk> sub = new TestSubscriber<>();
            provider.stream(REQUEST).subscribe(sub);
            assertTrue(policy.limiter().awaitWaitingCallers(1, Duration.ofSeconds(10)));
            sub.cancel();
            assertTrue(policy.limiter().awaitNoWaitingCallers(Duration.ofSeconds(10)), "the waiting thread left the line");
            holder.release();
            assertNull(sub.error(), "a cancelled subscriber hears nothing more");
            assertFalse(sub.isCompleted());
        }
        assertEquals(List.of(), streams.made(), "the provider's stream is not subscribed to");
        assertEquals(0, inFlight());
    }

    @Test
    void stream_whoseDeadlinePassesWhileWaiting_failsWithARateLimitException() throws Exception {
        streams.set(CHUNKS, null);
        try (SlotHolder holder = new SlotHolder()) {
            ChatStream stream = provider.stream(REQUEST,
                    CallScope.of(dev.parley.spi.Ticker.system(), Duration.ofMillis(50), true));
            LlmException e = assertThrows(LlmException.class, stream::collect);
            assertInstanceOf(RateLimitException.class, e);
            holder.release();
        }
        assertEquals(List.of(), streams.made(), "the provider's stream is not subscribed to");
        assertEquals(1, policy.stats().rejectedCount());
    }

    @Test
    void stream_passesTheCallScopeToTheProvider() throws Exception {
        streams.set(CHUNKS, null);
        CallScope ctx = CallScope.of(java.time.Instant.now().plusSeconds(60), false);
        ChatStream fast = provider.stream(REQUEST, ctx);
        fast.collect(); // granted at once
        assertEquals(List.of(ctx), fake.scopes());

        try (SlotHolder holder = new SlotHolder()) {
            TestSubscriber<ChatChunk> sub = new TestSubscriber<>();
            provider.stream(REQUEST, ctx).subscribe(sub); // waits on another thread
            sub.request(Long.MAX_VALUE);
            assertTrue(policy.limiter().awaitWaitingCallers(1, Duration.ofSeconds(10)));
            holder.release();
            sub.awaitTerminal();
            assertTrue(sub.isCompleted());
        }
        assertEquals(List.of(ctx, ctx), fake.scopes(), "the stream that waited got the scope too");
    }

    /** A chat that holds the only concurrency slot from its construction until {@link #release()}. */
    private final class SlotHolder implements AutoCloseable {
        private final CountDownLatch release = new CountDownLatch(1);
        private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        private final Future<ChatResponse> chat;

        SlotHolder() {
            CountDownLatch holding = new CountDownLatch(1);
            Provider holder = chats(ok -> {
                holding.countDown();
                await(release);
                return ok;
            });
            chat = threads.submit(() -> holder.chat(ChatRequest.of("m", "holder")));
            await(holding);
        }

        /** Lets the chat finish and waits for it. */
        void release() throws Exception {
            release.countDown();
            chat.get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            release.countDown();
            threads.close();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
