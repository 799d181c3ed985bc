package dev.parley.cache;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.spi.Chain;

/** What {@link CachePolicy} does with a call: answers from the cache, or fills it. Thread-safe. */
final class Caching {

    private Caching() {
    }

    @SuppressWarnings("unchecked")
    static <Q, R> R call(CacheCore policy, Chain<Q, R> chain) {
        if (!(chain.request() instanceof ChatRequest) && !(chain.request() instanceof EmbeddingRequest)) {
            return chain.proceed(); // the model list is not cached
        }
        if (!chain.scope().cacheEnabled()) {
            policy.bypass();
            return chain.proceed();
        }
        if (chain.request() instanceof ChatRequest request) {
            Chain<ChatRequest, ChatResponse> chat = (Chain<ChatRequest, ChatResponse>) chain;
            return (R) policy.load(CacheKey.chat(chain.provider(), request), chain.scope(), chat::proceed,
                    CacheCodec::readChat, CacheCodec::writeChat);
        }
        Chain<EmbeddingRequest, EmbeddingResponse> embed = (Chain<EmbeddingRequest, EmbeddingResponse>) chain;
        return (R) policy.load(CacheKey.embedding(chain.provider(), embed.request()), chain.scope(), embed::proceed,
                CacheCodec::readEmbedding, CacheCodec::writeEmbedding);
    }

    static ChatStream stream(CacheCore policy, Chain<ChatRequest, ChatStream> chain) {
        if (!chain.scope().cacheEnabled()) {
            policy.bypass();
            return chain.proceed();
        }
        String provider = chain.provider();
        String key = CacheKey.chat(provider, chain.request());
        // Looked up when subscribed to, perhaps on another thread. The layers below are only
        // asked for a stream on a miss, so a hit never reaches them (no rate-limit permit, no
        // budget reservation). The chunks say which provider answered (the cached answer's).
        return ChatStream.of(provider, subscriber -> {
            ChatResponse cached = policy.lookup(key, CacheCodec::readChat);
            if (cached != null) {
                policy.hit();
                ChatStream.ofResponse(cached).subscribe(subscriber);
                return;
            }
            policy.miss();
            ChatStream upstream;
            try {
                upstream = chain.proceed();
            } catch (RuntimeException e) {
                ChatStream.failed(provider, e).subscribe(subscriber);
                return;
            }
            upstream.subscribe(new FillingSubscriber(subscriber, provider,
                    response -> policy.save(key, CacheCodec::writeChat, response)));
        });
    }
}
