package dev.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ContentPart;
import dev.parley.ResponseFormat;
import dev.parley.Role;
import dev.parley.ToolChoice;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;

class ChatRequestsTest {

    private static ChatRequest parse(String json, boolean openAiStyle) {
        return ChatRequests.parse((JsonObject) Json.parse(json), "up-model", openAiStyle);
    }

    @Test
    void everyOptionIsTranslated() {
        ChatRequest r = parse("""
                {"model":"ignored-here","temperature":0.2,"top_p":0.9,"max_tokens":10,"max_completion_tokens":20,
                 "stop":"END","seed":42,"user":"u-1","tool_choice":"required",
                 "tools":[{"type":"function","function":{"name":"f","description":"d"}}],
                 "response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object"},"strict":true}},
                 "messages":[{"role":"developer","content":"be brief"},
                             {"role":"user","name":"ann","content":[{"type":"text","text":"look: "},
                               {"type":"image_url","image_url":{"url":"https://example.com/a.png","detail":"high"}},
                               {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},
                             {"role":"assistant","content":"ok","reasoning_content":"thinking"}]}""", false);

        assertEquals("up-model", r.model());
        assertEquals(0.2, r.temperature());
        assertEquals(0.9, r.topP());
        assertEquals(20, r.maxTokens(), "max_completion_tokens wins over max_tokens");
        assertEquals(List.of("END"), r.stop());
        assertEquals(42L, r.seed());
        assertEquals("u-1", r.user());
        assertEquals(ToolChoice.required(), r.toolChoice());
        assertEquals("f", r.tools().get(0).name());
        assertEquals("object", r.tools().get(0).parameters().string("type"), "a tool without parameters takes any object");
        assertEquals(ResponseFormat.Type.JSON_SCHEMA, r.responseFormat().type());
        assertTrue(r.responseFormat().strict());
        assertEquals(Role.DEVELOPER, r.messages().get(0).role());
        List<ContentPart> parts = r.messages().get(1).content();
        assertEquals("ann", r.messages().get(1).name());
        assertEquals(new ContentPart.Text("look: "), parts.get(0));
        assertEquals("https://example.com/a.png", ((ContentPart.Image) parts.get(1)).url());
        ContentPart.Image inline = (ContentPart.Image) parts.get(2);
        assertEquals("image/png", inline.mediaType());
        assertEquals("iVBORw0KGgo=", inline.base64());
        assertEquals("thinking", r.messages().get(2).reasoningText());
        assertTrue(r.extra().isEmpty());
    }

    @Test
    void stopArrays_nullContent_andToolChoiceStrings() {
        ChatRequest r = parse("""
                {"stop":["a","b"],"tool_choice":"none","messages":[{"role":"user","content":"hi"},
                 {"role":"assistant","content":null}]}""", false);
        assertEquals(List.of("a", "b"), r.stop());
        assertEquals(ToolChoice.none(), r.toolChoice());
        assertTrue(r.messages().get(1).content().isEmpty());
    }

    @Test
    void passThroughFields_areForwardedOnlyToOpenAiStyleProviders_andOthersAreIgnored() {
        String json = """
                {"frequency_penalty":0.5,"logit_bias":{"50256":-100},"service_tier":"priority","stream":false,
                 "store":true,"messages":[{"role":"user","content":"hi"}]}""";
        ChatRequest openAi = parse(json, true);
        assertEquals(Json.parse("0.5"), openAi.extra().get("frequency_penalty").orElseThrow());
        assertTrue(openAi.extra().has("logit_bias"));
        assertFalse(openAi.extra().has("service_tier"), "fields that change who pays are not forwarded");
        assertFalse(openAi.extra().has("stream"));
        assertFalse(openAi.extra().has("store"));
        assertTrue(parse(json, false).extra().isEmpty());
    }

    @Test
    void fieldsTheGatewayCannotHonour_areRefused() {
        for (String field : List.of("\"n\":3", "\"logprobs\":true", "\"top_logprobs\":2", "\"functions\":[]",
                "\"audio\":{\"voice\":\"alloy\"}")) {
            ApiError e = assertThrows(ApiError.class,
                    () -> parse("{" + field + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", true), field);
            assertEquals(400, e.status);
        }
        assertNull(parse("{\"n\":1,\"logprobs\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", true).seed());
    }

    @Test
    void invalidMessages_nameTheirPlace() {
        assertEquals("messages[1].tool_call_id", assertThrows(ApiError.class, () -> parse("""
                {"messages":[{"role":"user","content":"hi"},{"role":"tool","content":"r"}]}""", false)).param);
        assertEquals("messages[0].content[0].type", assertThrows(ApiError.class, () -> parse("""
                {"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]}""", false)).param);
        assertEquals("messages[0]", assertThrows(ApiError.class, () -> parse("""
                {"messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}""",
                false)).param, "images only in user messages");
        assertEquals("tool_choice", assertThrows(ApiError.class, () -> parse("""
                {"tool_choice":"sometimes","messages":[{"role":"user","content":"hi"}]}""", false)).param);
        assertInstanceOf(ApiError.class, assertThrows(ApiError.class, () -> parse("""
                {"tool_choice":{"type":"function","function":{"name":"missing"}},"messages":[{"role":"user","content":"hi"}]}""",
                false)));
    }
}
