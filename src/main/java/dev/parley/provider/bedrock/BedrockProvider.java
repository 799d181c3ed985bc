package dev.parley.provider.bedrock;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
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
 * Amazon Bedrock's runtime API: Converse ({@code POST /model/{modelId}/converse}), ConverseStream
 * ({@code POST /model/{modelId}/converse-stream}, an {@code application/vnd.amazon.eventstream}
 * body) and InvokeModel for embeddings ({@code POST /model/{modelId}/invoke}, see
 * {@link BedrockEmbeddings}). Every request is signed with AWS Signature Version 4
 * ({@link SigV4}, service {@code bedrock}); the signed headers are {@code content-type},
 * {@code host}, {@code x-amz-date} and any {@code x-amz-*} header configured, such as the session
 * token's {@code x-amz-security-token}. Request and response mapping: {@link ConverseEncoder},
 * {@link ConverseDecoder}, {@link ConverseStreamMapper}.
 *
 * <p>No models list: Bedrock lists its models on its control-plane endpoint, not the runtime
 * one. No JSON-schema response format.
 *
 * <p>Immutable and thread-safe.
 */
final class BedrockProvider implements Provider, InterruptibleCalls {

    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.CHAT, Capability.STREAMING,
            Capability.TOOLS, Capability.IMAGES, Capability.REASONING, Capability.EMBEDDINGS));
    /** The name services are signed for. */
    static final String SERVICE = "bedrock";
    static final String SESSION_TOKEN_HEADER = "x-amz-security-token";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final String name;
    private final URI base;
    private final String basePath;
    private final String host;
    private final String region;
    private final AwsCredentials credentials;
    private final HttpClient client;
    private final Map<String, String> headers;
    private final ResponseLimits limits;
    private final Clock clock;

    BedrockProvider(String name, URI baseUrl, String region, AwsCredentials credentials, HttpClient client,
                    Map<String, String> headers, ResponseLimits limits, Clock clock) {
        this.name = name;
        this.base = baseUrl;
        String path = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.host = host(baseUrl);
        this.region = region;
        this.credentials = credentials;
        this.client = client;
        this.headers = headers;
        this.limits = limits;
        this.clock = clock;
    }

    /** {@return the Host header the JDK's client sends for {@code uri}}: the port only when not the scheme's default */
    static String host(URI uri) {
        int port = uri.getPort();
        boolean secure = "https".equalsIgnoreCase(uri.getScheme());
        boolean defaultPort = port == -1 || port == (secure ? 443 : 80);
        return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
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
        HttpRequest http = post(request.model(), "converse", ConverseEncoder.encode(name, request), "application/json");
        Transport.Response response = send(http, limits.chat());
        String requestId = HttpErrors.requestId(response.headers());
        return decode(response, requestId, body -> ConverseDecoder.response(name, request.model(), body,
                response.headers(), requestId));
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        RequestChecks.requireModel(name, request.model());
        HttpRequest http = post(request.model(), "converse-stream", ConverseEncoder.encode(name, request),
                "application/vnd.amazon.eventstream");
        return ChatStream.of(name, Transport.stream(client, http, name, credentials.scrubbed(), (headers, body) ->
                DecodingPublisher.eventStream(body, new ConverseStreamMapper(name, request.model(), headers, credentials))));
    }

    /**
     * Embeds with InvokeModel: Amazon Titan embeddings ({@code amazon.titan-embed-*}, one request
     * per input) or Cohere Embed ({@code cohere.embed-*}, batches of texts); see
     * {@link BedrockEmbeddings}. Other models fail with an UNSUPPORTED error.
     */
    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        RequestChecks.requireEmbeddingModel(name, request.model());
        return BedrockEmbeddings.embed(name, request, body -> invoke(request.model(), body));
    }

    /** Sends one InvokeModel request and returns the response, whose status is 2xx. */
    private Transport.Response invoke(String model, JsonObject body) {
        HttpRequest http = post(model, "invoke", body, "application/json");
        return send(http, limits.embeddings());
    }

    /** {@return the 2xx response} @throws LlmException otherwise, with both secrets scrubbed */
    private Transport.Response send(HttpRequest http, long maxBytes) {
        try {
            return Transport.send(client, http, name, credentials.scrubbed(), maxBytes);
        } catch (LlmException e) {
            throw credentials.scrub(e);
        }
    }

    /** {@return a signed POST of {@code body} to {@code /model/{model}/{action}}} */
    HttpRequest post(String model, String action, JsonObject body, String accept) {
        byte[] bytes = Json.writeBytes(body);
        String path = basePath + "/model/" + SigV4.encode(model, false) + "/" + action;
        String date = AMZ_DATE.format(clock.instant());
        List<Map.Entry<String, String>> signed = new ArrayList<>();
        signed.add(Map.entry("content-type", "application/json"));
        signed.add(Map.entry("host", host));
        signed.add(Map.entry("x-amz-date", date));
        headers.forEach((n, v) -> {
            if (n.toLowerCase(Locale.ROOT).startsWith("x-amz-")) {
                signed.add(Map.entry(n, v));
            }
        });
        SigV4.Signature signature = SigV4.sign("POST", path, "", signed, SigV4.sha256Hex(bytes), credentials, region,
                SERVICE, date);
        HttpRequest.Builder b = Transport.request(base.resolve(path))
                .header("content-type", "application/json")
                .header("accept", accept)
                .header("x-amz-date", date);
        headers.forEach(b::setHeader);
        return b.setHeader("authorization", signature.authorization())
                .POST(BodyPublishers.ofByteArray(bytes))
                .build();
    }

    /**
     * Parses a 2xx body and reads it with {@code reader}; a body that is not JSON, or JSON of
     * another shape, is a {@link LlmException.Kind#SERVER_ERROR} naming what was wrong (not
     * retried: the same request would get the same answer, and be billed again).
     */
    private <T> T decode(Transport.Response response, String requestId, Function<JsonObject, T> reader) {
        try {
            return reader.apply(ConverseDecoder.object(Json.parse(response.body())));
        } catch (JsonException | IllegalArgumentException | ArithmeticException e) {
            throw LlmException.newBuilder(LlmException.Kind.SERVER_ERROR).provider(name)
                    .statusCode(response.status())
                    .message("unexpected response from the Converse API: " + e.getMessage())
                    .requestId(requestId).retryable(false).cause(e).build();
        }
    }

    @Override
    public String toString() {
        return "BedrockProvider[name=" + name + ", baseUrl=" + base + ", region=" + region + ", accessKeyId="
                + credentials.accessKeyId() + "]";
    }
}
