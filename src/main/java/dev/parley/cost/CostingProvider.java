package dev.parley.cost;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.Usage;
import dev.parley.internal.StreamTap;
import dev.parley.internal.TokenEstimate;
import dev.parley.spi.ForwardingProvider;
import dev.parley.spi.Provider;

/** The decorator of {@link CostPolicy}. Thread-safe. */
final class CostingProvider extends ForwardingProvider {

    private final CostPolicy policy;

    CostingProvider(Provider delegate, CostPolicy policy) {
        super(delegate);
        this.policy = policy;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        double reserved = policy.reserve(delegate().name(), request);
        try {
            ChatResponse response = delegate().chat(request);
            policy.tracker().add(response.provider(), model(response.model(), request.model()), response.usage());
            return response;
        } finally {
            policy.release(reserved);
        }
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        double reserved = policy.reserve(delegate().name(), request);
        ChatStream stream;
        try {
            stream = delegate().stream(request);
        } catch (RuntimeException e) {
            policy.release(reserved);
            throw e;
        }
        return StreamTap.tap(stream, new StreamTap.Listener() {
            private Usage usage;
            private String model;

            @Override
            public void onChunk(dev.parley.ChatChunk chunk) {
                if (chunk.usage() != null) {
                    usage = chunk.usage();
                }
                if (chunk.model() != null) {
                    model = chunk.model();
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
                    policy.tracker().add(stream.provider(), model(model, request.model()), usage);
                }
                policy.release(reserved);
            }
        });
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        double reserved = 0;
        ModelPrice price = Double.isInfinite(policy.budget()) ? null
                : policy.tracker().prices().find(delegate().name(), request.model()).orElse(null);
        if (price != null) {
            reserved = policy.reserve(delegate().name(), request.model(), price.worstCase(TokenEstimate.prompt(request), 0));
        }
        try {
            EmbeddingResponse response = delegate().embed(request);
            policy.tracker().add(response.provider(), model(response.model(), request.model()), response.usage());
            return response;
        } finally {
            policy.release(reserved);
        }
    }

    private static String model(String answered, String requested) {
        return answered != null ? answered : requested;
    }
}
