package dev.parley.provider.openai;

import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.ModelInfo;
import dev.parley.http.DecodingPublisher;
import dev.parley.http.HttpErrors;
import dev.parley.http.Transport;
import dev.parley.internal.InterruptibleCalls;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;

/**
 * A provider that chats through OpenAI's Responses API, {@code POST /responses} (whole, or
 * streamed as typed Server-Sent Events that end with {@code response.completed}), instead of
 * Chat Completions: the {@code openai} and {@code openai-compatible} providers with the option
 * {@code api=responses} (setting {@code OPENAI_API=responses}). Embeddings and model lists are the
 * same endpoints as in Chat Completions mode, served by an {@link OpenAiProvider} with the same
 * settings.
 *
 * <p>Requests are encoded by {@link ResponsesEncoder}, responses read by
 * {@link ResponsesDecoder} and streams by {@link ResponsesStreamMapper}; all of them map onto
 * Parley's one request and response model, so caching, retries, rate limits, costs and the tool
 * loop work as with any provider. Reasoning items (with {@code encrypted_content} when asked for)
 * come back as {@link dev.parley.ReasoningBlock}s and are sent back on the next turn unchanged.
 *
 * <p>Immutable and thread-safe.
 */
final class ResponsesProvider implements Provider, InterruptibleCalls {

    private final Settings settings;
    private final OpenAiProvider chatCompletions;
    private final URI responsesUri;
    private final Set<Capability> capabilities;

    ResponsesProvider(Settings settings) {
        this.settings = settings;
        this.chatCompletions = new OpenAiProvider(settings);
        this.responsesUri = settings.endpoint("/responses");
        EnumSet<Capability> caps = EnumSet.of(Capability.REASONING);
        caps.addAll(settings.dialect().capabilities());
        this.capabilities = Set.copyOf(caps);
    }

    /** {@return the settings, for tests} */
    Settings settings() {
        return settings;
    }

    @Override
    public boolean callsEndOnInterrupt() {
        return true;
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        chatCompletions.check(this, request);
        var http = chatCompletions.post(responsesUri, ResponsesEncoder.create(name(), settings.dialect(), request, false), "application/json");
        Transport.Response response = Transport.send(settings.client(), http, name(), settings.apiKey(),
                settings.limits().chat());
        String requestId = HttpErrors.requestId(response.headers());
        return chatCompletions.decode(response, requestId, body -> ResponsesDecoder.response(name(), body,
                request.model(), response.headers(), requestId, settings.apiKey()));
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        chatCompletions.check(this, request);
        var http = chatCompletions.post(responsesUri, ResponsesEncoder.create(name(), settings.dialect(), request, true), "text/event-stream");
        return ChatStream.of(name(), Transport.stream(settings.client(), http, name(), settings.apiKey(),
                (headers, body) -> DecodingPublisher.sse(body, new ResponsesStreamMapper(name(), headers,
                        settings.apiKey()))));
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        return chatCompletions.embed(request);
    }

    @Override
    public List<ModelInfo> models() {
        return chatCompletions.models();
    }

    @Override
    public String toString() {
        return "ResponsesProvider[" + settings + "]";
    }
}
