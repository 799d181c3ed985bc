package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.json.JsonObject;
import dev.parley.testing.FakeLlmServer;
import dev.parley.testing.Fault;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * The original design's usage examples — basic chat, streaming, custom options — as one-liners
 * against a local fake provider over real HTTP, configured the way users configure Parley: with
 * environment-style settings.
 */
class LocalServerExamplesTest {

    private FakeLlmServer server;
    private Map<String, String> env;

    @BeforeEach
    void start() {
        server = FakeLlmServer.newBuilder().reply("The capital of France is Paris.").streamChunks(6).build().start();
        env = Map.of("LLM_PROVIDER", "openai", "OPENAI_API_KEY", "sk-test", "OPENAI_BASE_URL", server.uri("/v1").toString(),
                "OPENAI_MODEL", "gpt-4o-mini", "ENABLE_CACHE", "true", "CACHE_TTL", "60",
                "MAX_REQUESTS_PER_MINUTE", "600", "MAX_TOKENS", "256", "TEMPERATURE", "0.7");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void basicChat() {
        Llm llm = Llm.newBuilder().settings(env).build();
        assertEquals("The capital of France is Paris.", llm.chat("What is the capital of France?").text());
        JsonObject sent = (JsonObject) server.takeRequest().bodyJson();
        assertEquals("gpt-4o-mini", sent.string("model"));
        assertEquals(256, sent.longValue("max_tokens"));
        assertEquals(0.7, sent.doubleValue("temperature"));
    }

    @Test
    void streaming() {
        Llm llm = Llm.newBuilder().settings(env).build();
        StringBuilder text = new StringBuilder();
        int chunks = 0;
        try (ChatStream stream = llm.stream("What is the capital of France?")) {
            for (ChatChunk chunk : stream) {
                text.append(chunk.textDelta());
                chunks++;
            }
        }
        assertEquals("The capital of France is Paris.", text.toString());
        assertTrue(chunks >= 6, "chunks: " + chunks);
        assertTrue(((JsonObject) server.takeRequest().bodyJson()).booleanValue("stream"));
    }

    @Test
    void customOptions() {
        Llm llm = Llm.newBuilder().settings(env).build();
        ChatResponse r = llm.chat(ChatRequest.newBuilder().model("gpt-4o").addMessage(Message.system("Be brief."))
                .addMessage(Message.user("Capital of France?")).temperature(0.1).maxTokens(50).stop(List.of("\n")).build());
        assertEquals("stop", r.rawFinishReason());
        JsonObject sent = (JsonObject) server.takeRequest().bodyJson();
        assertEquals("gpt-4o", sent.string("model"));
        assertEquals(0.1, sent.doubleValue("temperature"));
        assertEquals(50, sent.longValue("max_tokens"));
        assertEquals("\n", sent.array("stop").string(0));
    }

    @Test
    void retriesA429_thenCachesTheAnswer() {
        server.failNext(1, Fault.rateLimited(Duration.ofMillis(50)));
        Llm llm = Llm.newBuilder().settings(env).build();
        assertEquals("The capital of France is Paris.", llm.chat("again?").text());
        assertEquals(2, server.requestCount());
        assertEquals("The capital of France is Paris.", llm.chat("again?").text());
        assertEquals(2, server.requestCount(), "the second answer came from the cache");
    }

    @Test
    void flightRecorder_recordsOneEventPerCall(@TempDir Path dir) throws Exception {
        Llm llm = Llm.newBuilder().settings(env).build();
        Path file = dir.resolve("calls.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.parley.Call");
            recording.start();
            llm.chat("one");
            llm.stream("two").collect();
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.parley.Call")).toList();
        assertEquals(2, events.size());
        RecordedEvent chat = events.stream().filter(e -> e.getString("operation").equals("chat")).findFirst().orElseThrow();
        assertEquals("openai", chat.getString("provider"));
        assertEquals("gpt-4o-mini", chat.getString("model"));
        assertEquals(1, chat.getInt("attempts"));
        assertTrue(chat.getLong("outputTokens") > 0);
        assertTrue(events.stream().anyMatch(e -> e.getString("operation").equals("stream")));
    }
}
