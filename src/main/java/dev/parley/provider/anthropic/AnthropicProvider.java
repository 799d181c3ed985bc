package dev.parley.provider.anthropic;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

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
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;
import dev.parley.spi.Capability;
import dev.parley.internal.InterruptibleCalls;
import dev.parley.internal.RequestChecks;
import dev.parley.spi.Provider;

/**
 * Anthropic's Messages API ({@code POST /v1/messages}, streamed or not) and models list
 * ({@code GET /v1/models}). Request and response mapping: {@link MessagesEncoder},
 * {@link MessagesDecoder}, {@link MessagesStreamMapper}.
 *
 * <p>No embeddings: Anthropic has no embeddings API. No JSON-schema response format.
 *
 * <p>Immutable and thread-safe.
 */
final class AnthropicProvider implements Provider, InterruptibleCalls {

    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.CHAT, Capability.STREAMING,
            Capability.TOOLS, Capability.IMAGES, Capability.REASONING, Capability.MODELS));
    /** The largest page the models list serves. */
    private static final int MODELS_PAGE = 1000;
    /** The most pages {@link #models()} asks for; Anthropic has a few dozen models, on one page. */
    static final int MAX_MODEL_PAGES = 20;
    /** The most models {@link #models()} accepts. */
    static final int MAX_MODELS = 10_000;

    private final String name;
    private final String base;
    /** The messages endpoint, resolved once rather than parsed per call. */
    private URI messagesUri;
    private final ApiKey key;
    private final HttpClient client;
    private final Map<String, String> headers;
    private final String version;
    private final String beta;
    private final int defaultMaxTokens;
    private final ResponseLimits limits;

    AnthropicProvider(String name, URI baseUrl, ApiKey key, HttpClient client, Map<String, String> headers,
                      String version, String beta, int defaultMaxTokens, ResponseLimits limits) {
        this.name = name;
        String b = baseUrl.toString();
        this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
        this.key = key;
        this.client = client;
        this.headers = headers;
        this.version = version;
        this.beta = beta;
        this.defaultMaxTokens = defaultMaxTokens;
        this.limits = limits;
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
        HttpRequest http = post(body(request, false));
        Transport.Response response = Transport.send(client, http, name, key, limits.chat());
        String requestId = HttpErrors.requestId(response.headers());
        return decode(response, requestId, body -> MessagesDecoder.response(name, body, response.headers(), requestId));
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        HttpRequest http = post(body(request, true));
        return ChatStream.of(name, Transport.stream(client, http, name, key, (headers, body) -> {
            FinalEventFlush flushed = new FinalEventFlush(body);
            MessagesStreamMapper mapper = new MessagesStreamMapper(name, headers, key,
                    flushed::ended);
            return DecodingPublisher.sse(flushed, mapper);
        }));
    }

    /** Always fails: Anthropic has no embeddings API. */
    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        throw LlmException.newBuilder(LlmException.Kind.UNSUPPORTED).provider(name)
                .message("Anthropic has no embeddings API; use another provider for embeddings"
                        + " (OpenAI, Ollama, or Voyage AI, which Anthropic recommends)")
                .build();
    }

    /**
     * {@return every model, following the pages of {@code GET /v1/models}} A cursor seen before
     * ends the list; more than {@link #MAX_MODEL_PAGES} pages or {@link #MAX_MODELS} models is a
     * server error, so a server that always reports more cannot keep the call busy.
     */
    @Override
    public List<ModelInfo> models() {
        List<ModelInfo> models = new ArrayList<>();
        Set<String> cursors = new HashSet<>();
        String after = null;
        for (int pages = 1; ; pages++) {
            String query = "?limit=" + MODELS_PAGE
                    + (after == null ? "" : "&after_id=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
            HttpRequest http = headers(Transport.request(URI.create(base + "/v1/models" + query))).GET().build();
            Transport.Response response = Transport.send(client, http, name, key, limits.chat());
            String requestId = HttpErrors.requestId(response.headers());
            ModelPage page = decode(response, requestId, json -> new ModelPage(MessagesDecoder.models(json),
                    json.optBoolean("has_more").orElse(false) ? json.optString("last_id").orElse(null) : null));
            String last = page.last();
            if (last != null && !cursors.add(last)) {
                return models; // this page was read before
            }
            models.addAll(page.models());
            if (models.size() > MAX_MODELS) {
                throw tooLong("more than " + MAX_MODELS + " models", requestId);
            }
            if (last == null) {
                return models;
            }
            if (pages == MAX_MODEL_PAGES) {
                throw tooLong("did not end after " + MAX_MODEL_PAGES + " pages", requestId);
            }
            after = last;
        }
    }

    /** One page of the models list: its models, and the cursor of the next page, or null after the last. */
    private record ModelPage(List<ModelInfo> models, String last) {
    }

    private LlmException tooLong(String what, String requestId) {
        return LlmException.newBuilder(LlmException.Kind.SERVER_ERROR).provider(name)
                .message("the models list (GET /v1/models) " + what + "; the server keeps reporting has_more")
                .requestId(requestId).retryable(false).build();
    }

    private JsonObject body(ChatRequest request, boolean stream) {
        RequestChecks.requireModel(name, request.model());
        return MessagesEncoder.encode(name, request, defaultMaxTokens, stream);
    }

    private HttpRequest post(JsonObject body) {
        URI uri = messagesUri;
        if (uri == null) {
            messagesUri = uri = URI.create(base + "/v1/messages"); // racy but idempotent
        }
        return headers(Transport.request(uri).header("content-type", "application/json"))
                .POST(BodyPublishers.ofByteArray(Json.writeBytes(body)))
                .build();
    }

    /** Adds the key, version, beta and configured headers; configured ones replace the others. */
    private HttpRequest.Builder headers(HttpRequest.Builder b) {
        b.header("x-api-key", key.value()).header("anthropic-version", version);
        if (beta != null) {
            b.header("anthropic-beta", beta);
        }
        headers.forEach(b::setHeader);
        return b;
    }

    /**
     * Parses a 2xx body and reads it with {@code reader}; a body that is not JSON, or JSON of
     * another shape, is a {@link LlmException.Kind#SERVER_ERROR} naming what was wrong (not
     * retried: the same request would get the same answer, and be billed again).
     */
    private <T> T decode(Transport.Response response, String requestId, Function<JsonObject, T> reader) {
        try {
            return reader.apply(MessagesDecoder.object(Json.parse(response.body())));
        } catch (JsonException | IllegalArgumentException | ArithmeticException e) {
            throw LlmException.newBuilder(LlmException.Kind.SERVER_ERROR).provider(name)
                    .statusCode(response.status())
                    .message("unexpected response from the Messages API: " + e.getMessage())
                    .requestId(requestId).retryable(false).cause(e).build();
        }
    }

    @Override
    public String toString() {
        return "AnthropicProvider[name=" + name + ", baseUrl=" + base + "]";
    }
}
