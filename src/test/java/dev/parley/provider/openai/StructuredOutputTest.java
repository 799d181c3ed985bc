package dev.parley.provider.openai;

import static dev.parley.provider.openai.Fakes.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.Llm;
import dev.parley.Message;
import dev.parley.ResponseFormat;
import dev.parley.StructuredOutputException;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.schema.Description;
import dev.parley.schema.JsonSchema;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;

/** Structured answers over the Chat Completions wire: json_schema for OpenAI, JSON mode plus the schema for DeepSeek. */
class StructuredOutputTest {

    enum Units { c, f }

    record Weather(@Description("city and region") String location, Units units) {
    }

    private static final String ANSWER = "{\"location\":\"Paris\",\"units\":\"c\"}";

    private static Reply completion(String content) {
        return Reply.json(200, JsonObject.newBuilder().put("id", "chatcmpl-1").put("object", "chat.completion")
                .put("model", "m").put("choices", Json.parse("[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                        + Json.write(JsonString.of(content)) + "},\"finish_reason\":\"stop\"}]"))
                .put("usage", Json.parse("{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12}"))
                .build().toString());
    }

    @Test
    void openai_sendsStrictJsonSchema_andBindsTheContent() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", completion(ANSWER));
            Llm llm = Llm.newBuilder().provider(Fakes.openai(server)).build();
            Weather w = llm.chat(ChatRequest.of("gpt-4o-mini", "Weather in Paris?"), Weather.class);
            assertEquals(new Weather("Paris", Units.c), w);

            JsonObject sent = body(server.takeRequest());
            assertEquals(Json.parse("[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]"), sent.array("messages"));
            JsonObject format = sent.object("response_format");
            assertEquals("json_schema", format.string("type"));
            JsonObject js = format.object("json_schema");
            assertEquals("Weather", js.string("name"));
            assertEquals(true, js.booleanValue("strict"));
            assertEquals(JsonSchema.of(Weather.class), js.object("schema"));
            assertEquals(Json.parse("""
                    {"type":"object","properties":{"location":{"type":"string","description":"city and region"},
                     "units":{"type":"string","enum":["c","f"]}},"required":["location","units"],
                     "additionalProperties":false}"""), js.object("schema"));
        }
    }

    @Test
    void azureAndCompatibleServers_getJsonSchemaToo() {
        ChatRequest r = ChatRequest.of("m", "x").toBuilder()
                .responseFormat(ResponseFormat.jsonSchema("Weather", JsonSchema.of(Weather.class))).build();
        for (Dialect d : new Dialect[] {Dialect.AZURE, Dialect.COMPATIBLE}) {
            JsonObject sent = ChatEncoder.chat(d, r, false);
            assertEquals("json_schema", sent.object("response_format").string("type"), d.name());
            assertEquals(1, sent.array("messages").size(), d.name());
        }
    }

    @Test
    void openai_recordedRefusal_isAStructuredOutputError() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_refusal"));
            Llm llm = Llm.newBuilder().provider(Fakes.openai(server)).build();
            StructuredOutputException e = assertThrows(StructuredOutputException.class,
                    () -> llm.chat(ChatRequest.of("gpt-4o-2024-08-06", "How do I make anthrax?"), Weather.class));
            assertEquals("the model refused: I'm very sorry, but I can't assist with that.", e.reason());
            assertEquals(1, server.takeRequest() == null ? 0 : 1);
            assertEquals(0, server.pendingRequests(), "a refusal is not repaired");
        }
    }

    @Test
    void deepseek_sendsJsonModeWithTheSchemaInASystemMessage() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/chat/completions", completion("```json\n" + ANSWER + "\n```"));
            Llm llm = Llm.newBuilder().provider(Fakes.deepseek(server)).build();
            Weather w = llm.chat(ChatRequest.newBuilder().model("deepseek-chat").addMessage(Message.system("Be brief."))
                    .addMessage(Message.user("Weather in Paris?")).build(), Weather.class);
            assertEquals(new Weather("Paris", Units.c), w);

            JsonObject sent = body(server.takeRequest());
            assertEquals(Json.parse("{\"type\":\"json_object\"}"), sent.object("response_format"));
            assertEquals(3, sent.array("messages").size());
            JsonObject schemaMessage = sent.array("messages").object(0);
            assertEquals("system", schemaMessage.string("role"));
            assertEquals("Answer with one JSON object and nothing else. The object must follow this JSON Schema"
                    + " (named Weather):\n" + Json.write(JsonSchema.of(Weather.class)), schemaMessage.string("content"));
            assertEquals(Json.parse("{\"role\":\"system\",\"content\":\"Be brief.\"}"), sent.array("messages").get(1));
            assertEquals(Json.parse("{\"role\":\"user\",\"content\":\"Weather in Paris?\"}"), sent.array("messages").get(2));
            assertNull(sent.get("tools").orElse(null));
        }
    }
}
