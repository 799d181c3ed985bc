package dev.parley.cache;

import dev.parley.support.PublisherScript;
import dev.parley.support.TestSubscriber;

import static dev.parley.spi.Chain.Operation.CHAT;
import static dev.parley.spi.Chain.Operation.STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.FinishReason;
import dev.parley.LlmException;
import dev.parley.ReasoningBlock;
import dev.parley.ToolCall;
import dev.parley.ToolCallDelta;
import dev.parley.Usage;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;
import dev.parley.testing.ScriptedProvider;
import java.util.Set;

class CacheStreamTest {

    private static final ChatRequest REQUEST = ChatRequest.of("m", "tell me");
    private static final List<ChatChunk> CHUNKS = List.of(
            ChatChunk.ofText("Once "),
            ChatChunk.ofText("upon "),
            ChatChunk.ofText("a time."),
            ChatChunk.newBuilder().toolCalls(List.of(new ToolCallDelta(0, "call_1", "save", "{\"a\":"))).id("id-1")
                    .model("m-1").build(),
            ChatChunk.newBuilder().toolCalls(List.of(new ToolCallDelta(0, null, null, "1}"))).build(),
            ChatChunk.newBuilder().finishReason(FinishReason.STOP).rawFinishReason("stop").usage(Usage.of(7, 4))
                    .build());

    private final PublisherScript streams = new PublisherScript();
    private final ScriptedProvider fake = ScriptedProvider.newBuilder("fake").stream(streams).build();
    private final CachePolicy cache = CachePolicy.newBuilder().build();
    private final Provider provider = cache.decorate(fake);

    @Test
    void stream_completedMiss_isStoredThenReplayedWithoutTheNetwork() {
        streams.set(CHUNKS, null);
        ChatResponse first = provider.stream(REQUEST).collect();
        assertEquals("Once upon a time.", first.text());
        assertEquals(1, streams.made().get(0).subscriptions.get());

        ChatResponse replayed = provider.stream(REQUEST).collect();
        assertEquals(1, streams.made().get(0).subscriptions.get());
        assertEquals(1, streams.made().size(), "a hit never asks the delegate for a stream");
        assertEquals(first.text(), replayed.text());
        assertEquals(List.of(new ToolCall("call_1", "save", "{\"a\":1}")), replayed.toolCalls());
        assertEquals(FinishReason.STOP, replayed.finishReason());
        assertEquals(Usage.of(7, 4), replayed.usage());
        assertEquals(new CacheStats(1, 1, 0, 0, 0, 0, 0), cache.stats());

        assertEquals(first.text(), provider.chat(REQUEST).text(), "chat shares the entry");
        assertEquals(0, fake.calls(CHAT));
    }

    @Test
    void stream_chatEntry_isReplayedAsAStream() {
        ScriptedProvider scripted = ScriptedProvider.newBuilder("fake").reply(ChatResponse.newBuilder().provider("fake")
                .text("cached answer").reasoning(List.of(new ReasoningBlock("hmm", "sig", null))).finishReason("stop")
                .usage(Usage.of(1, 2)).build()).build();
        Provider provider = cache.decorate(scripted);
        provider.chat(REQUEST);
        List<ChatChunk> chunks = new ArrayList<>();
        try (ChatStream s = provider.stream(REQUEST)) {
            s.forEach(chunks::add);
        }
        assertEquals(0, scripted.calls(STREAM), "a hit never asks the delegate for a stream");
        ChatResponse r = ChatStream.ofChunks("fake", chunks).collect();
        assertEquals("cached answer", r.text());
        assertEquals(List.of(new ReasoningBlock("hmm", "sig", null)), r.reasoning());
    }

    @Test
    void stream_keepsBackpressure_andCancellationReachesTheProvider() throws Exception {
        streams.set(CHUNKS, null);
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>();
        provider.stream(REQUEST).subscribe(sub);
        sub.request(2);
        assertEquals(2, sub.items().size());
        assertEquals(2, streams.made().get(0).requested.get(), "demand passes through unchanged");
        sub.cancel();
        assertTrue(streams.made().get(0).cancelled.get());
        assertNull(sub.error());
        assertEquals(0, cache.store().size(), "a cancelled stream stores nothing");
        provider.stream(REQUEST).collect();
        assertEquals(2, streams.made().size(), "and the next stream calls the provider again");
    }

    @Test
    void stream_failure_reachesTheSubscriber_andStoresNothing() {
        LlmException broken = LlmException.newBuilder(LlmException.Kind.STREAM_INTERRUPTED).build();
        streams.set(CHUNKS.subList(0, 2), broken);
        assertSame(broken, assertThrows(LlmException.class, () -> provider.stream(REQUEST).collect()));
        assertEquals(0, cache.store().size());
        streams.set(CHUNKS, null);
        provider.stream(REQUEST).collect();
        assertEquals(1, cache.store().size());
    }

    @Test
    void stream_emptyCompletedStream_isNotStored() {
        streams.set(List.of(), null);
        provider.stream(REQUEST).collect();
        assertEquals(0, cache.store().size());
    }

    @Test
    void stream_passesTheCallScopeToTheProviderOnAMiss() {
        streams.set(CHUNKS, null);
        var scope = dev.parley.spi.CallScope.of(java.time.Instant.now().plusSeconds(60), true);
        ChatStream s = provider.stream(REQUEST, scope);
        assertEquals(List.of(), fake.scopes(), "nothing is asked of the provider before the stream is subscribed to");
        s.collect();
        assertEquals(List.of(scope), fake.scopes());
    }

    @Test
    void stream_unsupportedByTheProvider_failsWhenSubscribed() {
        ScriptedProvider chatOnly = ScriptedProvider.newBuilder("fake").capabilities(Set.of(Capability.CHAT)).build();
        ChatStream stream = cache.decorate(chatOnly).stream(REQUEST);
        assertThrows(LlmException.class, stream::collect);
    }
}
