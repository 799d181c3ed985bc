package dev.parley.provider.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ContentPart;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.ResponseFormat;
import dev.parley.Role;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/** The Converse request body: messages, blocks, tools, reasoning carried back, and what is refused. */
class BedrockRequestTest {

    private static final JsonObject WEATHER = (JsonObject) Json.parse(
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");

    private static JsonValue json(String text) {
        return Json.parse(text);
    }

    @Test
    void toolTurn_withSignedReasoning_isSentBackAsConverseBlocks() {
        ChatRequest request = ChatRequest.newBuilder().model("m")
                .addMessage(Message.system("Be brief."))
                .addMessage(Message.user("Weather in Paris?"))
                .addMessage(new Message(Role.ASSISTANT, List.of(ContentPart.text("Checking.")),
                        List.of(new ToolCall("tu_1", "weather", "{\"city\":\"Paris\"}")), null, null,
                        List.of(new ReasoningBlock("The user wants weather.", "sig-1", null),
                                new ReasoningBlock("", null, "cmVkYWN0ZWQ="),
                                ReasoningBlock.of("unsigned, from another provider"))))
                .addMessage(Message.tool("tu_1", "18 C, sunny"))
                .addMessage(Message.user("And tomorrow?"))
                .temperature(0.5).topP(0.9).maxTokens(256).stop(List.of("END"))
                .addTool(Tool.of("weather", "Current weather", WEATHER))
                .toolChoice(ToolChoice.tool("weather"))
                .build();
        assertEquals(json("""
                {"messages":[
                  {"role":"user","content":[{"text":"Weather in Paris?"}]},
                  {"role":"assistant","content":[
                    {"reasoningContent":{"reasoningText":{"text":"The user wants weather.","signature":"sig-1"}}},
                    {"reasoningContent":{"redactedContent":"cmVkYWN0ZWQ="}},
                    {"text":"Checking."},
                    {"toolUse":{"toolUseId":"tu_1","name":"weather","input":{"city":"Paris"}}}]},
                  {"role":"user","content":[
                    {"toolResult":{"toolUseId":"tu_1","content":[{"text":"18 C, sunny"}]}},
                    {"text":"And tomorrow?"}]}],
                 "system":[{"text":"Be brief."}],
                 "inferenceConfig":{"maxTokens":256,"temperature":0.5,"topP":0.9,"stopSequences":["END"]},
                 "toolConfig":{"tools":[{"toolSpec":{"name":"weather","description":"Current weather",
                   "inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}}],
                   "toolChoice":{"tool":{"name":"weather"}}}}
                """), ConverseEncoder.encode("bedrock", request));
    }

    @Test
    void toolChoices_mapToAutoAndAny_andNoneIsRefused() {
        ChatRequest.Builder b = ChatRequest.newBuilder().model("m").addMessage(Message.user("hi"))
                .addTool(Tool.of("weather", null, WEATHER));
        assertEquals(json("{\"auto\":{}}"), ConverseEncoder.encode("bedrock", b.toolChoice(ToolChoice.auto()).build())
                .object("toolConfig").get("toolChoice").orElseThrow());
        assertEquals(json("{\"any\":{}}"), ConverseEncoder.encode("bedrock", b.toolChoice(ToolChoice.required()).build())
                .object("toolConfig").get("toolChoice").orElseThrow());
        LlmException none = assertThrows(LlmException.class,
                () -> ConverseEncoder.encode("bedrock", b.toolChoice(ToolChoice.none()).build()));
        assertEquals(LlmException.Kind.UNSUPPORTED, none.kind());
    }

    @Test
    void images_goAsBytesOrS3_andWebAddressesAreRefused() {
        ChatRequest request = ChatRequest.newBuilder().model("m").addMessage(Message.user(List.of(
                ContentPart.text("What is this?"),
                ContentPart.imageBase64("image/jpeg", "/9j/4AAQ"),
                ContentPart.imageUrl("data:image/png;base64,iVBORw0K"),
                ContentPart.imageUrl("s3://bucket/cat.webp")))).build();
        assertEquals(json("""
                [{"text":"What is this?"},
                 {"image":{"format":"jpeg","source":{"bytes":"/9j/4AAQ"}}},
                 {"image":{"format":"png","source":{"bytes":"iVBORw0K"}}},
                 {"image":{"format":"webp","source":{"s3Location":{"uri":"s3://bucket/cat.webp"}}}}]
                """), ConverseEncoder.encode("bedrock", request).array("messages").object(0).get("content").orElseThrow());
        LlmException web = assertThrows(LlmException.class, () -> ConverseEncoder.encode("bedrock",
                ChatRequest.newBuilder().model("m").addMessage(Message.user(List.of(
                        ContentPart.imageUrl("https://example.com/cat.png")))).build()));
        assertEquals(LlmException.Kind.UNSUPPORTED, web.kind());
        assertTrue(web.getMessage().contains("s3://"), web.getMessage());
    }

    @Test
    void extra_isMergedLast_forThinkingAndGuardrails() {
        ChatRequest request = ChatRequest.newBuilder().model("m").addMessage(Message.user("hi"))
                .extra("additionalModelRequestFields", json("{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}}"))
                .extra("guardrailConfig", json("{\"guardrailIdentifier\":\"g1\",\"guardrailVersion\":\"1\"}"))
                .build();
        JsonObject body = ConverseEncoder.encode("bedrock", request);
        assertEquals(json("{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}}"),
                body.object("additionalModelRequestFields"));
        assertEquals("g1", body.object("guardrailConfig").string("guardrailIdentifier"));
    }

    @Test
    void refused_jsonFormats_systemOnly_andBadToolArguments() {
        assertEquals(LlmException.Kind.UNSUPPORTED, assertThrows(LlmException.class, () -> ConverseEncoder.encode("bedrock",
                ChatRequest.newBuilder().model("m").addMessage(Message.user("hi")).responseFormat(ResponseFormat.jsonObject())
                        .build())).kind());
        assertEquals(LlmException.Kind.INVALID_REQUEST, assertThrows(LlmException.class, () -> ConverseEncoder.encode("bedrock",
                ChatRequest.newBuilder().model("m").addMessage(Message.system("only this")).build())).kind());
        assertEquals(LlmException.Kind.INVALID_REQUEST, assertThrows(LlmException.class, () -> ConverseEncoder.encode("bedrock",
                ChatRequest.newBuilder().model("m").addMessage(Message.user("hi"))
                        .addMessage(Message.assistant("", List.of(new ToolCall("t", "f", "not json")))).build())).kind());
    }
}
