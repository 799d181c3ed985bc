package dev.parley.limit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.Embedding;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.ModelInfo;
import dev.parley.Usage;
import dev.parley.spi.Capability;
import dev.parley.spi.CallScope;
import dev.parley.spi.Provider;

/** A scripted provider that counts calls, records their order and the most in flight at once. Thread-safe. */
final class FakeProvider implements Provider {

    final AtomicInteger chatCalls = new AtomicInteger();
    final AtomicInteger modelsCalls = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    /** The last message text of each chat call, in the order the calls arrived. */
    final List<String> order = Collections.synchronizedList(new ArrayList<>());
    volatile Function<ChatRequest, ChatResponse> onChat =
            r -> ChatResponse.newBuilder().provider("fake").text("ok").build();
    volatile Function<ChatRequest, ChatStream> onStream = r -> {
        throw new UnsupportedOperationException("no stream scripted");
    };
    volatile Usage embedUsage = Usage.ZERO;

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.CHAT, Capability.STREAMING);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        chatCalls.incrementAndGet();
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            order.add(request.messages().get(request.messages().size() - 1).text());
            return onChat.apply(request);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        return onStream.apply(request);
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        return new EmbeddingResponse(request.model(), "fake", List.of(new Embedding(0, new float[] {1})), embedUsage, null);
    }

    @Override
    public List<ModelInfo> models() {
        modelsCalls.incrementAndGet();
        return List.of();
    }

    /** The scope of the last call, as the layer above passed it. */
    public volatile CallScope lastScope;

    @Override
    public ChatResponse chat(ChatRequest request, CallScope scope) {
        lastScope = scope;
        return chat(request);
    }

    @Override
    public ChatStream stream(ChatRequest request, CallScope scope) {
        lastScope = scope;
        return stream(request);
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request, CallScope scope) {
        lastScope = scope;
        return embed(request);
    }

    @Override
    public List<ModelInfo> models(CallScope scope) {
        lastScope = scope;
        return models();
    }
}
