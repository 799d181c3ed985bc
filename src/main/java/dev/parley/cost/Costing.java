package dev.parley.cost;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.Usage;
import dev.parley.internal.StreamTap;
import dev.parley.internal.TokenEstimate;
import dev.parley.spi.Chain;

/** What {@link CostPolicy} does with a call: reserves its worst case, then records what it cost. Thread-safe. */
final class Costing {

    private Costing() {
    }

    static <Q, R> R call(CostPolicy policy, Chain<Q, R> chain) {
        String provider = chain.provider();
        double reserved;
        String requested;
        if (chain.request() instanceof ChatRequest r) {
            reserved = policy.reserve(provider, r);
            requested = r.model();
        } else if (chain.request() instanceof EmbeddingRequest r) {
            reserved = reserveEmbedding(policy, provider, r);
            requested = r.model();
        } else {
            return chain.proceed(); // listing models costs nothing
        }
        try {
            R response = chain.proceed();
            if (response instanceof ChatResponse r) {
                policy.tracker().add(r.provider(), model(r.model(), requested), r.usage());
            } else if (response instanceof EmbeddingResponse r) {
                policy.tracker().add(r.provider(), model(r.model(), requested), r.usage());
            }
            return response;
        } finally {
            policy.release(reserved);
        }
    }

    private static double reserveEmbedding(CostPolicy policy, String provider, EmbeddingRequest request) {
        ModelPrice price = Double.isInfinite(policy.budget()) ? null
                : policy.tracker().prices().find(provider, request.model()).orElse(null);
        return price == null ? 0
                : policy.reserve(provider, request.model(), price.worstCase(TokenEstimate.prompt(request), 0));
    }

    static ChatStream stream(CostPolicy policy, Chain<ChatRequest, ChatStream> chain) {
        ChatRequest request = chain.request();
        double reserved = policy.reserve(chain.provider(), request);
        ChatStream stream;
        try {
            stream = chain.proceed();
        } catch (RuntimeException e) {
            policy.release(reserved);
            throw e;
        }
        return StreamTap.tap(stream, new StreamTap.Listener() {
            private Usage usage;
            private String model;
            private String answered;

            @Override
            public void onChunk(ChatChunk chunk) {
                if (chunk.usage() != null) {
                    usage = chunk.usage();
                }
                if (chunk.model() != null) {
                    model = chunk.model();
                }
                if (chunk.provider() != null) {
                    answered = chunk.provider(); // a fallback below may have answered
                }
            }

            @Override
            public void onComplete() {
                end();
            }

            @Override
            public void onError(Throwable error) {
                end();
            }

            @Override
            public void onCancel() {
                end();
            }

            private void end() {
                if (usage != null) {
                    policy.tracker().add(answered != null ? answered : stream.provider(), model(model, request.model()), usage);
                }
                policy.release(reserved);
            }
        });
    }

    private static String model(String answered, String requested) {
        return answered != null ? answered : requested;
    }
}
