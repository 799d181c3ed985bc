package dev.parley.provider.anthropic;

import static dev.parley.provider.anthropic.TestSupport.body;
import static dev.parley.provider.anthropic.TestSupport.json;
import static dev.parley.provider.anthropic.TestSupport.jsonArray;
import static dev.parley.provider.anthropic.TestSupport.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ContentPart;
import dev.parley.EmbeddingRequest;
import dev.parley.InvalidRequestException;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.ResponseFormat;
import dev.parley.Role;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.UnsupportedCapabilityException;
import dev.parley.json.JsonBoolean;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.spi.Provider;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;

/** The request bodies the adapter writes, and the requests it refuses before any network call. */
class AnthropicRequestTest {

    private static final JsonObject CITY = json("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}");

    /** Sends {@code request} to a fake server and returns the body it received. */
    private static JsonObject sent(ChatRequest request) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/message_basic"));
            provider(server).chat(request);
            return body(server.takeRequest());
        }
    }

    @Test
    void body_mapsEveryOption_andMergesExtraLast() {
        ChatRequest request = ChatRequest.newBuilder()
                .model("claude-sonnet-4-5")
                .addMessage(Message.system("Be terse."))
                .addMessage(Message.user("Hi").withName("ignored-name"))
                .addMessage(Message.developer("Answer in French."))
                .temperature(0.5)
                .topP(0.9)
                .maxTokens(2000)
                .stop(List.of("END", "STOP"))
                .seed(42) // no Anthropic equivalent: ignored
                .addTool(Tool.of("weather", "Weather for a city", CITY))
                .addTool(new Tool("no_description", null, JsonObject.of(), true))
                .toolChoice(ToolChoice.required())
                .user("user-7")
                .extra("thinking", json("{\"type\":\"enabled\",\"budget_tokens\":1024}"))
                .extra("temperature", JsonNumber.of(1)) // extra wins over Parley's own fields
                .extra("stream", JsonBoolean.TRUE) // but the call decides whether to stream
                .build();
        assertEquals(json("""
                {"model": "claude-sonnet-4-5", "max_tokens": 2000,
                 "system": "Be terse.\\n\\nAnswer in French.",
                 "messages": [{"role": "user", "content": "Hi"}],
                 "temperature": 1, "top_p": 0.9, "stop_sequences": ["END", "STOP"],
                 "tools": [{"name": "weather", "description": "Weather for a city", "input_schema": %s},
                           {"name": "no_description", "input_schema": {}}],
                 "tool_choice": {"type": "any"},
                 "metadata": {"user_id": "user-7"},
                 "thinking": {"type": "enabled", "budget_tokens": 1024}}
                """.formatted(CITY)), sent(request));
    }

    @Test
    void body_toolChoiceModes() {
        ChatRequest.Builder b = ChatRequest.newBuilder().model("m").addMessage(Message.user("x"))
                .addTool(Tool.of("weather", null, CITY));
        assertEquals(json("{\"type\":\"auto\"}"), sent(b.toolChoice(ToolChoice.auto()).build()).object("tool_choice"));
        assertEquals(json("{\"type\":\"none\"}"), sent(b.toolChoice(ToolChoice.none()).build()).object("tool_choice"));
        assertEquals(json("{\"type\":\"tool\",\"name\":\"weather\"}"),
                sent(b.toolChoice(ToolChoice.tool("weather")).build()).object("tool_choice"));
        assertTrue(sent(ChatRequest.newBuilder().model("m").addMessage(Message.user("x"))
                .toolChoice(ToolChoice.none()).build()).get("tool_choice").isEmpty(), "no tools, no tool_choice");
    }

    @Test
    void body_toolResultsShareOneUserMessage_withTheUserTextAfterThem_andThinkingGoesFirst() {
        ChatRequest request = ChatRequest.newBuilder()
                .model("claude-sonnet-4-5")
                .addMessage(Message.user("Weather in Paris and Rome?"))
                .addMessage(Message.assistant("Checking both.", List.of(
                                new ToolCall("toolu_a", "weather", "{\"city\": \"Paris\"}"),
                                new ToolCall("toolu_b", "weather", "")))
                        .withReasoning(List.of(
                                new ReasoningBlock("Two calls needed.", "sig-a", null),
                                new ReasoningBlock("", null, "redacted=="),
                                ReasoningBlock.of("unsigned reasoning from another provider"))))
                .addMessage(Message.tool("toolu_a", "{\"temp\": 18}"))
                .addMessage(Message.tool("toolu_b", "{\"temp\": 24}"))
                .addMessage(Message.user("Also: which is warmer?"))
                .addMessage(Message.assistant("Rome."))
                .addMessage(Message.tool("toolu_c", "late result"))
                .build();
        assertEquals(jsonArray("""
                [{"role": "user", "content": "Weather in Paris and Rome?"},
                 {"role": "assistant", "content": [
                   {"type": "thinking", "thinking": "Two calls needed.", "signature": "sig-a"},
                   {"type": "redacted_thinking", "data": "redacted=="},
                   {"type": "text", "text": "Checking both."},
                   {"type": "tool_use", "id": "toolu_a", "name": "weather", "input": {"city": "Paris"}},
                   {"type": "tool_use", "id": "toolu_b", "name": "weather", "input": {}}]},
                 {"role": "user", "content": [
                   {"type": "tool_result", "tool_use_id": "toolu_a", "content": "{\\"temp\\": 18}"},
                   {"type": "tool_result", "tool_use_id": "toolu_b", "content": "{\\"temp\\": 24}"},
                   {"type": "text", "text": "Also: which is warmer?"}]},
                 {"role": "assistant", "content": "Rome."},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_c", "content": "late result"}]}]
                """), sent(request).array("messages"));
    }

    @Test
    void body_imagesAsBase64AndUrlSources() {
        ChatRequest request = ChatRequest.newBuilder().model("m")
                .addMessage(Message.user(List.of(
                        ContentPart.text("What is in these?"),
                        ContentPart.imageBase64("image/png", "iVBORw0KGgo="),
                        ContentPart.imageUrl("https://example.com/cat.jpg"),
                        ContentPart.imageUrl("data:image/jpeg;base64,/9j/4AAQ"))))
                .addMessage(new Message(Role.USER, List.of(ContentPart.text("one"), ContentPart.text("two")),
                        null, null, null, null))
                .build();
        assertEquals(jsonArray("""
                [{"role": "user", "content": [
                   {"type": "text", "text": "What is in these?"},
                   {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
                   {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
                   {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"}}]},
                 {"role": "user", "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}]}]
                """), sent(request).array("messages"));
    }

    @Test
    void defaultMaxTokens_comesFromTheOption() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/message_basic"));
            provider(server, java.util.Map.of("defaultMaxTokens", "512")).chat(ChatRequest.of("m", "x"));
            assertEquals(512, body(server.takeRequest()).longValue("max_tokens"));
        }
    }

    @Test
    void refusals_happenBeforeAnyNetworkCall() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/message_basic"));
            Provider p = provider(server);
            ChatRequest base = ChatRequest.of("claude-haiku-4-5", "x");

            InvalidRequestException noModel = assertThrows(InvalidRequestException.class, () -> p.chat(base.withModel(null)));
            assertTrue(noModel.getMessage().contains("no model: set one on the request or a default model"));
            assertThrows(InvalidRequestException.class, () -> p.stream(base.withModel(null)));

            Consumer<ChatRequest> unsupported = r -> {
                assertThrows(UnsupportedCapabilityException.class, () -> p.chat(r));
                assertThrows(UnsupportedCapabilityException.class, () -> p.stream(r));
            };
            unsupported.accept(base.toBuilder().responseFormat(ResponseFormat.jsonSchema("answer", CITY)).build());
            unsupported.accept(base.toBuilder().responseFormat(ResponseFormat.jsonObject()).build());

            UnsupportedCapabilityException embed = assertThrows(UnsupportedCapabilityException.class,
                    () -> p.embed(EmbeddingRequest.of("any", List.of("text"))));
            assertEquals(LlmException.Kind.UNSUPPORTED, embed.kind());
            assertTrue(embed.getMessage().contains("Anthropic has no embeddings API"), embed.getMessage());

            InvalidRequestException hot = assertThrows(InvalidRequestException.class,
                    () -> p.chat(base.toBuilder().temperature(1.5).build()));
            assertTrue(hot.getMessage().contains("temperature: Anthropic accepts 0 to 1, got 1.5"), hot.getMessage());
            assertThrows(InvalidRequestException.class,
                    () -> p.chat(base.toBuilder().toolChoice(ToolChoice.required()).build()));
            assertThrows(InvalidRequestException.class,
                    () -> p.chat(ChatRequest.newBuilder().model("m").addMessage(Message.system("only")).build()));
            InvalidRequestException badArgs = assertThrows(InvalidRequestException.class, () -> p.chat(base.toBuilder()
                    .addMessage(Message.assistant("", List.of(new ToolCall("toolu_x", "weather", "{\"city\":")))).build()));
            assertTrue(badArgs.getMessage().contains("tool call toolu_x (weather)"), badArgs.getMessage());

            assertEquals(0, server.pendingRequests(), "nothing was sent");
            // A text response format is the default and is fine.
            p.chat(base.toBuilder().responseFormat(ResponseFormat.text()).build());
            assertEquals(JsonString.of("x"), body(server.takeRequest()).array("messages").object(0).get("content").orElseThrow());
        }
    }
}
