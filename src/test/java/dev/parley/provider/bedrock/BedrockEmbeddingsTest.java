package dev.parley.provider.bedrock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.RateLimitException;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Pace;
import dev.parley.support.ReplayServer.Reply;

/**
 * InvokeModel embeddings: a recorded Cohere Embed v4 response, and synthetic bodies in the shapes
 * the Bedrock user guide documents for Titan Text Embeddings V2 and Cohere Embed v3 (no recorded
 * Titan response was found).
 */
class BedrockEmbeddingsTest {

    private static final String TITAN = "amazon.titan-embed-text-v2:0";

    /** A server that answers each InvokeModel body with {@code answer}, and records the bodies. */
    private record EchoServer(HttpServer server, ExecutorService executor, List<JsonObject> bodies, AtomicInteger maxInFlight)
            implements AutoCloseable {

        static EchoServer start(Function<JsonObject, String> answer) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            List<JsonObject> bodies = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger max = new AtomicInteger();
            server.setExecutor(executor);
            server.createContext("/", (HttpExchange ex) -> {
                try (ex) {
                    max.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    JsonObject body = (JsonObject) Json.parse(ex.getRequestBody().readAllBytes());
                    bodies.add(body);
                    String reply = answer.apply(body);
                    int status = reply.startsWith("429") ? 429 : 200;
                    byte[] bytes = (status == 429 ? "{\"message\":\"Too many requests\"}" : reply)
                            .getBytes(StandardCharsets.UTF_8);
                    ex.getResponseHeaders().add("content-type", "application/json");
                    ex.getResponseHeaders().add("x-amzn-bedrock-input-token-count", "7");
                    if (status == 429) {
                        ex.getResponseHeaders().add("x-amzn-errortype", "ThrottlingException");
                    }
                    inFlight.decrementAndGet();
                    ex.sendResponseHeaders(status, bytes.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(bytes);
                    }
                }
            });
            server.start();
            return new EchoServer(server, executor, bodies, max);
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static BedrockProvider provider(EchoServer server) {
        return (BedrockProvider) new BedrockProviderFactory().create(dev.parley.spi.ProviderConfig.newBuilder()
                .baseUrl(server.uri()).apiKey(dev.parley.ApiKey.of(BedrockTestSupport.SECRET))
                .option("accessKeyId", BedrockTestSupport.KEY_ID).option("region", "us-east-1").build());
    }

    @Test
    void titan_sendsOneRequestPerInput_boundedInFlight_andAnswersInInputOrder() throws IOException {
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            inputs.add("x".repeat(i + 1));
        }
        try (EchoServer server = EchoServer.start(body -> "{\"embedding\":[" + body.string("inputText").length()
                + ".0,0.5],\"inputTextTokenCount\":" + body.string("inputText").length() + "}")) {
            EmbeddingResponse r = provider(server).embed(new EmbeddingRequest(TITAN, inputs, 256, null, null));
            for (int i = 0; i < inputs.size(); i++) {
                assertEquals(i, r.embeddings().get(i).index());
                assertArrayEquals(new float[] {i + 1, 0.5f}, r.vector(i));
            }
            assertEquals(new Usage(78, 0, 78, 0, 0, 0), r.usage(), "1 + 2 + ... + 12 tokens");
            assertEquals(12, server.bodies().size());
            assertEquals(256, server.bodies().get(0).intValue("dimensions"));
            assertTrue(server.maxInFlight().get() <= BedrockEmbeddings.CONCURRENCY, "in flight: " + server.maxInFlight());
        }
    }

    @Test
    void titan_aFailedInput_failsTheCall_withItsTypedError() throws IOException {
        try (EchoServer server = EchoServer.start(body -> body.string("inputText").equals("b") ? "429"
                : "{\"embedding\":[1.0],\"inputTextTokenCount\":1}")) {
            RateLimitException e = assertThrows(RateLimitException.class,
                    () -> provider(server).embed(EmbeddingRequest.of(TITAN, List.of("a", "b", "c"))));
            assertEquals("ThrottlingException", e.errorType());
        }
    }

    @Test
    void cohere_sendsBatches_andReadsBothResponseShapes() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/model/cohere.embed-english-v3/invoke",
                    Reply.json(200, "{\"id\":\"e1\",\"texts\":[\"a\",\"b\"],\"embeddings\":[[0.25,0.5],[0.75,1.0]],"
                            + "\"response_type\":\"embeddings_floats\"}").withHeader("x-amzn-bedrock-input-token-count", "2"));
            server.on("POST", "/model/cohere.embed-v4:0/invoke",
                    Reply.json(200, "{\"id\":\"e2\",\"texts\":[\"a\",\"b\"],\"embeddings\":{\"float\":[[1.5],[2.5]]},"
                            + "\"response_type\":\"embeddings_by_type\"}").withHeader("x-amzn-bedrock-input-token-count", "3"));
            EmbeddingResponse v3 = BedrockTestSupport.provider(server).embed(EmbeddingRequest.of("cohere.embed-english-v3", List.of("a", "b")));
            assertArrayEquals(new float[] {0.75f, 1.0f}, v3.vector(1));
            assertEquals(new Usage(2, 0, 2, 0, 0, 0), v3.usage());
            JsonObject sent = (JsonObject) Json.parse(server.takeRequest().body());
            assertEquals(Json.parse("{\"texts\":[\"a\",\"b\"],\"input_type\":\"search_document\"}"), sent);
            EmbeddingResponse v4 = BedrockTestSupport.provider(server).embed(EmbeddingRequest.of("cohere.embed-v4:0", List.of("a", "b")));
            assertArrayEquals(new float[] {2.5f}, v4.vector(1));
            assertEquals(3, v4.usage().inputTokens());
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void cohere_recordedV4Response_isRead(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/model/cohere.embed-v4:0/invoke", Reply.fixture("bedrock/cohere_embed_v4").paced(pace));
            EmbeddingResponse r = BedrockTestSupport.provider(server)
                    .embed(EmbeddingRequest.of("cohere.embed-v4:0", List.of("hello", "world")));
            assertEquals(2, r.embeddings().size());
            assertEquals(256, r.vector(0).length);
            assertEquals(0.037705604f, r.vector(0)[0]);
            assertEquals(-0.025449762f, r.vector(1)[255]);
            assertEquals(1, r.embeddings().get(1).index());
        }
    }

    @Test
    void cohere_aCountThatDoesNotMatch_isAServerError() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/model/cohere.embed-english-v3/invoke", Reply.json(200, "{\"embeddings\":[[0.25]]}"));
            LlmException e = assertThrows(LlmException.class,
                    () -> BedrockTestSupport.provider(server).embed(EmbeddingRequest.of("cohere.embed-english-v3", List.of("a", "b"))));
            assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
        }
    }

    @Test
    void otherModels_areUnsupported() {
        try (ReplayServer server = ReplayServer.start()) {
            LlmException e = assertThrows(LlmException.class,
                    () -> BedrockTestSupport.provider(server).embed(EmbeddingRequest.of("mistral.mistral-large", List.of("a"))));
            assertEquals(LlmException.Kind.UNSUPPORTED, e.kind());
            assertEquals(0, server.pendingRequests());
        }
    }
}
