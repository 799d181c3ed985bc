package dev.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.ApiKey;
import dev.parley.ChatRequest;
import dev.parley.EmbeddingRequest;
import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.provider.anthropic.AnthropicProviderFactory;
import dev.parley.provider.ollama.OllamaProviderFactory;
import dev.parley.provider.openai.OpenAiProviderFactory;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.CountingHttpServer;
import dev.parley.support.CountingHttpServer.Reply;

/**
 * Response bodies are capped while they are read: an endless or oversized body ends in a typed,
 * non-retryable error and a closed connection, never in a heap full of bytes.
 */
class ResponseLimitTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final byte[] KILOBYTE = new byte[1024];

    static {
        Arrays.fill(KILOBYTE, (byte) ' ');
    }

    private static ProviderConfig.Builder config(CountingHttpServer server, String path) {
        return ProviderConfig.newBuilder().baseUrl(server.uri(path)).apiKey(ApiKey.of("sk-test"));
    }

    private static Provider openai(CountingHttpServer server, String maxBytes) {
        ProviderConfig.Builder b = config(server, "/v1");
        if (maxBytes != null) {
            b.option(ResponseLimits.OPTION, maxBytes);
        }
        return new OpenAiProviderFactory().create(b.build());
    }

    private static void assertTooLarge(LlmException e, long limit) {
        assertEquals(LlmException.Kind.SERVER_ERROR, e.kind(), e.getMessage());
        assertFalse(e.retryable(), "the same request would get the same body");
        assertTrue(e.getMessage().contains("limit of " + limit + " bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("LLM_MAX_RESPONSE_BYTES"), e.getMessage());
    }

    @Test
    void aBodyOverTheLimitFailsAndItsConnectionIsClosed() {
        byte[] body = new byte[3 << 20]; // 3 MiB of a JSON string's worth
        Arrays.fill(body, (byte) ' ');
        try (CountingHttpServer server = CountingHttpServer.start(r -> Reply.chunked(200, "application/json", body,
                Duration.ZERO))) {
            LlmException e = assertThrows(LlmException.class,
                    () -> openai(server, "1048576").chat(ChatRequest.of("m", "hi")));
            assertTooLarge(e, 1 << 20);
            assertTrue(server.awaitOpenAtMost(0, PATIENCE), "the connection was not closed");
        }
    }

    @Test
    void anEndlessBodyEndsAtTheDefaultLimit() {
        try (CountingHttpServer server = CountingHttpServer.start(r -> Reply.endless(200, "application/json",
                new byte[0], KILOBYTE))) {
            LlmException e = assertThrows(LlmException.class, () -> openai(server, null).chat(ChatRequest.of("m", "hi")));
            assertTooLarge(e, Transport.DEFAULT_MAX_RESPONSE_BYTES);
            assertTrue(server.awaitOpenAtMost(0, PATIENCE), "the connection was not closed");
            assertTrue(server.errors.isEmpty(), server.errors.toString());
        }
    }

    @Test
    void everyAdapterCapsItsBodies() {
        try (CountingHttpServer server = CountingHttpServer.start(r -> Reply.endless(200, "application/json",
                new byte[0], KILOBYTE))) {
            Provider anthropic = new AnthropicProviderFactory().create(config(server, "")
                    .option(ResponseLimits.OPTION, "4096").build());
            Provider ollama = new OllamaProviderFactory().create(config(server, "")
                    .option(ResponseLimits.OPTION, "4096").build());
            Provider openai = openai(server, "4096");
            assertTooLarge(assertThrows(LlmException.class, () -> anthropic.chat(ChatRequest.of("m", "hi"))), 4096);
            assertTooLarge(assertThrows(LlmException.class, anthropic::models), 4096);
            assertTooLarge(assertThrows(LlmException.class, () -> ollama.chat(ChatRequest.of("m", "hi"))), 4096);
            assertTooLarge(assertThrows(LlmException.class,
                    () -> ollama.embed(EmbeddingRequest.of("m", List.of("a")))), 4096);
            assertTooLarge(assertThrows(LlmException.class, ollama::models), 4096);
            assertTooLarge(assertThrows(LlmException.class, () -> openai.chat(ChatRequest.of("m", "hi"))), 4096);
            assertTooLarge(assertThrows(LlmException.class,
                    () -> openai.embed(EmbeddingRequest.of("m", List.of("a")))), 4096);
            assertTooLarge(assertThrows(LlmException.class, openai::models), 4096);
            assertTrue(server.awaitOpenAtMost(0, PATIENCE), "a connection was not closed");
        }
    }

    @Test
    void aBodyAnnouncedOverTheLimitIsNotRead() {
        try (CountingHttpServer server = CountingHttpServer.start(r -> out -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + (1L << 40)
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 1 << 20; i++) { // far fewer than announced: the client must stop first
                out.write(KILOBYTE);
            }
        })) {
            LlmException e = assertThrows(LlmException.class, () -> openai(server, "4096").chat(ChatRequest.of("m", "hi")));
            assertTooLarge(e, 4096);
            assertTrue(e.getMessage().contains((1L << 40) + " bytes announced"), e.getMessage());
            assertTrue(server.awaitOpenAtMost(0, PATIENCE), "the connection was not closed");
        }
    }

    @Test
    void embeddingsHaveALargerDefaultAndTheOptionIsChecked() {
        assertEquals(32L << 20, ResponseLimits.DEFAULT.chat());
        assertEquals(256L << 20, ResponseLimits.DEFAULT.embeddings());
        for (String bad : List.of("12", "lots", "-5", "99999999999")) {
            LlmException e = assertThrows(LlmException.class, () -> new OpenAiProviderFactory().create(
                    ProviderConfig.newBuilder().apiKey(ApiKey.of("sk-test")).option(ResponseLimits.OPTION, bad).build()));
            assertEquals(LlmException.Kind.CONFIGURATION, e.kind());
            assertTrue(e.getMessage().contains(ResponseLimits.OPTION), e.getMessage());
        }
    }

    @Test
    void theSettingReachesTheProvider() {
        byte[] body = new byte[8192];
        Arrays.fill(body, (byte) ' ');
        try (CountingHttpServer server = CountingHttpServer.start(r -> Reply.fixed(200, "application/json", body))) {
            Llm llm = Llm.newBuilder().settings(Map.of("LLM_PROVIDER", "openai", "OPENAI_API_KEY", "sk-test",
                    "OPENAI_BASE_URL", server.uri("/v1").toString(), "LLM_MAX_RESPONSE_BYTES", "4096")).build();
            assertTooLarge(assertThrows(LlmException.class, () -> llm.chat("hi")), 4096);
        }
    }

    @Test
    void anEndlessErrorBodyIsReadOnlyInPartAndStillMakesTheError() {
        byte[] start = "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}".getBytes(StandardCharsets.UTF_8);
        try (CountingHttpServer server = CountingHttpServer.start(r -> Reply.endless(503, "application/json",
                start, KILOBYTE))) {
            Provider p = openai(server, null);
            LlmException chat = assertThrows(LlmException.class, () -> p.chat(ChatRequest.of("m", "hi")));
            assertEquals(503, chat.statusCode());
            LlmException stream = assertThrows(LlmException.class, () -> p.stream(ChatRequest.of("m", "hi")).collect());
            assertEquals(503, stream.statusCode());
            assertTrue(server.awaitOpenAtMost(0, PATIENCE), "a connection was not closed");
        }
    }

    @Test
    void anEndlessStreamWithoutAnEventBoundaryFailsAtTheEventLimit() {
        try (CountingHttpServer server = CountingHttpServer.start(r -> Reply.endless(200, "text/event-stream",
                "data: ".getBytes(StandardCharsets.US_ASCII), KILOBYTE))) {
            LlmException e = assertThrows(LlmException.class,
                    () -> openai(server, null).stream(ChatRequest.of("m", "hi")).collect());
            assertEquals(LlmException.Kind.STREAM_INTERRUPTED, e.kind(), e.getMessage());
            assertTrue(server.awaitOpenAtMost(0, PATIENCE), "the connection was not closed");
        }
    }

    @Test
    void anEndlessNdjsonStreamWithoutALineEndFailsAtTheLineLimit() {
        try (CountingHttpServer server = CountingHttpServer.start(r -> Reply.endless(200, "application/x-ndjson",
                "{\"message\":\"".getBytes(StandardCharsets.US_ASCII), KILOBYTE))) {
            Provider ollama = new OllamaProviderFactory().create(config(server, "").build());
            LlmException e = assertThrows(LlmException.class, () -> ollama.stream(ChatRequest.of("m", "hi")).collect());
            assertEquals(LlmException.Kind.STREAM_INTERRUPTED, e.kind(), e.getMessage());
            assertTrue(server.awaitOpenAtMost(0, PATIENCE), "the connection was not closed");
        }
    }
}
