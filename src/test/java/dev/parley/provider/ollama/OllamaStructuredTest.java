package dev.parley.provider.ollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.Llm;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.schema.JsonSchema;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;

/** Structured answers on Ollama: the schema goes as {@code format}, the content is the JSON. */
class OllamaStructuredTest {

    record Country(String name, String capital, List<String> languages, Optional<Integer> population) {
    }

    @Test
    void chat_sendsTheSchemaAsFormat_andBindsTheContent() {
        String answer = "{\"name\":\"Canada\",\"capital\":\"Ottawa\",\"languages\":[\"English\",\"French\"],\"population\":null}";
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", Reply.json(200, "{\"model\":\"llama3.1\",\"created_at\":\"2025-08-21T12:41:21Z\","
                    + "\"message\":{\"role\":\"assistant\",\"content\":" + Json.write(JsonString.of(answer))
                    + "},\"done_reason\":\"stop\",\"done\":true,\"prompt_eval_count\":26,\"eval_count\":30}"));
            Llm llm = Llm.newBuilder().provider(OllamaChatTest.provider(server)).build();
            Country c = llm.chat(ChatRequest.of("llama3.1", "Tell me about Canada."), Country.class);
            assertEquals(new Country("Canada", "Ottawa", List.of("English", "French"), Optional.empty()), c);

            JsonObject sent = (JsonObject) Json.parse(server.takeRequest().body());
            assertEquals(JsonSchema.of(Country.class), sent.object("format"));
            assertEquals(Json.parse("[{\"role\":\"user\",\"content\":\"Tell me about Canada.\"}]"), sent.array("messages"));
            assertEquals(false, sent.booleanValue("stream"));
            assertFalse(sent.has("response_format"));
        }
    }
}
