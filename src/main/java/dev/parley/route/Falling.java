package dev.parley.route;

import java.util.List;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.spi.Chain;
import dev.parley.spi.Provider;

/**
 * What {@link FallbackPolicy} does with a chat: tries the layers below (the primary), then each
 * fallback in order. Embeddings and model lists go to the primary alone: another model's vectors
 * are not comparable. Thread-safe; the counters live in the policy.
 */
final class Falling {

    private final FallbackPolicy policy;
    private final List<FallbackPolicy.Target> fallbacks;
    private final Failover failover;

    Falling(FallbackPolicy policy, List<FallbackPolicy.Target> fallbacks, Failover failover) {
        this.policy = policy;
        this.fallbacks = List.copyOf(fallbacks);
        this.failover = failover;
    }

    @SuppressWarnings("unchecked")
    <Q, R> R call(Chain<Q, R> chain) {
        if (!(chain.request() instanceof ChatRequest request)) {
            return chain.proceed();
        }
        Chain<ChatRequest, ChatResponse> chat = (Chain<ChatRequest, ChatResponse>) chain;
        return (R) failover.call(fallbacks.size() + 1, i -> {
            if (i == 0) {
                return chat.proceed().withProvider(chain.provider());
            }
            FallbackPolicy.Target t = fallbacks.get(i - 1);
            ChatRequest r = requestFor(t, request);
            Provider p = t.provider();
            return p == null ? chat.proceed(r, chain.scope()).withProvider(chain.provider())
                    : p.chat(r, chain.scope()).withProvider(p.name());
        }, counter(chain.provider()), chain.scope());
    }

    ChatStream stream(Chain<ChatRequest, ChatStream> chain) {
        return failover.stream(fallbacks.size() + 1, i -> {
            if (i == 0) {
                return chain.proceed();
            }
            FallbackPolicy.Target t = fallbacks.get(i - 1);
            ChatRequest r = requestFor(t, chain.request());
            return t.provider() == null ? chain.proceed(r, chain.scope()) : t.provider().stream(r, chain.scope());
        }, counter(chain.provider()), chain.scope());
    }

    private String name(int target, String primary) {
        if (target == 0) {
            return primary;
        }
        Provider p = fallbacks.get(target - 1).provider();
        return p == null ? primary : p.name();
    }

    private static ChatRequest requestFor(FallbackPolicy.Target target, ChatRequest request) {
        return target.model() == null ? request : request.withModel(target.model());
    }

    private Failover.Counter counter(String primary) {
        return new Failover.Counter() {
            @Override
            public void called(int target) {
                counters(target, primary).calls.increment();
            }

            @Override
            public void failed(int target) {
                counters(target, primary).failures.increment();
            }
        };
    }

    private FallbackPolicy.Counters counters(int target, String primary) {
        String model = target == 0 ? null : fallbacks.get(target - 1).model();
        return policy.counters(name(target, primary), model);
    }
}
