package dev.parley.provider.ollama;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.parley.ApiKey;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.http.DecodingPublisher;
import dev.parley.http.HttpErrors;
import dev.parley.http.ResponseLimits;
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
 * Ollama's native API: {@code POST /api/chat} (whole or streamed as NDJSON),
 * {@code POST /api/embed} and {@code GET /api/tags}. See {@link OllamaRequests} and
 * {@link OllamaResponses} for how requests and responses map.
 *
 * <p>Immutable and thread-safe.
 */
final class OllamaProvider implements Provider, InterruptibleCalls {

    private static final Set<Capability> CAPABILITIES = Collections.unmodifiableSet(EnumSet.of(
            Capability.CHAT, Capability.STREAMING, Capability.EMBEDDINGS, Capability.MODELS, Capability.TOOLS,
            Capability.IMAGES, Capability.REASONING, Capability.JSON_SCHEMA));

    private final String name;
    private final String baseUrl;
    private final ApiKey key;
    private final HttpClient client;
    private final Map<String, String> headers;
    private final JsonValue keepAlive;
    private final ResponseLimits limits;

    /**
     * Creates the provider; checks at once that the configured headers can be sent.
     *
     * @param name      the name to report
     * @param baseUrl   the server's root URL, such as {@code http://127.0.0.1:11434}
     * @param key       sent as {@code Authorization: Bearer} when not null (a proxy, or ollama.com)
     * @param client    the client
     * @param headers   extra headers for every request
     * @param keepAlive the {@code keep_alive} to send, or null
     * @param limits    the largest response bodies read whole
     */
    OllamaProvider(String name, URI baseUrl, ApiKey key, HttpClient client, Map<String, String> headers,
                   JsonValue keepAlive, ResponseLimits limits) {
        this.name = name;
        String base = baseUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        this.baseUrl = base;
        this.key = key;
        this.client = client;
        this.headers = Map.copyOf(headers);
        this.keepAlive = keepAlive;
        this.limits = limits;
        try {
            builder("/api/tags", "application/json").GET().build();
        } catch (IllegalArgumentException e) {
            throw LlmException.newBuilder(LlmException.Kind.CONFIGURATION).provider(name)
                    .message("a configured header cannot be sent (" + (key == null ? e.getMessage() : key.redact(e.getMessage())) + ")")
                    .cause(dev.parley.internal.Scrub.redact(e, key)).build();
        }
    }

    /** Calls wait on {@link Transport#send}, which aborts the exchange when the thread is interrupted. */
    @Override
    public boolean callsEndOnInterrupt() {
        return true;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        JsonObject body = OllamaRequests.chatBody(request, model(request.model()), false, keepAlive, name);
        Transport.Response response = Transport.send(client, post("/api/chat", body, "application/json"), name, key,
                limits.chat());
        String requestId = HttpErrors.requestId(response.headers());
        JsonObject json = parse(response, requestId);
        try {
            return OllamaResponses.chat(json, name, requestId, response.headers());
        } catch (JsonAccessException | IllegalArgumentException | ArithmeticException e) {
            throw unexpected(response, e, requestId);
        }
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        JsonObject body = OllamaRequests.chatBody(request, model(request.model()), true, keepAlive, name);
        HttpRequest http = post("/api/chat", body, "application/x-ndjson");
        return ChatStream.of(name, Transport.stream(client, http, name, key, (responseHeaders, responseBody) ->
                DecodingPublisher.ndjson(responseBody,
                        new OllamaStreamMapper(name, responseHeaders, key))));
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        RequestChecks.requireEmbeddingModel(name, request.model());
        JsonObject body = OllamaRequests.embedBody(request, request.model(), keepAlive);
        Transport.Response response = Transport.send(client, post("/api/embed", body, "application/json"), name, key,
                limits.embeddings());
        String requestId = HttpErrors.requestId(response.headers());
        JsonObject json = parse(response, requestId);
        try {
            return new EmbeddingResponse(json.stringOr("model", null), name,
                    OllamaResponses.embeddings(json, request.inputs().size()),
                    OllamaResponses.usage(json), requestId, response.headers());
        } catch (JsonAccessException | IllegalArgumentException | ArithmeticException e) {
            throw unexpected(response, e, requestId);
        }
    }

    @Override
    public List<ModelInfo> models() {
        HttpRequest http = builder("/api/tags", "application/json").GET().build();
        Transport.Response response = Transport.send(client, http, name, key, limits.chat());
        String requestId = HttpErrors.requestId(response.headers());
        JsonObject json = parse(response, requestId);
        try {
            return OllamaResponses.models(json);
        } catch (JsonAccessException | IllegalArgumentException | ArithmeticException e) {
            throw unexpected(response, e, requestId);
        }
    }

    private String model(String model) {
        RequestChecks.requireModel(name, model);
        return model;
    }

    private HttpRequest post(String path, JsonObject body, String accept) {
        return builder(path, accept)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.writeBytes(body)))
                .build();
    }

    private HttpRequest.Builder builder(String path, String accept) {
        HttpRequest.Builder b = Transport.request(URI.create(baseUrl + path)).header("Accept", accept);
        if (key != null) {
            b.header("Authorization", "Bearer " + key.value());
        }
        headers.forEach(b::setHeader);
        return b;
    }

    private JsonObject parse(Transport.Response response, String requestId) {
        JsonValue value;
        try {
            value = Json.parse(response.body());
        } catch (JsonException e) {
            throw LlmException.newBuilder(LlmException.Kind.SERVER_ERROR).provider(name).statusCode(response.status())
                    .message("the response was not valid JSON (" + e.getMessage() + ")")
                    .requestId(requestId).retryable(false).cause(e).build();
        }
        if (!(value instanceof JsonObject o)) {
            throw unexpected(response, new JsonAccessException("", "expected an object, got " + value.kind()), requestId);
        }
        return o;
    }

    /** {@return the error for a 2xx body of the wrong shape: not retried, as the same request would get the same answer} */
    private LlmException unexpected(Transport.Response response, RuntimeException e, String requestId) {
        return LlmException.newBuilder(LlmException.Kind.SERVER_ERROR).provider(name).statusCode(response.status())
                .message("unexpected response shape: " + e.getMessage())
                .requestId(requestId).retryable(false).cause(e).build();
    }

    @Override
    public String toString() {
        return "OllamaProvider[name=" + name + ", baseUrl=" + baseUrl + ", apiKey=" + (key == null ? "none" : "[redacted]") + "]";
    }
}
