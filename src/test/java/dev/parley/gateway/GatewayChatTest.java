package dev.parley.gateway;

import static dev.parley.gateway.TestHttp.json;
import static dev.parley.gateway.TestHttp.sseJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.FinishReason;
import dev.parley.LlmException;
import dev.parley.ReasoningBlock;
import dev.parley.Role;
import dev.parley.ToolCall;
import dev.parley.ToolCallDelta;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.support.Fixtures;
import dev.parley.support.JsonShapes;
import dev.parley.testing.ScriptedProvider;

class GatewayChatTest extends GatewayTestBase {

    private static final String HELLO = """
            {"model":"gpt-4o","messages":[{"role":"user","content":"What's the weather like in SF?"}]}""";

    private static ChatChunk finish(String raw, FinishReason reason, Usage usage) {
        return ChatChunk.newBuilder().finishReason(reason).rawFinishReason(raw).usage(usage).build();
    }

    @Test
    void plainChat_isAChatCompletionShapedLikeOpenAis() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply(ChatResponse.newBuilder().provider("fake")
                .text("It is sunny.").finishReason("stop").usage(new Usage(14, 37, 51, 3, 0, 5)).build()).build();
        start(Gateway.newBuilder().defaultRoute(llm(p, "m")));

        HttpResponse<String> r = http.post("/v1/chat/completions", HELLO);

        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("application/json"));
        JsonObject body = json(r);
        JsonShapes.assertSameShape(Fixtures.json("openai/chat_basic.response.json"), body,
                Set.of("system_fingerprint"), Set.of("usage.prompt_tokens_details"));
        assertTrue(body.string("id").startsWith("chatcmpl-"));
        assertEquals("chat.completion", body.string("object"));
        assertEquals("gpt-4o", body.string("model"));
        JsonObject choice = body.array("choices").object(0);
        assertEquals("It is sunny.", choice.object("message").string("content"));
        assertEquals("assistant", choice.object("message").string("role"));
        assertEquals("stop", choice.string("finish_reason"));
        JsonObject usage = body.object("usage");
        assertEquals(14, usage.longValue("prompt_tokens"));
        assertEquals(37, usage.longValue("completion_tokens"));
        assertEquals(51, usage.longValue("total_tokens"));
        assertEquals(3, usage.object("prompt_tokens_details").longValue("cached_tokens"));
        assertEquals(5, usage.object("completion_tokens_details").longValue("reasoning_tokens"));

        ChatRequest sent = p.requests().get(0);
        assertEquals("gpt-4o", sent.model());
        assertEquals(Role.USER, sent.messages().get(0).role());
        assertEquals("What's the weather like in SF?", sent.messages().get(0).text());
    }

    @Test
    void streamedChat_sendsOpenAisChunksInOpenAisOrder() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").chunks(List.of(ChatChunk.ofText("I'm"),
                ChatChunk.ofText(" unable"), finish("stop", FinishReason.STOP, Usage.of(14, 30)))).build();
        start(Gateway.newBuilder().defaultRoute(llm(p, "m")));

        HttpResponse<String> r = http.post("/v1/chat/completions", """
                {"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"hi"}]}""");

        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
        assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
        List<JsonObject> events = sseJson(r.body());
        List<JsonObject> fixture = sseJson(Fixtures.text("openai/stream_basic.response.sse"));
        assertEquals(5, events.size(), r.body());
        Set<String> noFingerprint = Set.of("system_fingerprint");
        Set<String> usageNull = Set.of("usage");
        JsonShapes.assertSameShape(fixture.get(0), events.get(0), noFingerprint, usageNull);           // role chunk
        JsonShapes.assertSameShape(fixture.get(1), events.get(1), noFingerprint, usageNull);           // content
        JsonShapes.assertSameShape(fixture.get(fixture.size() - 2), events.get(3), noFingerprint, usageNull); // finish
        JsonShapes.assertSameShape(fixture.get(fixture.size() - 1), events.get(4), noFingerprint,
                Set.of("usage.prompt_tokens_details"));                                           // usage
        JsonObject first = events.get(0).array("choices").object(0).object("delta");
        assertEquals("assistant", first.string("role"));
        assertEquals("", first.string("content"));
        assertEquals("I'm", events.get(1).array("choices").object(0).object("delta").string("content"));
        assertEquals(" unable", events.get(2).array("choices").object(0).object("delta").string("content"));
        assertEquals("stop", events.get(3).array("choices").object(0).string("finish_reason"));
        assertTrue(events.get(3).array("choices").object(0).object("delta").isEmpty());
        assertTrue(events.get(4).array("choices").isEmpty());
        assertEquals(44, events.get(4).object("usage").longValue("total_tokens"));
        String id = events.get(0).string("id");
        for (JsonObject e : events) {
            assertEquals(id, e.string("id"));
            assertEquals("chat.completion.chunk", e.string("object"));
            assertEquals("gpt-4o", e.string("model"));
        }
        for (JsonObject e : events.subList(0, 4)) {
            assertTrue(e.has("usage") && e.optObject("usage").isEmpty(), "usage: null before the last chunk");
        }
    }

    @Test
    void streamWithoutIncludeUsage_hasNoUsageChunkNorUsageFields() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply("Hello there").build();
        start(Gateway.newBuilder().defaultRoute(llm(p, "m")));

        HttpResponse<String> r = http.post("/v1/chat/completions", """
                {"model":"x","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        List<JsonObject> events = sseJson(r.body());
        assertEquals(3, events.size(), r.body());
        events.forEach(e -> assertFalse(e.has("usage")));
        assertEquals("Hello there", events.get(1).array("choices").object(0).object("delta").string("content"));
        assertEquals("stop", events.get(2).array("choices").object(0).string("finish_reason"));
    }

    @Test
    void toolCalls_roundTripThroughTheGateway() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply(ChatResponse.newBuilder().provider("fake")
                .toolCalls(List.of(new ToolCall("call_CUd", "get_weather", "{\"city\":\"San Francisco\",\"state\":\"CA\"}")))
                .finishReason("tool_use").usage(Usage.of(48, 19)).build()).build();
        start(Gateway.newBuilder().defaultRoute(llm(p, "m")));
        JsonObject request = ((JsonObject) Fixtures.json("openai/chat_tool_call_strict.request.json")).toBuilder()
                .put("tool_choice", Json.parse("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}"))
                .build();

        HttpResponse<String> r = http.post("/v1/chat/completions", Json.write(request));

        assertEquals(200, r.statusCode(), r.body());
        JsonObject body = json(r);
        JsonShapes.assertSameShape(Fixtures.json("openai/chat_tool_call_strict.response.json"), body,
                Set.of("system_fingerprint"), Set.of("usage.prompt_tokens_details"));
        JsonObject message = body.array("choices").object(0).object("message");
        assertTrue(message.optString("content").isEmpty(), "content is null with tool calls");
        JsonObject call = message.array("tool_calls").object(0);
        assertEquals("call_CUd", call.string("id"));
        assertEquals("function", call.string("type"));
        assertEquals("get_weather", call.object("function").string("name"));
        assertEquals("{\"city\":\"San Francisco\",\"state\":\"CA\"}", call.object("function").string("arguments"));
        assertEquals("tool_calls", body.array("choices").object(0).string("finish_reason"));
        ChatRequest sent = p.requests().get(0);
        assertEquals("get_weather", sent.tools().get(0).name());
        assertTrue(sent.tools().get(0).strict());
        assertEquals("get_weather", sent.toolChoice().toolName());

        // second turn: the assistant's call and the tool's result travel back upstream
        http.post("/v1/chat/completions", """
                {"model":"x","messages":[
                  {"role":"user","content":"weather?"},
                  {"role":"assistant","content":null,"tool_calls":[{"id":"call_CUd","type":"function",
                    "function":{"name":"get_weather","arguments":"{\\"city\\":\\"SF\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_CUd","content":"sunny"}]}""");
        ChatRequest second = p.requests().get(1);
        assertEquals(new ToolCall("call_CUd", "get_weather", "{\"city\":\"SF\"}"), second.messages().get(1).toolCalls().get(0));
        assertEquals("call_CUd", second.messages().get(2).toolCallId());
        assertEquals("sunny", second.messages().get(2).text());
    }

    @Test
    void streamedToolCalls_areRenumberedFromZeroAndShapedLikeOpenAis() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").chunks(List.of(
                ChatChunk.ofText("Let me check."),
                toolDelta(new ToolCallDelta(1, "toolu_1", "get_weather", "")),
                toolDelta(new ToolCallDelta(1, null, null, "{\"city\":")),
                toolDelta(new ToolCallDelta(1, null, null, "\"Paris\"}")),
                finish("tool_use", FinishReason.TOOL_CALLS, Usage.of(10, 5)))).build();
        start(Gateway.newBuilder().defaultRoute(llm(p, "m")));

        HttpResponse<String> r = http.post("/v1/chat/completions", """
                {"model":"x","stream":true,"messages":[{"role":"user","content":"weather in Paris?"}]}""");

        List<JsonObject> events = sseJson(r.body());
        List<JsonObject> fixture = sseJson(Fixtures.text("openai/stream_tool_call_strict.response.sse"));
        JsonObject firstCall = events.get(2).array("choices").object(0).object("delta").array("tool_calls").object(0);
        JsonObject fixtureFirst = fixture.get(0).array("choices").object(0).object("delta").array("tool_calls").object(0);
        JsonShapes.assertSameShape(fixtureFirst, firstCall, Set.of(), Set.of());
        assertEquals(0, firstCall.intValue("index"));
        assertEquals("toolu_1", firstCall.string("id"));
        assertEquals("get_weather", firstCall.object("function").string("name"));
        JsonObject fragment = events.get(3).array("choices").object(0).object("delta").array("tool_calls").object(0);
        JsonShapes.assertSameShape(fixture.get(1).array("choices").object(0).object("delta").array("tool_calls").object(0),
                fragment, Set.of(), Set.of());
        assertEquals(0, fragment.intValue("index"));
        assertEquals("{\"city\":", fragment.object("function").string("arguments"));
        assertEquals("tool_calls", events.get(5).array("choices").object(0).string("finish_reason"));
    }

    private static ChatChunk toolDelta(ToolCallDelta d) {
        return ChatChunk.newBuilder().toolCalls(List.of(d)).build();
    }

    @Test
    void reasoning_isSentAsDeepSeeksReasoningContent() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake")
                .reply(ChatResponse.newBuilder().provider("fake").text("Hello!").reasoning(List.of(ReasoningBlock.of("Hmm, a greeting.")))
                        .finishReason("stop").build())
                .chunks(List.of(ChatChunk.newBuilder().reasoningDelta("Hmm").build(),
                        ChatChunk.ofText("Hi"), finish("stop", FinishReason.STOP, null)))
                .build();
        start(Gateway.newBuilder().defaultRoute(llm(p, "m")));

        JsonObject message = json(http.post("/v1/chat/completions", HELLO)).array("choices").object(0).object("message");
        assertEquals("Hmm, a greeting.", message.string("reasoning_content"));
        assertEquals("Hello!", message.string("content"));

        List<JsonObject> events = sseJson(http.post("/v1/chat/completions", """
                {"model":"x","stream":true,"messages":[{"role":"user","content":"hi"}]}""").body());
        assertEquals("Hmm", events.get(1).array("choices").object(0).object("delta").string("reasoning_content"));
        assertEquals("Hi", events.get(2).array("choices").object(0).object("delta").string("content"));
    }

    @Test
    void routing_byAliasByPrefixAndByDefault() {
        ScriptedProvider anthropic = ScriptedProvider.newBuilder("anthropic").reply("from anthropic").build();
        ScriptedProvider fast = ScriptedProvider.newBuilder("openai").reply("from fast").build();
        ScriptedProvider fallback = ScriptedProvider.newBuilder("openai").reply("from default").build();
        start(Gateway.newBuilder()
                .route("anthropic", llm(anthropic, "claude-default"))
                .route("fast", llm(fast, "gpt-4o-mini"))
                .defaultRoute(llm(fallback, "gpt-4o")));

        JsonObject viaPrefix = json(http.post("/v1/chat/completions", chat("anthropic/claude-sonnet-4-5")));
        assertEquals("from anthropic", content(viaPrefix));
        assertEquals("anthropic/claude-sonnet-4-5", viaPrefix.string("model"));
        assertEquals("claude-sonnet-4-5", anthropic.requests().get(0).model());

        assertEquals("from anthropic", content(json(http.post("/v1/chat/completions", chat("anthropic")))));
        assertEquals("claude-default", anthropic.requests().get(1).model());

        assertEquals("from fast", content(json(http.post("/v1/chat/completions", chat("fast")))));
        assertEquals("gpt-4o-mini", fast.requests().get(0).model());

        assertEquals("from default", content(json(http.post("/v1/chat/completions", chat("gpt-4.1")))));
        assertEquals("gpt-4.1", fallback.requests().get(0).model());
        http.post("/v1/chat/completions", chat("meta-llama/Llama-3-8b"));
        assertEquals("meta-llama/Llama-3-8b", fallback.requests().get(1).model());
        http.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals("gpt-4o", fallback.requests().get(2).model());
    }

    @Test
    void routing_withoutDefaultRoute_unknownModelIs404() {
        start(Gateway.newBuilder().route("fast", llm(ScriptedProvider.newBuilder("f").reply("x").build(), "m")));

        HttpResponse<String> r = http.post("/v1/chat/completions", chat("gpt-4o"));

        assertEquals(404, r.statusCode());
        JsonObject error = json(r).object("error");
        assertEquals("model_not_found", error.string("code"));
        assertEquals("model", error.string("param"));
    }

    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    private static String content(JsonObject completion) {
        return completion.array("choices").object(0).object("message").string("content");
    }

    @Test
    void upstreamRateLimit_is429WithRetryAfter_evenForAStreamThatFailsBeforeItsFirstChunk() {
        LlmException limited = LlmException.newBuilder(LlmException.Kind.RATE_LIMITED).provider("fake").statusCode(429)
                .providerMessage("Rate limit reached for requests").retryAfter(Duration.ofMillis(2500)).build();
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").fail(limited).build();
        start(Gateway.newBuilder().defaultRoute(llm(p, "m")));

        for (String body : List.of(HELLO, "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
            HttpResponse<String> r = http.post("/v1/chat/completions", body);
            assertEquals(429, r.statusCode(), r.body());
            assertEquals("3", r.headers().firstValue("retry-after").orElseThrow());
            assertEquals("2500", r.headers().firstValue("retry-after-ms").orElseThrow());
            JsonObject error = json(r).object("error");
            assertEquals("Rate limit reached for requests", error.string("message"));
            assertEquals("rate_limit_exceeded", error.string("code"));
        }
    }

    @Test
    void upstreamAuthenticationFailure_is502AndDoesNotLeakTheProvidersMessage() {
        LlmException auth = LlmException.newBuilder(LlmException.Kind.AUTHENTICATION).provider("openai").statusCode(401)
                .errorCode("invalid_api_key").providerMessage("Incorrect API key provided: sk-VKMIs****wjh3").build();
        start(Gateway.newBuilder().defaultRoute(llm(ScriptedProvider.newBuilder("openai").fail(auth).build(), "m")));

        HttpResponse<String> r = http.post("/v1/chat/completions", HELLO);

        assertEquals(502, r.statusCode());
        assertFalse(r.body().contains("sk-"), r.body());
        assertEquals("upstream_authentication_failed", json(r).object("error").string("code"));
    }

    @Test
    void upstreamInvalidRequest_is400WithTheProvidersMessageAndCode() {
        LlmException bad = LlmException.newBuilder(LlmException.Kind.INVALID_REQUEST).provider("openai").statusCode(400)
                .errorCode("context_length_exceeded").providerMessage("This model's maximum context length is 4097 tokens.").build();
        start(Gateway.newBuilder().defaultRoute(llm(ScriptedProvider.newBuilder("openai").fail(bad).build(), "m")));

        HttpResponse<String> r = http.post("/v1/chat/completions", HELLO);

        assertEquals(400, r.statusCode());
        JsonObject error = json(r).object("error");
        assertEquals("This model's maximum context length is 4097 tokens.", error.string("message"));
        assertEquals("context_length_exceeded", error.string("code"));
        assertEquals("invalid_request_error", error.string("type"));
        assertNull(error.optString("param").orElse(null));
    }

    @Test
    void upstreamFailureMidStream_endsWithAnErrorEventAndNoDone() {
        LlmException broke = LlmException.newBuilder(LlmException.Kind.UNAVAILABLE).provider("fake")
                .providerMessage("Overloaded").build();
        start(Gateway.newBuilder().defaultRoute(llm(new FailingStreamProvider(List.of(ChatChunk.ofText("partial")), broke), "m")));

        HttpResponse<String> r = http.post("/v1/chat/completions", "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertEquals(200, r.statusCode());
        assertFalse(r.body().contains("[DONE]"), r.body());
        List<JsonObject> events = sseJson(r.body());
        assertEquals("partial", events.get(1).array("choices").object(0).object("delta").string("content"));
        JsonObject error = events.get(events.size() - 1).object("error");
        assertEquals("service_unavailable", error.string("code"));
        assertEquals("Overloaded", error.string("message"));
    }
}
