package dev.parley.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;

class MainTest {

    private static final String KEY = "sk-canary-cli-0042";

    private ReplayServer server;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private Map<String, String> env;

    @BeforeEach
    void start() {
        server = ReplayServer.start();
        env = new HashMap<>(Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", server.uri("/v1").toString()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int run(String stdin, String... args) {
        return Main.run(List.of(args), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void chat_streamsTheAnswer() {
        server.on("POST", "/v1/chat/completions", Reply.fixture("openai/stream_basic"));
        assertEquals(0, run("", "chat", "What's", "the", "weather?"));
        String expected = dev.parley.support.Fixtures.text("openai/stream_basic.response.sse");
        assertTrue(expected.contains("\"content\""));
        assertTrue(out().startsWith("I'm unable to provide real-time weather updates"), out());
        JsonObject sent = (JsonObject) Json.parse(server.takeRequest().body());
        assertEquals("What's the weather?", sent.array("messages").object(0).string("content"));
        assertTrue(sent.booleanValue("stream"));
        assertEquals("", err());
    }

    @Test
    void chat_json_printsOneObjectWithEveryField() {
        server.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_with_headers"));
        assertEquals(0, run("", "chat", "--json", "--no-stream", "--model", "gpt-5.1-chat-latest", "--system", "be brief",
                "--temperature", "0.5", "--max-tokens", "100", "hi"));
        JsonObject o = (JsonObject) Json.parse(out().strip());
        for (String field : List.of("text", "reasoning", "toolCalls", "finishReason", "usage", "cost", "model", "provider", "requestId")) {
            assertTrue(o.has(field), "missing " + field);
        }
        assertEquals("openai", o.string("provider"));
        assertEquals("stop", o.string("finishReason"));
        assertTrue(o.object("usage").longValue("totalTokens") > 0);
        assertTrue(o.string("requestId").startsWith("req_"), o.toString());
        JsonObject sent = (JsonObject) Json.parse(server.takeRequest().body());
        assertEquals("system", sent.array("messages").object(0).string("role"));
        assertEquals(0.5, sent.doubleValue("temperature"));
    }

    @Test
    void chat_readsThePromptFromStdin() {
        server.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_basic"));
        assertEquals(0, run("a prompt from stdin\n", "chat", "--no-stream", "-"));
        JsonObject sent = (JsonObject) Json.parse(server.takeRequest().body());
        assertEquals("a prompt from stdin", sent.array("messages").object(0).string("content"));
        assertFalse(out().isBlank());
    }

    @Test
    void exitCodes_areDistinct_andErrorsAreOneLine() {
        server.on("POST", "/v1/chat/completions", Reply.fixture("openai/error_401_invalid_api_key").withStatus(401));
        assertEquals(4, run("", "chat", "--no-stream", "hi"));
        assertEquals(1, err().strip().lines().count(), err());
        assertFalse(err().contains(KEY));
        assertTrue(err().startsWith("parley: openai: "), err());

        err.reset();
        server.on("POST", "/v1/chat/completions", Reply.fixture("openai/error_429_insufficient_quota").withStatus(429));
        assertEquals(5, run("", "chat", "--no-stream", "hi"));

        err.reset();
        server.on("POST", "/v1/chat/completions", Reply.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));
        assertEquals(7, run("", "chat", "--no-stream", "hi"));

        err.reset();
        env.remove("OPENAI_API_KEY");
        assertEquals(3, run("", "chat", "hi"));
        assertTrue(err().contains("set OPENAI_API_KEY"), err());

        err.reset();
        assertEquals(2, run("", "chat", "--temperature", "9", "hi"));
        assertTrue(err().contains("--temperature must be a number from 0.0 to 2.0"), err());
        assertEquals(2, run("", "frobnicate"));
        assertEquals(2, run("", "chat"));
        assertEquals(2, run("", "chat", "--bogus", "x"));
    }

    @Test
    void verbose_printsTheStackTrace() {
        server.on("POST", "/v1/chat/completions", Reply.json(503, "{\"error\":{\"message\":\"busy\"}}"));
        assertEquals(7, run("", "chat", "--no-stream", "--verbose", "hi"));
        assertTrue(err().contains("\tat "), err());
    }

    @Test
    void apiKeyEnv_readsTheKeyFromAnotherVariable() {
        server.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_basic"));
        env.remove("OPENAI_API_KEY");
        env.put("MY_KEY", "sk-from-my-key");
        assertEquals(0, run("", "chat", "--no-stream", "--api-key-env", "MY_KEY", "hi"));
        assertEquals("Bearer sk-from-my-key", server.takeRequest().header("Authorization"));
        assertEquals(2, run("", "chat", "--api-key-env", "UNSET_VAR", "hi"));
    }

    @Test
    void models_andEmbed() {
        server.on("GET", "/v1/models", Reply.fixture("openai/models_list"));
        assertEquals(0, run("", "models"));
        assertTrue(out().lines().anyMatch(l -> l.startsWith("gpt-")), out());
        out.reset();
        server.on("POST", "/v1/embeddings", Reply.fixture("openai/embeddings_float"));
        env.put("OPENAI_BASE_URL", server.uri("/v1").toString());
        assertEquals(0, Main.run(List.of("embed", "--provider", "openai-compatible", "--model", "text-embedding-3-small", "a", "b", "c", "d"),
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env), err());
        List<String> lines = out().lines().toList();
        assertEquals(4, lines.size());
        JsonObject first = (JsonObject) Json.parse(lines.get(0));
        assertEquals(1536, first.longValue("dimensions"));
        assertEquals(1536, first.array("embedding").size());
    }

    @Test
    void helpAndVersion() {
        assertEquals(0, run("", "--help"));
        assertTrue(out().contains("Exit codes:"));
        out.reset();
        assertEquals(0, run("", "help", "chat"));
        assertTrue(out().contains("--api-key-env NAME"));
        out.reset();
        assertEquals(0, run("", "chat", "--help"));
        assertTrue(out().contains("--no-stream"));
        out.reset();
        assertEquals(0, run("", "--version"));
        assertTrue(out().startsWith("parley "));
    }

    @Test
    void aKeyThatCannotGoInAHeader_isAConfigurationError_withoutTheKey() {
        env.put("OPENAI_API_KEY", "\u201C" + KEY + "\u201D");
        assertEquals(3, run("", "chat", "hi"));
        assertTrue(err().startsWith("parley: OPENAI_API_KEY: the API key cannot be sent in an HTTP header: character 1 is U+201C"), err());
        assertFalse(err().contains(KEY.substring(3)), err());
        assertEquals(0, server.pendingRequests());
    }

    @Test
    void textFromTheNetwork_cannotForgeLinesOrSendEscapeCodes() {
        server.on("POST", "/v1/chat/completions", Reply.json(400, "{\"error\":{\"message\":\"bad request\\nparley: forged"
                + "\\u001b]0;owned\\u0007\\u001b[2J\\u0000\",\"type\":\"invalid_request_error\"}}"));
        run("", "chat", "--no-stream", "hi");
        assertEquals(1, err().lines().count(), err());
        assertFalse(err().strip().chars().anyMatch(c -> c < 0x20), err());
        assertTrue(err().contains("bad request parley: forged"), err());

        err.reset();
        run("", "chat", "--no-stream", "--verbose", "hi");
        assertFalse(err().chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\t' && c != '\r'), err());

        server.on("POST", "/v1/chat/completions", Reply.of(200, "text/event-stream",
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\\u001b[2J there\\nline 2\"}}]}\n\ndata: [DONE]\n\n"));
        assertEquals(0, run("", "chat", "hi"));
        assertEquals("hi[2J there\nline 2\n", out());

        out.reset();
        server.on("GET", "/v1/models", Reply.json(200, "{\"data\":[{\"id\":\"gpt\\u001b]0;x\\u0007-4\"}]}"));
        assertEquals(0, run("", "models"));
        assertEquals("gpt]0;x-4\n", out());
    }

    @Test
    void anEmptyPrompt_isAUsageError_andNothingIsSent() {
        server.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_basic"));
        assertEquals(2, run("", "chat", ""));
        assertTrue(err().contains("the prompt is empty"), err());
        assertEquals(2, run("", "chat", "--no-stream", " ", "\t"));
        assertEquals(2, run("  \n", "chat", "-"));
        assertEquals(0, server.pendingRequests());
    }

    @Test
    void anInvalidRequest_hasItsOwnExitCode() {
        server.on("POST", "/v1/chat/completions", Reply.json(400, "{\"error\":{\"message\":\"Unrecognized request argument\","
                + "\"type\":\"invalid_request_error\"}}"));
        assertEquals(8, run("", "chat", "--no-stream", "hi"));
        server.on("POST", "/v1/chat/completions", Reply.json(404, "{\"error\":{\"message\":\"The model does not exist\","
                + "\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}"));
        assertEquals(8, run("", "chat", "--no-stream", "hi"));
        out.reset();
        assertEquals(0, run("", "--help"));
        assertTrue(out().contains("8  the provider rejected the request"), out());
    }

    @Test
    void serve_aPortInUse_saysSo() throws Exception {
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = busy.getLocalPort();
            assertEquals(2, run("", "serve", "--host", "127.0.0.1", "--port", Integer.toString(port)));
            assertTrue(err().contains("could not listen on 127.0.0.1:" + port + ": the port is already in use"), err());
        }
    }

    @Test
    void chat_json_streamsAsUsual_andPrintsOnlyTheFinalObject() {
        server.on("POST", "/v1/chat/completions", Reply.fixture("openai/stream_basic"));
        assertEquals(0, run("", "chat", "--json", "What's", "the", "weather?"));
        JsonObject sent = (JsonObject) Json.parse(server.takeRequest().body());
        assertTrue(sent.booleanValue("stream"), "--json does not turn streaming off");
        JsonObject o = (JsonObject) Json.parse(out().strip());
        assertTrue(o.string("text").startsWith("I'm unable to provide real-time weather updates"), o.toString());
        assertEquals("stop", o.string("finishReason"));
        out.reset();
        assertEquals(0, run("", "chat", "--help"));
        assertTrue(out().contains("stdout stays one JSON document"), out());
    }

    @Test
    void aWaitOfASecondOrMore_isAnnouncedOnStderr() {
        server.on("POST", "/v1/chat/completions",
                Reply.json(429, "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_exceeded\"}}")
                        .withHeader("retry-after-ms", "1100"),
                Reply.fixture("openai/chat_basic"));
        assertEquals(0, run("", "chat", "--no-stream", "hi"), err());
        assertTrue(err().startsWith("parley: waiting 1.1 s for a retry (attempt 2) after: openai: "), err());
        assertTrue(err().contains("slow down"), err());
        assertEquals(1, err().lines().count(), err());
    }
}
