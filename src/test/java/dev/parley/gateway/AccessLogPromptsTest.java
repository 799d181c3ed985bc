package dev.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.ChatChunk;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.testing.ScriptedProvider;

/** Prompts and answers in the access log: never unless asked; when asked, bounded. */
class AccessLogPromptsTest extends GatewayTestBase {

    private static final String KEY = "sk-canary-client-key-0123456789";
    private static final String PROMPT = "canary prompt text";
    private static final String MESSAGES = "[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\""
            + PROMPT + "\"}]";
    private static final String CHAT = "{\"model\":\"m\",\"messages\":" + MESSAGES + "}";
    private static final String STREAM = "{\"model\":\"m\",\"stream\":true,\"messages\":" + MESSAGES + "}";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    private Gateway.Builder builder() {
        // Answers "canary streamed answer", streamed or not.
        ScriptedProvider upstream = ScriptedProvider.newBuilder("fake")
                .chunks(List.of(ChatChunk.ofText("canary "), ChatChunk.ofText("streamed "), ChatChunk.ofText("answer")))
                .build();
        return Gateway.newBuilder().defaultRoute(llm(upstream, "m")).accessLog(log);
    }

    private Path config(String log) throws IOException {
        Path file = dir.resolve("gateway.json");
        Files.writeString(file, "{\"keys\": [{\"name\": \"app\", \"hash\": \"" + KeysConfig.hash(KEY) + "\"}]"
                + (log.isEmpty() ? "" : ", \"log\": " + log) + "}");
        return file;
    }

    private void send(String path, String body) {
        assertEquals(200, http.post(path, body, "Authorization", "Bearer " + KEY).statusCode());
    }

    /** {@return the access-log lines, once every request has ended and its line is written} */
    private List<JsonObject> lines(int expected) {
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(5)));
        gateway.stop(); // writes the lines still queued
        List<JsonObject> out = new ArrayList<>();
        log.toString(StandardCharsets.UTF_8).lines().forEach(l -> out.add((JsonObject) Json.parse(l)));
        assertEquals(expected, out.size(), out.toString());
        return out;
    }

    @Test
    void byDefault_noLineHoldsAPromptOrAnAnswer() throws IOException {
        start(builder().configFile(config("")));

        send("/v1/chat/completions", CHAT);
        send("/v1/chat/completions", STREAM);
        send("/v1/responses", "{\"model\":\"m\",\"instructions\":\"be brief\",\"input\":\"" + PROMPT + "\"}");
        send("/v1/embeddings", "{\"model\":\"m\",\"input\":\"" + PROMPT + "\"}");

        for (JsonObject line : lines(4)) {
            assertFalse(line.has("prompt") || line.has("answer"), line.toString());
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("canary"), text);
    }

    @Test
    void whenAsked_eachLineHoldsThePromptAndTheAnswer_streamedOrNot() {
        start(builder().logPrompts(true));

        send("/v1/chat/completions", CHAT.replace("\"model\"", "\"max_tokens\":5,\"model\""));
        send("/v1/chat/completions", STREAM);
        send("/v1/responses", "{\"model\":\"m\",\"instructions\":\"be brief\",\"input\":\"" + PROMPT + "\"}");
        send("/v1/embeddings", "{\"model\":\"m\",\"input\":[\"" + PROMPT + "\"]}");

        List<JsonObject> lines = lines(4);
        assertEquals(Json.parse(MESSAGES), Json.parse(lines.get(0).string("prompt")), "the request's messages, as JSON text");
        assertEquals("canary streamed answer", lines.get(0).string("answer"));
        assertEquals(Json.parse(MESSAGES), Json.parse(lines.get(1).string("prompt")));
        assertEquals("canary streamed answer", lines.get(1).string("answer"), "a stream's text, put together");
        JsonObject responses = (JsonObject) Json.parse(lines.get(2).string("prompt"));
        assertEquals("be brief", responses.string("instructions"));
        assertEquals(PROMPT, responses.string("input"));
        assertEquals("canary streamed answer", lines.get(2).string("answer"));
        assertEquals(PROMPT, ((JsonArray) Json.parse(lines.get(3).string("prompt"))).string(0));
        assertFalse(lines.get(3).has("answer"), "embeddings have no text answer");
        assertFalse(log.toString(StandardCharsets.UTF_8).contains(KEY));
    }

    @Test
    void theAdminApisRecentRequests_neverHoldPrompts_evenWhenTheAccessLogDoes() {
        String admin = "admin-key-0123456789abcdef";
        start(builder().logPrompts(true).adminKey(admin));

        send("/v1/chat/completions", CHAT);
        send("/v1/chat/completions", STREAM);
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(5)));

        var answer = http.get("/admin/requests", "Authorization", "Bearer " + admin);
        assertEquals(200, answer.statusCode());
        assertTrue(answer.body().contains("/v1/chat/completions"), answer.body());
        assertFalse(answer.body().contains("canary"), "no prompt or answer text in the admin API: " + answer.body());
        assertTrue(lines(2).get(0).has("prompt"), "while the access log holds them, as asked");
    }

    @Test
    void theFilesLogSettingsWin_andCutPromptsAndAnswersWithAMarker() throws IOException {
        start(builder().configFile(config("{\"prompts\": true, \"max_chars\": 12}")));

        send("/v1/chat/completions", CHAT);
        send("/v1/chat/completions", STREAM);

        List<JsonObject> lines = lines(2);
        String prompt = lines.get(0).string("prompt");
        assertEquals(MESSAGES.substring(0, 12) + "...[truncated: " + (MESSAGES.length() - 12) + " more characters]", prompt);
        assertEquals("canary strea...[truncated: 10 more characters]", lines.get(0).string("answer"));
        assertEquals("canary strea...[truncated: 10 more characters]", lines.get(1).string("answer"),
                "a stream's text is cut across its chunks");
    }

    @Test
    void aFileThatSaysNoWinsOverTheBuilder_andAReloadTurnsPromptsOn() throws IOException {
        Path file = config("{\"prompts\": false}");
        start(builder().logPrompts(true).configFile(file));
        send("/v1/chat/completions", CHAT);

        config("{\"prompts\": true}");
        assertTrue(gateway.reloadConfig());
        send("/v1/chat/completions", CHAT);

        List<JsonObject> lines = lines(2);
        assertFalse(lines.get(0).has("prompt") || lines.get(0).has("answer"), lines.get(0).toString());
        assertEquals("canary streamed answer", lines.get(1).string("answer"));
    }

    @Test
    void badLogSettingsAreNamed() {
        String m = org.junit.jupiter.api.Assertions.assertThrows(dev.parley.ConfigurationException.class,
                () -> KeysConfig.parse("{\"keys\": [],\n \"log\": {\"prompts\": \"yes\", \"max_chars\": 0, \"level\": 1}}", "f"))
                .getMessage();
        assertTrue(m.contains("line 2: log.prompts: expected true"), m);
        assertTrue(m.contains("line 2: log.max_chars: expected a whole number from 1"), m);
        assertTrue(m.contains("line 2: log.level: unknown field"), m);
    }
}
