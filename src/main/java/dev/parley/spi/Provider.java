package dev.parley.spi;

import java.util.List;
import java.util.Set;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.internal.RequestChecks;

/**
 * A model provider: something that answers chat requests, and perhaps streams and embeds.
 *
 * <p>Adapters for OpenAI, DeepSeek, Anthropic, Ollama and OpenAI-compatible servers implement
 * this interface, and so does every policy (cache, retry, rate limit ...), which wraps another
 * provider. A third party adds a provider by implementing it and a {@link ProviderFactory}.
 *
 * <p>Contract for implementations:
 * <ul>
 * <li>Methods block the calling thread (cheap on virtual threads) and must respond to
 *     interruption by aborting the HTTP exchange and throwing an {@link LlmException} of kind
 *     {@code TIMEOUT} or rethrowing as the caller expects; they never swallow the interrupt.</li>
 * <li>Every failure is an {@link LlmException}; never a raw {@code IOException} or a
 *     {@code NullPointerException}.</li>
 * <li>{@link #stream} returns at once: nothing is sent until the stream is subscribed to, and
 *     each {@link ChatStream} is consumed once.</li>
 * <li>What the provider cannot do fails before any network call, with an
 *     {@link dev.parley.UnsupportedCapabilityException}.</li>
 * <li>Implementations are thread-safe.</li>
 * </ul>
 */
public interface Provider {

    /** {@return the provider's name, such as "openai"; used in errors, metrics and responses} */
    String name();

    /** {@return what this provider can do} */
    Set<Capability> capabilities();

    /**
     * Sends a chat request and waits for the whole answer.
     *
     * @param request the request; its model must be set
     * @return the answer
     * @throws LlmException if the call fails
     */
    ChatResponse chat(ChatRequest request);

    /**
     * Prepares a streamed chat request; the request is sent when the stream is subscribed to.
     *
     * @param request the request; its model must be set
     * @return the stream of chunks
     * @throws LlmException if the provider cannot stream
     */
    ChatStream stream(ChatRequest request);

    /**
     * Embeds a batch of texts. The default refuses with an {@link LlmException.Kind#UNSUPPORTED}
     * error: a provider without {@link Capability#EMBEDDINGS} need not implement it.
     *
     * @param request the request; its model must be set
     * @return the vectors, in input order
     * @throws LlmException if the call fails, or the provider has no embeddings
     */
    default EmbeddingResponse embed(EmbeddingRequest request) {
        throw unsupported("embeddings are");
    }

    /**
     * Lists the models the provider offers. The default refuses with an
     * {@link LlmException.Kind#UNSUPPORTED} error: a provider without {@link Capability#MODELS}
     * need not implement it.
     *
     * @return the models
     * @throws LlmException if the call fails, or the provider cannot list models
     */
    default List<ModelInfo> models() {
        throw unsupported("listing models is");
    }

    /**
     * Sends a chat request within a call's scope. Layers call this form; the default ignores the
     * scope and calls {@link #chat(ChatRequest)}. A provider that passes calls on to other
     * providers (a router, a stack of policies) overrides it to pass the scope on, so that their
     * policies see the call's deadline and observer.
     *
     * @param request the request; its model must be set
     * @param scope   the call's scope
     * @return the answer
     * @throws LlmException if the call fails
     */
    default ChatResponse chat(ChatRequest request, CallScope scope) {
        return chat(request);
    }

    /**
     * Prepares a streamed chat request within a call's scope; see {@link #chat(ChatRequest, CallScope)}.
     *
     * @param request the request; its model must be set
     * @param scope   the call's scope
     * @return the stream of chunks
     * @throws LlmException if the provider cannot stream
     */
    default ChatStream stream(ChatRequest request, CallScope scope) {
        return stream(request);
    }

    /**
     * Embeds a batch of texts within a call's scope; see {@link #chat(ChatRequest, CallScope)}.
     *
     * @param request the request; its model must be set
     * @param scope   the call's scope
     * @return the vectors, in input order
     * @throws LlmException if the call fails, or the provider has no embeddings
     */
    default EmbeddingResponse embed(EmbeddingRequest request, CallScope scope) {
        return embed(request);
    }

    /**
     * Lists the models within a call's scope; see {@link #chat(ChatRequest, CallScope)}.
     *
     * @param scope the call's scope
     * @return the models
     * @throws LlmException if the call fails, or the provider cannot list models
     */
    default List<ModelInfo> models(CallScope scope) {
        return models();
    }

    private LlmException unsupported(String what) {
        return RequestChecks.unsupported(name(), what);
    }
}
