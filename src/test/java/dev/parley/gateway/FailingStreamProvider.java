package dev.parley.gateway;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;
import dev.parley.support.ScriptedPublisher;

/** A provider whose streams send some chunks (a {@link ScriptedPublisher}) and then fail with an error. Thread-safe. */
final class FailingStreamProvider implements Provider {

    private final List<ChatChunk> chunks;
    private final LlmException error;

    FailingStreamProvider(List<ChatChunk> chunks, LlmException error) {
        this.chunks = List.copyOf(chunks);
        this.error = error;
    }

    @Override
    public String name() {
        return "failing";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        throw error;
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        return ChatStream.of(name(), new ScriptedPublisher(chunks, error));
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        throw error;
    }

    @Override
    public List<ModelInfo> models() {
        throw error;
    }
}
