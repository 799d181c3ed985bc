package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.parley.spi.ProviderConfig;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;

/**
 * A canary API key must never appear in a log line, an exception (message or stack trace) or a
 * toString(), whatever happens to the call: success, an error that echoes the key, a broken
 * stream.
 */
class CanaryKeyTest {

    private static final String CANARY = "sk-canary-7f3a9c1e5b2d";

    private final List<String> logged = Collections.synchronizedList(new ArrayList<>());
    private final Logger jul = Logger.getLogger("dev.parley");
    private Level previousLevel;
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record.getMessage();
            if (record.getParameters() != null) {
                message = java.text.MessageFormat.format(message, record.getParameters());
            }
            logged.add(message + (record.getThrown() == null ? "" : " " + trace(record.getThrown())));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        previousLevel = jul.getLevel();
        jul.setLevel(Level.ALL);
        jul.addHandler(capture);
    }

    @AfterEach
    void restoreLogs() {
        jul.removeHandler(capture);
        jul.setLevel(previousLevel);
    }

    private static String trace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    private void assertClean(String where, String text) {
        assertFalse(text.contains(CANARY), where + " shows the key: " + text);
    }

    @Test
    void canaryKey_neverLeaks() {
        List<String> seen = new ArrayList<>();
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions",
                    Reply.fixture("openai/chat_basic"),
                    Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + CANARY + "\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"),
                    Reply.of(200, "text/event-stream", "data: {\"error\":{\"message\":\"bad key " + CANARY + "\"}}\n\n"),
                    Reply.of(502, "text/html", "<html><title>proxy saw " + CANARY + "</title></html>"));
            Llm llm = Llm.newBuilder().provider("openai")
                    .settings(Map.of("OPENAI_API_KEY", CANARY, "OPENAI_BASE_URL", server.uri("/v1").toString(),
                            "LLM_MAX_RETRIES", "0", "LLM_LOG_CONTENT", "true"))
                    .defaultModel("gpt-4o-mini").build();
            seen.add(llm.toString());
            seen.add(llm.chat("hello").toString());
            LlmException auth = assertThrows(AuthenticationException.class, () -> llm.chat("hello"));
            seen.add(trace(auth));
            LlmException inStream = assertThrows(LlmException.class, () -> llm.stream("hello").collect());
            seen.add(trace(inStream));
            LlmException html = assertThrows(LlmException.class, () -> llm.chat("hello"));
            seen.add(trace(html));
            assertTrue(html.getMessage().contains("proxy saw [redacted]"), html.getMessage());
            seen.add(llm.metrics().toPrometheus());
            String sentKey = server.takeRequest().header("Authorization");
            assertTrue(sentKey.endsWith(CANARY), "the key is sent where it belongs");
        }
        seen.add(ApiKey.of(CANARY).toString());
        seen.add(ProviderConfig.newBuilder().apiKey(ApiKey.of(CANARY)).build().toString());
        ConfigurationException bad = assertThrows(ConfigurationException.class,
                () -> Llm.newBuilder().settings(Map.of("OPENAI_API_KEY", CANARY + "\n\u0001")).provider("openai").build());
        seen.add(trace(bad));
        for (String s : seen) {
            assertClean("output", s);
        }
        assertFalse(logged.isEmpty(), "the calls were logged");
        for (String line : logged) {
            assertClean("log", line);
        }
    }

    /** Gemini: the key goes in a header, so neither the URL (which logs and errors show) nor an error may carry it. */
    @Test
    void canaryKey_neverLeaks_fromGemini() {
        List<String> seen = new ArrayList<>();
        try (ReplayServer server = ReplayServer.start()) {
            String path = "/v1beta/models/gemini-2.5-flash:generateContent";
            server.on("POST", path,
                    Reply.fixture("gemini/generate_basic"),
                    Reply.json(400, "{\"error\":{\"code\":400,\"message\":\"API key not valid: " + CANARY
                            + "\",\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\","
                            + "\"reason\":\"API_KEY_INVALID\",\"metadata\":{\"key\":\"" + CANARY + "\"}}]}}"));
            server.on("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent", Reply.of(200, "text/event-stream",
                    "data: {\"error\":{\"code\":500,\"message\":\"bad key " + CANARY + "\",\"status\":\"INTERNAL\"}}\n\n"));
            Llm llm = Llm.newBuilder().provider("gemini")
                    .settings(Map.of("GEMINI_API_KEY", CANARY, "GEMINI_BASE_URL", server.uri("/v1beta").toString(),
                            "LLM_MAX_RETRIES", "0", "LLM_LOG_CONTENT", "true"))
                    .defaultModel("gemini-2.5-flash").build();
            seen.add(llm.toString());
            seen.add(llm.chat("hello").toString());
            LlmException auth = assertThrows(AuthenticationException.class, () -> llm.chat("hello"));
            seen.add(trace(auth));
            LlmException inStream = assertThrows(LlmException.class, () -> llm.stream("hello").collect());
            seen.add(trace(inStream));
            seen.add(llm.metrics().toPrometheus());
            ReplayServer.RecordedRequest sent = server.takeRequest();
            assertEquals(CANARY, sent.header("x-goog-api-key"), "the key is sent where it belongs");
            assertNull(sent.query(), "and not in the URL");
        }
        for (String s : seen) {
            assertClean("output", s);
        }
        for (String line : logged) {
            assertClean("log", line);
        }
    }
}
