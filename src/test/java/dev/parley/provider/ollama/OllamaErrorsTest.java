package dev.parley.provider.ollama;

import static dev.parley.provider.ollama.OllamaChatTest.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.ApiKey;
import dev.parley.ChatRequest;
import dev.parley.LlmException;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.RecordedRequest;
import dev.parley.support.ReplayServer.Reply;

/** Error statuses, unexpected bodies and key handling of the Ollama adapter. */
class OllamaErrorsTest {

    @Test
    void chat_sendsKeyAsBearer_andNeverInErrors() {
        String secret = "sk-ollama-canary-9";
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", Reply.json(500, "{\"error\":\"bad key " + secret + "\"}"));
            Provider p = provider(server, ProviderConfig.newBuilder().apiKey(ApiKey.of(secret)).header("X-Team", "blue"));
            LlmException e = assertThrows(LlmException.class, () -> p.chat(ChatRequest.of("m", "x")));
            assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
            assertFalse(e.getMessage().contains(secret), e.getMessage());
            assertFalse(p.toString().contains(secret));
            RecordedRequest sent = server.takeRequest();
            assertEquals("Bearer " + secret, sent.header("Authorization"));
            assertEquals("blue", sent.header("X-Team"));
        }
    }

    @Test
    void chat_unexpectedShapes_areServerErrorsNamingThePath() {
        Map<String, String> cases = Map.of(
                "{\"model\":\"m\",\"done\":true}", "message",
                "[1,2]", "expected an object",
                "{\"model\":\"m\",\"message\":{\"content\":5}}", "message.content",
                "{\"message\":{\"content\":\"\",\"tool_calls\":[{\"function\":{\"arguments\":{}}}]}}",
                "message.tool_calls[0].function.name",
                "not json at all", "not valid JSON",
                "{\"model\":\"m\",\"done\":true,\"message\":{\"content\":\"\"},\"prompt_eval_count\":-3}", "negative");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            try (ReplayServer server = ReplayServer.start()) {
                server.on("POST", "/api/chat", Reply.json(200, c.getKey()));
                LlmException e = assertThrows(LlmException.class, () -> provider(server).chat(ChatRequest.of("m", "x")),
                        c.getKey());
                assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
                assertTrue(e.getMessage().contains(c.getValue()), c.getKey() + " -> " + e.getMessage());
                // A 200 that does not parse is not transient: the same request gets the same answer.
                assertFalse(e.retryable(), c.getKey());
                assertEquals(200, e.statusCode(), c.getKey());
            }
        }
    }

    @Test
    void chat_unknownModel_isNotFound_withOllamasMessage() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", Reply.fixture("ollama/error_404_model_not_found"));
            LlmException e = assertThrows(LlmException.class, () -> provider(server).chat(ChatRequest.of("llama3", "x")));
            assertEquals(LlmException.Kind.NOT_FOUND, e.kind());
            assertEquals(404, e.statusCode());
            assertEquals("model 'llama3' not found", e.providerMessage());
            assertEquals("ollama", e.provider());
            assertFalse(e.retryable());
        }
    }

    @Test
    void chat_errorStatuses_mapToTheirKinds() {
        // Synthetic bodies in Ollama's {"error": "..."} shape.
        Map<Integer, LlmException.Kind> kinds = Map.of(
                400, LlmException.Kind.INVALID_REQUEST,
                401, LlmException.Kind.AUTHENTICATION,
                403, LlmException.Kind.PERMISSION_DENIED,
                429, LlmException.Kind.RATE_LIMITED,
                500, LlmException.Kind.SERVER_ERROR,
                502, LlmException.Kind.SERVER_ERROR,
                503, LlmException.Kind.UNAVAILABLE);
        for (Map.Entry<Integer, LlmException.Kind> k : kinds.entrySet()) {
            try (ReplayServer server = ReplayServer.start()) {
                server.on("POST", "/api/chat", Reply.json(k.getKey(), "{\"error\":\"status " + k.getKey() + "\"}"));
                LlmException e = assertThrows(LlmException.class, () -> provider(server).chat(ChatRequest.of("m", "x")));
                assertEquals(k.getValue(), e.kind(), "HTTP " + k.getKey());
                assertEquals(k.getKey(), e.statusCode());
                assertEquals("status " + k.getKey(), e.providerMessage());
            }
        }
    }
}
