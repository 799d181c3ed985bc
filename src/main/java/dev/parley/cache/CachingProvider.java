package dev.parley.cache;

import java.util.List;
import java.util.Set;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.ModelInfo;
import dev.parley.internal.CallContext;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;

/** A provider behind a {@link CachePolicy}; see there for what is cached. Thread-safe. */
final class CachingProvider implements Provider {

    private final CacheCore policy;
    private final Provider delegate;

    CachingProvider(CacheCore policy, Provider delegate) {
        this.policy = policy;
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Set<Capability> capabilities() {
        return delegate.capabilities();
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        if (!CallContext.current().cacheEnabled()) {
            policy.bypass();
            return delegate.chat(request);
        }
        return policy.load(CacheKey.chat(delegate.name(), request), () -> delegate.chat(request),
                CacheCodec::readChat, CacheCodec::writeChat);
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        CallContext context = CallContext.current();
        if (!context.cacheEnabled()) {
            policy.bypass();
            return delegate.stream(request);
        }
        String key = CacheKey.chat(delegate.name(), request);
        // Subscribed to later, perhaps on another thread: reopen the context of the call. The
        // delegate is only asked for a stream on a miss, so a hit never reaches the layers below
        // (no rate-limit permit, no budget reservation).
        return ChatStream.of(delegate.name(), subscriber -> context.call(() -> {
            ChatResponse cached = policy.lookup(key, CacheCodec::readChat);
            if (cached != null) {
                policy.hit();
                ChatStream.ofResponse(cached).subscribe(subscriber);
                return null;
            }
            policy.miss();
            ChatStream upstream;
            try {
                upstream = delegate.stream(request);
            } catch (RuntimeException e) {
                ChatStream.failed(delegate.name(), e).subscribe(subscriber);
                return null;
            }
            upstream.subscribe(new FillingSubscriber(subscriber, delegate.name(),
                    response -> policy.save(key, CacheCodec::writeChat, response)));
            return null;
        }));
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        if (!CallContext.current().cacheEnabled()) {
            policy.bypass();
            return delegate.embed(request);
        }
        return policy.load(CacheKey.embedding(delegate.name(), request), () -> delegate.embed(request),
                CacheCodec::readEmbedding, CacheCodec::writeEmbedding);
    }

    @Override
    public List<ModelInfo> models() {
        return delegate.models();
    }

    @Override
    public String toString() {
        return "Cached[" + delegate + "]";
    }
}
