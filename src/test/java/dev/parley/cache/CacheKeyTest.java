package dev.parley.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ContentPart;
import dev.parley.EmbeddingRequest;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.ResponseFormat;
import dev.parley.Role;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

class CacheKeyTest {

    private static final JsonObject SCHEMA = (JsonObject) Json.parse("""
            {"type":"object","properties":{"city":{"type":"string"},"unit":{"enum":["c","f"]}},"required":["city"]}""");
    private static final JsonObject SCHEMA_REORDERED = (JsonObject) Json.parse("""
            {"required":["city"],"properties":{"unit":{"enum":["c","f"]},"city":{"type":"string"}},"type":"object"}""");

    private static ChatRequest.Builder base() {
        return ChatRequest.newBuilder()
                .model("gpt-4o-mini")
                .addMessage(Message.system("Be terse."))
                .addMessage(Message.user(List.of(ContentPart.text("Look:"), ContentPart.imageUrl("https://x/y.png"))))
                .addMessage(Message.assistant("", List.of(new ToolCall("call_1", "weather", "{\"city\":\"Paris\"}")))
                        .withReasoning(List.of(new ReasoningBlock("thinking", "sig", null))))
                .addMessage(Message.tool("call_1", "12C"))
                .addMessage(Message.user("And tomorrow?").withName("ann"))
                .temperature(0.5)
                .topP(0.9)
                .maxTokens(100)
                .stop(List.of("END"))
                .seed(7)
                .addTool(Tool.of("weather", "Weather", SCHEMA))
                .toolChoice(ToolChoice.auto())
                .responseFormat(ResponseFormat.jsonObject())
                .user("u1")
                .extra("a", JsonNumber.of(1))
                .extra("b", JsonObject.of("y", JsonString.of("2"), "x", JsonString.of("1")));
    }

    private static String key(ChatRequest r) {
        return CacheKey.chat("openai", r);
    }

    @Test
    void chat_equalRequests_haveEqualKeys() {
        assertEquals(key(base().build()), key(base().build()));
        assertTrue(key(base().build()).matches("[0-9a-f]{64}"));
    }

    @Test
    void chat_mapOrderInExtraAndSchemas_doesNotMatter() {
        ChatRequest reordered = base()
                .tools(List.of(Tool.of("weather", "Weather", SCHEMA_REORDERED)))
                .build().toBuilder().build();
        // Rebuild extra with members in the opposite order, nested too.
        JsonObject extra = JsonObject.newBuilder()
                .put("b", JsonObject.of("x", JsonString.of("1"), "y", JsonString.of("2")))
                .put("a", JsonNumber.of(1))
                .build();
        ChatRequest r = new ChatRequest(reordered.model(), reordered.messages(), reordered.temperature(),
                reordered.topP(), reordered.maxTokens(), reordered.stop(), reordered.seed(), reordered.tools(),
                reordered.toolChoice(), reordered.responseFormat(), reordered.user(), extra);
        assertEquals(key(base().build()), key(r));
    }

    @Test
    void chat_anySingleChangedField_changesTheKey() {
        Map<String, UnaryOperator<ChatRequest.Builder>> variants = new LinkedHashMap<>();
        variants.put("model", b -> b.model("gpt-4o"));
        variants.put("message text", b -> replaceLast(b, Message.user("And today?").withName("ann")));
        variants.put("message role", b -> replaceLast(b, Message.of(Role.DEVELOPER, "And tomorrow?").withName("ann")));
        variants.put("message name", b -> replaceLast(b, Message.user("And tomorrow?").withName("bob")));
        variants.put("message without name", b -> replaceLast(b, Message.user("And tomorrow?")));
        variants.put("content parts split", b -> replaceLast(b, Message.user(List.of(
                ContentPart.text("And "), ContentPart.text("tomorrow?"))).withName("ann")));
        variants.put("image url", b -> replaceAt(b, 1, Message.user(List.of(ContentPart.text("Look:"),
                ContentPart.imageUrl("https://x/z.png")))));
        variants.put("tool call id", b -> replaceAt(b, 2, Message.assistant("",
                List.of(new ToolCall("call_2", "weather", "{\"city\":\"Paris\"}")))
                .withReasoning(List.of(new ReasoningBlock("thinking", "sig", null)))));
        variants.put("tool call arguments", b -> replaceAt(b, 2, Message.assistant("",
                List.of(new ToolCall("call_1", "weather", "{\"city\":\"Lyon\"}")))
                .withReasoning(List.of(new ReasoningBlock("thinking", "sig", null)))));
        variants.put("reasoning signature", b -> replaceAt(b, 2, Message.assistant("",
                List.of(new ToolCall("call_1", "weather", "{\"city\":\"Paris\"}")))
                .withReasoning(List.of(new ReasoningBlock("thinking", "sig2", null)))));
        variants.put("tool call id answered", b -> replaceAt(b, 3, Message.tool("call_9", "12C")));
        variants.put("message order", b -> {
            List<Message> ms = new java.util.ArrayList<>(b.build().messages());
            java.util.Collections.swap(ms, 0, 1);
            return b.messages(ms);
        });
        variants.put("temperature", b -> b.temperature(0.6));
        variants.put("topP", b -> b.topP(1.0));
        variants.put("maxTokens", b -> b.maxTokens(101));
        variants.put("stop", b -> b.stop(List.of("END", "STOP")));
        variants.put("seed", b -> b.seed(8));
        variants.put("tool description", b -> b.tools(List.of(Tool.of("weather", "Weather now", SCHEMA))));
        variants.put("tool strict", b -> b.tools(List.of(new Tool("weather", "Weather", SCHEMA, true))));
        variants.put("tool schema", b -> b.tools(List.of(Tool.of("weather", "Weather",
                JsonObject.of("type", JsonString.of("object"))))));
        variants.put("toolChoice", b -> b.toolChoice(ToolChoice.required()));
        variants.put("toolChoice unset", b -> b.toolChoice(null));
        variants.put("responseFormat", b -> b.responseFormat(ResponseFormat.jsonSchema("w", SCHEMA)));
        variants.put("responseFormat unset", b -> b.responseFormat(null));
        variants.put("user", b -> b.user("u2"));
        variants.put("extra value", b -> b.extra("a", JsonNumber.of(2)));
        variants.put("extra number text", b -> b.extra("a", JsonNumber.parse("1.0")));
        variants.put("extra added", b -> b.extra("c", JsonArray.of()));
        variants.put("extra nested", b -> b.extra("b", JsonObject.of("x", JsonString.of("1"))));

        String baseKey = key(base().build());
        Set<String> keys = new HashSet<>();
        keys.add(baseKey);
        for (Map.Entry<String, UnaryOperator<ChatRequest.Builder>> v : variants.entrySet()) {
            String k = key(v.getValue().apply(base()).build());
            assertNotEquals(baseKey, k, v.getKey());
            assertTrue(keys.add(k), () -> v.getKey() + " collides with another variant");
        }
        assertNotEquals(baseKey, CacheKey.chat("anthropic", base().build()), "provider");
    }

    @Test
    void chat_unsetAndDefaultOptions_areDistinct() {
        ChatRequest plain = ChatRequest.of("m", "hi");
        assertNotEquals(key(plain), key(plain.toBuilder().temperature(1.0).build()));
        assertNotEquals(key(plain), key(plain.toBuilder().extra("temperature", JsonNumber.of(1.0)).build()));
    }

    @Test
    void chat_negativeZeroTemperature_isZero() {
        ChatRequest zero = ChatRequest.newBuilder().model("m").addMessage(Message.user("hi")).temperature(0.0).build();
        ChatRequest negZero = ChatRequest.newBuilder().model("m").addMessage(Message.user("hi")).temperature(-0.0).build();
        assertEquals(key(zero), key(negZero));
    }

    @Test
    void chat_deeplyNestedExtra_isHashedWithoutStackOverflow() {
        JsonValue v = JsonString.of("leaf");
        for (int i = 0; i < 4000; i++) {
            v = i % 2 == 0 ? JsonArray.of(v) : JsonObject.of("k" + i, v, "a", JsonNumber.of(i));
        }
        ChatRequest r = ChatRequest.of("m", "hi").toBuilder().extra("deep", v).build();
        assertEquals(key(r), key(r.toBuilder().build()));
    }

    @Test
    void embedding_keysCoverModelInputsAndOptions() {
        EmbeddingRequest base = new EmbeddingRequest("e1", List.of("a", "b"), 256, "u", JsonObject.of("x", JsonNumber.of(1)));
        String k = CacheKey.embedding("openai", base);
        assertEquals(k, CacheKey.embedding("openai",
                new EmbeddingRequest("e1", List.of("a", "b"), 256, "u", JsonObject.of("x", JsonNumber.of(1)))));
        List<EmbeddingRequest> variants = List.of(
                base.withModel("e2"),
                new EmbeddingRequest("e1", List.of("b", "a"), 256, "u", base.extra()),
                new EmbeddingRequest("e1", List.of("a", "b", "c"), 256, "u", base.extra()),
                new EmbeddingRequest("e1", List.of("a", "b"), 512, "u", base.extra()),
                new EmbeddingRequest("e1", List.of("a", "b"), null, "u", base.extra()),
                new EmbeddingRequest("e1", List.of("a", "b"), 256, "v", base.extra()),
                new EmbeddingRequest("e1", List.of("a", "b"), 256, "u", null));
        Set<String> keys = new HashSet<>(Set.of(k));
        for (EmbeddingRequest v : variants) {
            assertTrue(keys.add(CacheKey.embedding("openai", v)), v.toString());
        }
        assertNotEquals(k, CacheKey.embedding("ollama", base));
        assertNotEquals(CacheKey.chat("openai", ChatRequest.of("e1", "a")), CacheKey.embedding("openai",
                EmbeddingRequest.of("e1", List.of("a"))));
    }

    private static ChatRequest.Builder replaceLast(ChatRequest.Builder b, Message m) {
        return replaceAt(b, b.build().messages().size() - 1, m);
    }

    private static ChatRequest.Builder replaceAt(ChatRequest.Builder b, int i, Message m) {
        List<Message> ms = new java.util.ArrayList<>(b.build().messages());
        ms.set(i, m);
        return b.messages(ms);
    }
}
