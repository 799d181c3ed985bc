package dev.parley.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.parley.CallOptions;
import dev.parley.ChatRequest;
import dev.parley.Llm;
import dev.parley.Message;
import dev.parley.RateLimitException;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.RecordedRequest;
import dev.parley.support.ReplayServer.Reply;

/**
 * The design's configuration block, verbatim but for the base URL, which points at a local
 * server that answers at the root as DeepSeek does ({@code POST /chat/completions}).
 */
class SeedConfigurationTest {

    private ReplayServer server;
    private Map<String, String> block;

    @BeforeEach
    void start() {
        server = ReplayServer.start();
        block = new LinkedHashMap<>();
        block.put("LLM_PROVIDER", "deepseek");
        block.put("OPENAI_API_KEY", "sk-...");
        block.put("OPENAI_BASE_URL", server.uri("").toString()); // https://api.deepseek.com in the design
        block.put("OPENAI_MODEL", "deepseek-chat");
        block.put("ENABLE_CACHE", "true");
        block.put("CACHE_TTL", "3600");
        block.put("MAX_REQUESTS_PER_MINUTE", "60");
        block.put("MAX_TOKENS", "1000");
        block.put("TEMPERATURE", "0.7");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static void assertOnTheWire(RecordedRequest r, String prompt) {
        assertEquals("/chat/completions", r.path());
        assertEquals("Bearer sk-...", r.header("Authorization"));
        JsonObject sent = (JsonObject) Json.parse(r.bodyText());
        assertEquals("deepseek-chat", sent.string("model"));
        assertEquals(1000, sent.longValue("max_tokens"));
        assertEquals(0.7, sent.doubleValue("temperature"));
        assertEquals(prompt, sent.array("messages").object(0).string("content"));
    }

    @Test
    void cli_chatHello_succeedsWithTheBlock() {
        server.on("POST", "/chat/completions", Reply.fixture("deepseek/reasoner_stream"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of("chat", "Hello"), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), block);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Hello"), out.toString(StandardCharsets.UTF_8));
        assertOnTheWire(server.takeRequest(), "Hello");
    }

    @Test
    void library_blockGivesKeyUrlModelLimitsCacheAndLimiter() {
        server.on("POST", "/chat/completions", Reply.fixture("deepseek/chat_basic"));
        Llm llm = Llm.newBuilder().settings(block).build();
        assertEquals("deepseek", llm.providerName());
        assertEquals("deepseek-chat", llm.defaultModel());

        String first = llm.chat("Hello").text();
        assertOnTheWire(server.takeRequest(), "Hello");
        assertEquals(first, llm.chat("Hello").text(), "the second identical call is answered by the cache");

        // 60 requests a minute: the first call took one permit (the cache hit none); 59 more fit.
        for (int i = 1; i < 60; i++) {
            llm.chat("Hello " + i);
        }
        for (int i = 1; i < 60; i++) {
            assertOnTheWire(server.takeRequest(), "Hello " + i);
        }
        assertEquals(0, server.pendingRequests(), "no request for the cached call");
        ChatRequest sixtyFirst = ChatRequest.newBuilder().addMessage(Message.user("one too many")).build();
        assertThrows(RateLimitException.class,
                () -> llm.chat(sixtyFirst, CallOptions.defaults().withTimeout(Duration.ofSeconds(2))));
        assertEquals(0, server.pendingRequests(), "the limiter stopped the 61st call before it was sent");
    }

    @Test
    void providerSpecificVariablesWinOverTheGenericOnes() throws Exception {
        server.on("POST", "/ds/chat/completions", Reply.fixture("deepseek/chat_basic"));
        block.put("DEEPSEEK_API_KEY", "sk-deepseek-own-key");
        block.put("DEEPSEEK_BASE_URL", server.uri("/ds").toString());
        block.put("DEEPSEEK_MODEL", "deepseek-reasoner");
        Llm llm = Llm.newBuilder().settings(block).build();
        assertEquals("deepseek-reasoner", llm.defaultModel());
        llm.chat("Hello");
        RecordedRequest r = server.takeRequest();
        assertEquals("/ds/chat/completions", r.path());
        assertEquals("Bearer sk-deepseek-own-key", r.header("Authorization"));

        java.nio.file.Path file = java.nio.file.Files.createTempFile("parley-key", ".txt");
        try {
            java.nio.file.Files.writeString(file, "sk-from-the-file\n");
            block.remove("DEEPSEEK_API_KEY");
            block.put("DEEPSEEK_API_KEY_FILE", file.toString());
            Llm fromFile = Llm.newBuilder().settings(block).build();
            fromFile.chat("Hello from a file");
            assertEquals("Bearer sk-from-the-file", server.takeRequest().header("Authorization"));
        } finally {
            java.nio.file.Files.delete(file);
        }

        block.remove("DEEPSEEK_API_KEY_FILE");
        block.remove("OPENAI_API_KEY");
        dev.parley.ConfigurationException missing = assertThrows(dev.parley.ConfigurationException.class,
                () -> Llm.newBuilder().settings(block).build());
        assertTrue(missing.getMessage().contains("set DEEPSEEK_API_KEY or OPENAI_API_KEY"), missing.getMessage());
    }
}
