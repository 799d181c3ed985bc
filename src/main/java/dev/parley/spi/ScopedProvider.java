package dev.parley.spi;

import java.util.List;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.ModelInfo;

/**
 * A provider that passes each call's {@link CallScope} on: the base of providers made of other
 * providers, such as a router or a stack of policies. A subclass implements the four methods
 * that take a scope; the ones without a scope call them with {@link CallScope#none()}.
 */
public abstract class ScopedProvider implements Provider {

    /** For subclasses. */
    protected ScopedProvider() {
    }

    @Override
    public final ChatResponse chat(ChatRequest request) {
        return chat(request, CallScope.none());
    }

    @Override
    public final ChatStream stream(ChatRequest request) {
        return stream(request, CallScope.none());
    }

    @Override
    public final EmbeddingResponse embed(EmbeddingRequest request) {
        return embed(request, CallScope.none());
    }

    @Override
    public final List<ModelInfo> models() {
        return models(CallScope.none());
    }

    @Override
    public abstract ChatResponse chat(ChatRequest request, CallScope scope);

    @Override
    public abstract ChatStream stream(ChatRequest request, CallScope scope);

    @Override
    public abstract EmbeddingResponse embed(EmbeddingRequest request, CallScope scope);

    @Override
    public abstract List<ModelInfo> models(CallScope scope);
}
