package dev.parley.provider.gemini;

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
import java.util.regex.Pattern;

import dev.parley.ApiKey;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.Usage;
import dev.parley.http.DecodingPublisher;
import dev.parley.http.HttpErrors;
import dev.parley.http.ResponseLimits;
import dev.parley.http.Transport;
import dev.parley.internal.InterruptibleCalls;
import dev.parley.internal.RequestChecks;
import dev.parley.json.Json;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;

/**
 * Google's Gemini API (the Generative Language API): {@code models/{model}:generateContent},
 * {@code :streamGenerateContent?alt=sse}, {@code :embedContent}, {@code :batchEmbedContents} and
 * {@code GET /models}.
 * Request and response mapping: {@link GeminiEncoder}, {@link GeminiDecoder},
 * {@link GeminiStreamMapper}.
 *
 * <p>The key goes in the {@code x-goog-api-key} header, never in the URL, so that it cannot
 * appear in logged URLs. Model names may be given with or without the {@code models/} prefix;
 * names with other prefixes (such as {@code tunedModels/...}) are used as they are.
 *
 * <p>Immutable and thread-safe.
 */
final class GeminiProvider implements Provider, InterruptibleCalls {

    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.CHAT, Capability.STREAMING,
            Capability.EMBEDDINGS, Capability.MODELS, Capability.TOOLS, Capability.IMAGES, Capability.REASONING,
            Capability.JSON_SCHEMA));
    /** The largest page the models list serves. */
    private static final int MODELS_PAGE = 1000;
    /** The most pages {@link #models()} asks for; Gemini has a few dozen models, on one page. */
    static final int MAX_MODEL_PAGES = 20;
    /** The most models {@link #models()} accepts. */
    static final int MAX_MODELS = 10_000;
    /** What a model path may hold: it goes into the URL as it is. */
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");

    private final String name;
    private final String base;
    private final ApiKey key;
    private final HttpClient client;
    private final Map<String, String> headers;
    private final ResponseLimits limits;

    GeminiProvider(String name, URI baseUrl, ApiKey key, HttpClient client, Map<String, String> headers,
                   ResponseLimits limits) {
        this.name = name;
        String b = baseUrl.toString();
        this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
        this.key = key;
        this.client = client;
        this.headers = headers;
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
        RequestChecks.requireModel(name, request.model());
        HttpRequest http = post(model(request.model()) + ":generateContent", GeminiEncoder.chat(name, request));
        Transport.Response response = Transport.send(client, http, name, key, limits.chat());
        String requestId = HttpErrors.requestId(response.headers());
        return decode(response, requestId, body -> GeminiDecoder.response(name, body, response.headers(), requestId));
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        RequestChecks.requireModel(name, request.model());
        HttpRequest http = post(model(request.model()) + ":streamGenerateContent?alt=sse", GeminiEncoder.chat(name, request));
        return ChatStream.of(name, Transport.stream(client, http, name, key,
                (headers, body) -> DecodingPublisher.sse(body, new GeminiStreamMapper(name, headers, key))));
    }

    /**
     * Sends one input with {@code embedContent}, more in one {@code batchEmbedContents} call; the
     * vectors come back in input order.
     */
    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        RequestChecks.requireEmbeddingModel(name, request.model());
        String model = model(request.model());
        JsonObject batch = GeminiEncoder.embeddings(model, request);
        HttpRequest http = request.inputs().size() == 1
                ? post(model + ":embedContent", batch.array("requests").object(0))
                : post(model + ":batchEmbedContents", batch);
        Transport.Response response = Transport.send(client, http, name, key, limits.embeddings());
        String requestId = HttpErrors.requestId(response.headers());
        return decode(response, requestId, body -> new EmbeddingResponse(request.model(), name,
                GeminiDecoder.embeddings(body, request.inputs().size()), Usage.ZERO, requestId, response.headers()));
    }

    /**
     * {@return every model, following the pages of {@code GET /models}} A page token seen before
     * ends the list; more than {@link #MAX_MODEL_PAGES} pages or {@link #MAX_MODELS} models is a
     * server error, so a server that always reports more cannot keep the call busy.
     */
    @Override
    public List<ModelInfo> models() {
        List<ModelInfo> models = new ArrayList<>();
        Set<String> tokens = new HashSet<>();
        String token = null;
        for (int pages = 1; ; pages++) {
            String query = "?pageSize=" + MODELS_PAGE
                    + (token == null ? "" : "&pageToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
            HttpRequest http = headers(Transport.request(URI.create(base + "/models" + query))).GET().build();
            Transport.Response response = Transport.send(client, http, name, key, limits.chat());
            String requestId = HttpErrors.requestId(response.headers());
            ModelPage page = decode(response, requestId, json -> new ModelPage(GeminiDecoder.models(json),
                    json.optString("nextPageToken").filter(t -> !t.isEmpty()).orElse(null)));
            String next = page.next();
            models.addAll(page.models());
            if (models.size() > MAX_MODELS) {
                throw tooLong("more than " + MAX_MODELS + " models", requestId);
            }
            if (next == null || !tokens.add(next)) {
                return models; // the last page, or the next one was read before
            }
            if (pages == MAX_MODEL_PAGES) {
                throw tooLong("did not end after " + MAX_MODEL_PAGES + " pages", requestId);
            }
            token = next;
        }
    }

    /** One page of the models list: its models, and the token of the next page, or null after the last. */
    private record ModelPage(List<ModelInfo> models, String next) {
    }

    private LlmException tooLong(String what, String requestId) {
        return LlmException.newBuilder(LlmException.Kind.SERVER_ERROR).provider(name)
                .message("the models list (GET /models) " + what + "; the server keeps sending a nextPageToken")
                .requestId(requestId).retryable(false).build();
    }

    /** {@return the model's path, {@code models/NAME} unless it names another collection} */
    private String model(String model) {
        String path = model.contains("/") ? model : "models/" + model;
        if (!MODEL.matcher(path).matches()) {
            throw LlmException.newBuilder(LlmException.Kind.INVALID_REQUEST).provider(name)
                    .message("model: \"" + model + "\" is not a Gemini model name (letters, digits, '.', '_' and '-',"
                            + " optionally after a collection such as models/)")
                    .build();
        }
        return path;
    }

    private HttpRequest post(String path, JsonObject body) {
        return headers(Transport.request(URI.create(base + "/" + path)).header("content-type", "application/json"))
                .POST(BodyPublishers.ofByteArray(Json.writeBytes(body)))
                .build();
    }

    /** Adds the key and the configured headers; configured ones replace Parley's. */
    private HttpRequest.Builder headers(HttpRequest.Builder b) {
        b.header("x-goog-api-key", key.value());
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
            return reader.apply(GeminiDecoder.object(Json.parse(response.body())));
        } catch (JsonException | IllegalArgumentException | ArithmeticException e) {
            throw LlmException.newBuilder(LlmException.Kind.SERVER_ERROR).provider(name)
                    .statusCode(response.status())
                    .message("unexpected response from the Gemini API: " + e.getMessage())
                    .requestId(requestId).retryable(false).cause(e).build();
        }
    }

    @Override
    public String toString() {
        return "GeminiProvider[name=" + name + ", baseUrl=" + base + "]";
    }
}
