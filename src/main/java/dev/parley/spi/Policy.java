package dev.parley.spi;

import java.util.List;

import dev.parley.ChatRequest;
import dev.parley.ChatStream;

/**
 * One layer of the stack between a caller and a {@link Provider}: Parley's cache, cost,
 * fallback, circuit breaker, retry, rate limit and timeout are each a policy, and a user adds a
 * layer of their own the same way ({@code Llm.Builder.policy(Policy)}).
 *
 * <p>Calls answered at once (chat, embeddings, the model list) all pass through
 * {@link #call(Chain)}: a layer that treats them alike (a retry, a breaker) writes its logic
 * once, and one that cares about the kind of call looks at {@link Chain#operation()} and
 * {@link Chain#request()}. Streams pass through {@link #stream(Chain)}, because what a layer
 * does with a stream happens later, as its chunks arrive. Both default to passing the call on
 * unchanged.
 *
 * {@snippet :
 * Policy timing = new Policy() {
 *     @Override
 *     public <Q, R> R call(Chain<Q, R> chain) {
 *         long start = System.nanoTime();
 *         try {
 *             return chain.proceed();
 *         } finally {
 *             System.out.println(chain.operation() + " took " + (System.nanoTime() - start) / 1_000_000 + " ms");
 *         }
 *     }
 * };
 * }
 *
 * <p>Implementations are thread-safe: one policy serves every call of every thread.
 */
public interface Policy {

    /**
     * Handles a chat, an embeddings call or a model listing. The default passes it on.
     *
     * @param chain the call, and the way to the layers below
     * @param <Q>   the request type
     * @param <R>   the result type
     * @return the result
     * @throws dev.parley.LlmException if the call fails
     */
    default <Q, R> R call(Chain<Q, R> chain) {
        return chain.proceed();
    }

    /**
     * Handles a streamed chat: returns the stream at once, sending nothing until it is
     * subscribed to. The default passes it on.
     *
     * @param chain the call, and the way to the layers below
     * @return the stream
     * @throws dev.parley.LlmException if the stream cannot be made
     */
    default ChatStream stream(Chain<ChatRequest, ChatStream> chain) {
        return chain.proceed();
    }

    /**
     * {@return {@code provider} behind this policy alone}: a provider whose calls pass through
     * {@link #call}/{@link #stream} and then go to {@code provider}.
     *
     * @param provider the provider to put behind this policy
     */
    default Provider decorate(Provider provider) {
        return stack(provider, List.of(this));
    }

    /**
     * {@return {@code provider} behind {@code policies}}, the first the outermost: a call goes
     * through {@code policies.get(0)}, then {@code policies.get(1)}, ..., then to the provider.
     * Each time the provider itself is called, the call's {@link CallScope.Observer} is told
     * that an attempt starts (when the stream is subscribed to, for a stream).
     *
     * @param provider the provider at the bottom
     * @param policies the layers, outermost first; may be empty
     */
    static Provider stack(Provider provider, List<? extends Policy> policies) {
        return new Stack(provider, policies);
    }
}
