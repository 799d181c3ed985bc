package dev.parley.spi;

/**
 * One call as a {@link Policy} sees it: what is asked, of which provider, in which
 * {@link CallScope}, and the way on to the next layer. Modelled on OkHttp's
 * {@code Interceptor.Chain}.
 *
 * <p>A chain may be proceeded more than once (a retry proceeds again) and from another thread
 * (a retry of a stream waits on one); each {@link #proceed} is a fresh call of the layers below.
 * Thread-safe.
 *
 * @param <Q> the request type: {@code ChatRequest} for {@link Operation#CHAT} and
 *            {@link Operation#STREAM}, {@code EmbeddingRequest} for {@link Operation#EMBED},
 *            {@code Void} (a null request) for {@link Operation#MODELS}
 * @param <R> the result type: {@code ChatResponse}, {@code ChatStream},
 *            {@code EmbeddingResponse} or {@code List<ModelInfo>}
 */
public interface Chain<Q, R> {

    /** What a call asks of the provider. */
    enum Operation {
        /** A chat answered whole. */
        CHAT,
        /** A streamed chat: the result is a {@code ChatStream}, not yet subscribed to. */
        STREAM,
        /** Embeddings. */
        EMBED,
        /** The list of models. */
        MODELS
    }

    /** {@return what the call asks} */
    Operation operation();

    /** {@return the request as this layer received it; null for {@link Operation#MODELS}} */
    Q request();

    /** {@return the call's scope as this layer received it} */
    CallScope scope();

    /** {@return the name of the provider at the bottom of the stack, such as "openai"} */
    String provider();

    /**
     * Calls the layers below with the same request and scope.
     *
     * @return their result
     */
    default R proceed() {
        return proceed(request(), scope());
    }

    /**
     * Calls the layers below with another request (such as another model) or a narrower scope.
     *
     * @param request the request to pass on
     * @param scope   the scope to pass on
     * @return their result
     */
    R proceed(Q request, CallScope scope);
}
