package dev.parley.provider.openai;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.ModelInfo;
import dev.parley.http.DecodingPublisher;
import dev.parley.http.HttpErrors;
import dev.parley.http.Transport;
import dev.parley.json.Json;
import dev.parley.json.JsonAccessException;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;
import dev.parley.spi.Capability;
import dev.parley.internal.InterruptibleCalls;
import dev.parley.internal.RequestChecks;
import dev.parley.spi.Provider;

/**
 * A provider that speaks the OpenAI Chat Completions protocol: {@code POST /chat/completions}
 * (whole or streamed as Server-Sent Events ending with {@code data: [DONE]}),
 * {@code POST /embeddings} and {@code GET /models}, for OpenAI, DeepSeek, Azure OpenAI and any
 * compatible server, as its {@link Dialect} says.
 *
 * <p>Requests are checked before anything is sent ({@link RequestChecks}): a missing model is a
 * {@link Kind#INVALID_REQUEST} error (except on Azure, where the deployment names the model), and
 * tools, images, JSON schemas, embeddings or model lists outside the dialect's
 * {@linkplain #capabilities() capabilities} are {@link Kind#UNSUPPORTED}.
 *
 * <p>Immutable and thread-safe.
 */
final class OpenAiProvider implements Provider, InterruptibleCalls {

    private final Settings settings;
    /** The endpoints, resolved once: parsing a URI per call showed up as 5% of a caller's CPU. */
    private final URI chatUri;
    private final URI embeddingsUri;
    private final URI modelsUri;

    OpenAiProvider(Settings settings) {
        this.settings = settings;
        this.chatUri = settings.endpoint("/chat/completions");
        this.embeddingsUri = settings.endpoint("/embeddings");
        this.modelsUri = settings.endpoint("/models");
    }

    /** {@return the settings, for tests} */
    Settings settings() {
        return settings;
    }

    /** Calls wait on {@link Transport#send}, which aborts the exchange when the thread is interrupted. */
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
        return settings.dialect().capabilities();
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        check(request);
        HttpRequest http = post(chatUri, ChatEncoder.chat(settings.dialect(), request, false),
                "application/json");
        Transport.Response response = Transport.send(settings.client(), http, name(), settings.apiKey(),
                settings.limits().chat());
        String requestId = HttpErrors.requestId(response.headers());
        return decode(response, requestId, body -> ChatDecoder.response(settings.dialect(), name(), body,
                request.model(), response.headers(), requestId));
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        check(request);
        HttpRequest http = post(chatUri, ChatEncoder.chat(settings.dialect(), request, true),
                "text/event-stream");
        return ChatStream.of(name(), Transport.stream(settings.client(), http, name(), settings.apiKey(),
                (headers, body) -> DecodingPublisher.sse(body, new ChunkMapper(settings.dialect(), name(),
                        headers, settings.apiKey()))));
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        RequestChecks.require(this, Capability.EMBEDDINGS, "embeddings are");
        if (settings.dialect().modelRequired) {
            RequestChecks.requireEmbeddingModel(name(), request.model());
        }
        HttpRequest http = post(embeddingsUri, Embeddings.request(request, settings.base64Embeddings()),
                "application/json");
        Transport.Response response = Transport.send(settings.client(), http, name(), settings.apiKey(),
                settings.limits().embeddings());
        String requestId = HttpErrors.requestId(response.headers());
        EmbeddingResponse read = Embeddings.embeddings(name(), response.body(), request.inputs().size(),
                request.model(), requestId);
        if (read == null) {
            read = decode(response, requestId, body -> Embeddings.embeddings(name(), body,
                    request.inputs().size(), request.model(), requestId));
        }
        return read.withHeaders(response.headers());
    }

    @Override
    public List<ModelInfo> models() {
        RequestChecks.require(this, Capability.MODELS, "listing models is");
        HttpRequest http = request(modelsUri, "application/json").GET().build();
        Transport.Response response = Transport.send(settings.client(), http, name(), settings.apiKey(),
                settings.limits().chat());
        return decode(response, HttpErrors.requestId(response.headers()), ModelList::decode);
    }

    /** Fails before any network call for what the request needs and the provider lacks. */
    private void check(ChatRequest request) {
        check(this, request);
    }

    /** Fails before any network call for what the request needs and {@code provider} (this one, or a Responses one) lacks. */
    void check(Provider provider, ChatRequest request) {
        if (settings.dialect().modelRequired) {
            RequestChecks.requireModel(name(), request.model());
        }
        RequestChecks.requireCapabilities(provider, request);
    }

    HttpRequest post(URI uri, JsonObject body, String accept) {
        return request(uri, accept)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofByteArray(Json.writeBytes(body)))
                .build();
    }

    private HttpRequest.Builder request(URI uri, String accept) {
        HttpRequest.Builder b = Transport.request(uri).header("Accept", accept);
        if (settings.apiKey() != null) {
            if (settings.dialect().apiKeyHeader) {
                b.header("api-key", settings.apiKey().value());
            } else {
                b.header("Authorization", "Bearer " + settings.apiKey().value());
            }
        }
        settings.headers().forEach(b::setHeader);
        return b;
    }

    /**
     * Parses a 2xx body and reads it with {@code reader}; a body that is not JSON, or JSON of
     * another shape, is a {@link Kind#SERVER_ERROR} naming what was wrong (not retried: the same
     * request would get the same answer).
     */
    <T> T decode(Transport.Response response, String requestId, Function<JsonObject, T> reader) {
        try {
            JsonValue body = Json.parse(response.body());
            if (!(body instanceof JsonObject o)) {
                throw new JsonAccessException("", "expected a JSON object, got " + body.kind());
            }
            return reader.apply(o);
        } catch (JsonException | IllegalArgumentException | ArithmeticException e) {
            throw LlmException.newBuilder(Kind.SERVER_ERROR)
                    .provider(name())
                    .statusCode(response.status())
                    .message("unexpected response from the provider: " + settings.redact(e.getMessage()))
                    .requestId(requestId)
                    .retryable(false)
                    .cause(e)
                    .build();
        }
    }

    @Override
    public String toString() {
        return "OpenAiProvider[" + settings + "]";
    }
}
