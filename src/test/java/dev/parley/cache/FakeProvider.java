package dev.parley.cache;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.ModelInfo;
import dev.parley.Usage;
import dev.parley.spi.Capability;
import dev.parley.spi.CallScope;
import dev.parley.spi.Provider;

/** A scripted provider that counts its calls. Thread-safe if its scripts are. */
final class FakeProvider implements Provider {

    final AtomicInteger chatCalls = new AtomicInteger();
    final AtomicInteger streamCalls = new AtomicInteger();
    final AtomicInteger embedCalls = new AtomicInteger();
    final AtomicInteger modelsCalls = new AtomicInteger();
    volatile Function<ChatRequest, ChatResponse> onChat = FakeProvider::answer;
    volatile Function<ChatRequest, ChatStream> onStream = r -> ChatStream.ofResponse(answer(r));
    volatile Function<EmbeddingRequest, EmbeddingResponse> onEmbed = FakeProvider::vectors;

    /** {@return an answer that echoes the last message and counts nothing} */
    static ChatResponse answer(ChatRequest r) {
        String last = r.messages().get(r.messages().size() - 1).text();
        return ChatResponse.newBuilder().provider("fake").model(r.model()).id("resp-1")
                .text("echo: " + last).finishReason("stop").usage(Usage.of(10, 5)).build();
    }

    static EmbeddingResponse vectors(EmbeddingRequest r) {
        List<dev.parley.Embedding> out = new java.util.ArrayList<>();
        for (int i = 0; i < r.inputs().size(); i++) {
            float[] v = {i, 0.1f, -1.5e-7f, Float.MAX_VALUE, r.inputs().get(i).length()};
            out.add(new dev.parley.Embedding(i, v));
        }
        return new EmbeddingResponse(r.model(), "fake", out, Usage.of(3, 0), "req-e");
    }

    private final String name;

    FakeProvider() {
        this("fake");
    }

    FakeProvider(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.CHAT, Capability.STREAMING, Capability.EMBEDDINGS);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        chatCalls.incrementAndGet();
        return onChat.apply(request);
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        streamCalls.incrementAndGet();
        return onStream.apply(request);
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        embedCalls.incrementAndGet();
        return onEmbed.apply(request);
    }

    @Override
    public List<ModelInfo> models() {
        modelsCalls.incrementAndGet();
        return List.of(new ModelInfo("m1", null, 0, null));
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
