package dev.parley.cache;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.internal.CallContext;
import dev.parley.spi.ForwardingProvider;
import dev.parley.spi.Provider;

/** A provider behind a {@link CachePolicy}; see there for what is cached. Thread-safe. */
final class CachingProvider extends ForwardingProvider {

    private final CacheCore policy;

    CachingProvider(CacheCore policy, Provider delegate) {
        super(delegate);
        this.policy = policy;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        if (!CallContext.current().cacheEnabled()) {
            policy.bypass();
            return delegate().chat(request);
        }
        return policy.load(CacheKey.chat(delegate().name(), request), () -> delegate().chat(request),
                CacheCodec::readChat, CacheCodec::writeChat);
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        CallContext context = CallContext.current();
        if (!context.cacheEnabled()) {
            policy.bypass();
            return delegate().stream(request);
        }
        String key = CacheKey.chat(delegate().name(), request);
        // Subscribed to later, perhaps on another thread: reopen the context of the call. The
        // delegate is only asked for a stream on a miss, so a hit never reaches the layers below
        // (no rate-limit permit, no budget reservation).
        // The name the stream reports: the cached answer's, or the delegate stream's (which a
        // fallback below knows only once it answered).
        AtomicReference<Supplier<String>> source = new AtomicReference<>(delegate()::name);
        return ChatStream.of(() -> source.get().get(), subscriber -> context.call(() -> {
            ChatResponse cached = policy.lookup(key, CacheCodec::readChat);
            if (cached != null) {
                policy.hit();
                source.set(cached::provider);
                ChatStream.ofResponse(cached).subscribe(subscriber);
                return null;
            }
            policy.miss();
            ChatStream upstream;
            try {
                upstream = delegate().stream(request);
            } catch (RuntimeException e) {
                ChatStream.failed(delegate().name(), e).subscribe(subscriber);
                return null;
            }
            source.set(upstream::provider);
            upstream.subscribe(new FillingSubscriber(subscriber, upstream::provider,
                    response -> policy.save(key, CacheCodec::writeChat, response)));
            return null;
        }));
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        if (!CallContext.current().cacheEnabled()) {
            policy.bypass();
            return delegate().embed(request);
        }
        return policy.load(CacheKey.embedding(delegate().name(), request), () -> delegate().embed(request),
                CacheCodec::readEmbedding, CacheCodec::writeEmbedding);
    }

    @Override
    public String toString() {
        return "Cached[" + delegate() + "]";
    }
}
