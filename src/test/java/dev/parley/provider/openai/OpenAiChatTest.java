package dev.parley.provider.openai;

import static dev.parley.provider.openai.Fakes.body;
import static dev.parley.provider.openai.Fakes.fixture;
import static dev.parley.provider.openai.Fakes.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.AuthenticationException;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ContentPart;
import dev.parley.FinishReason;
import dev.parley.InvalidRequestException;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.ResponseFormat;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.json.JsonBoolean;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.RecordedRequest;
import dev.parley.support.ReplayServer.Reply;

class OpenAiChatTest {

    static final String MODEL = "gpt-4o-2024-08-06";
    static final String SF = "What's the weather like in SF?";

    /** The tool of the strict tool-call recordings, schema verbatim. */
    static Tool weatherTool() {
        return new Tool("get_weather", null, json("""
                {"type":"object","properties":{"city":{"type":"string"},"state":{"type":"string"}},
                 "required":["city","state"],"additionalProperties":false}"""), true);
    }

    private static ChatResponse replay(String fixture, ChatRequest request) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", Reply.fixture(fixture));
            return Fakes.openai(server).chat(request);
        }
    }

    @Test
    void chatBasic_sendsTheRecordedBodyAndParsesEveryField() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_basic"));
            ChatResponse r = Fakes.openai(server).chat(ChatRequest.of(MODEL, SF));

            RecordedRequest sent = server.takeRequest();
            assertEquals("/v1/chat/completions", sent.path());
            assertEquals(fixture("openai/chat_basic.request.json"), body(sent));

            assertEquals("chatcmpl-ABfvaueLEMLNYbT8YzpJxsmiQ6HSY", r.id());
            assertEquals(MODEL, r.model());
            assertEquals("openai", r.provider());
            assertEquals("I'm unable to provide real-time weather updates. To get the current weather in San "
                    + "Francisco, I recommend checking a reliable weather website or app like the Weather Channel "
                    + "or a local news station.", r.text());
            assertEquals(List.of(), r.toolCalls());
            assertEquals(List.of(), r.reasoning());
            assertNull(r.refusal(), "refusal: null in the body");
            assertEquals("stop", r.rawFinishReason());
            assertEquals(FinishReason.STOP, r.finishReason());
            assertEquals(new Usage(14, 37, 51, 0, 0, 0), r.usage());
            assertNull(r.requestId(), "the recording has no headers");
            assertEquals(fixture("openai/chat_basic.response.json"), r.raw());
            assertEquals("fp_b40fb1c6fb", r.raw().string("system_fingerprint"));
        }
    }

    @Test
    void chatToolCallStrict_sendsTheRecordedToolAndParsesTheCall() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_tool_call_strict"));
            ChatRequest request = ChatRequest.newBuilder().model(MODEL).addMessage(Message.user(SF))
                    .addTool(weatherTool()).build();
            ChatResponse r = Fakes.openai(server).chat(request);

            assertEquals(fixture("openai/chat_tool_call_strict.request.json"), body(server.takeRequest()));
            assertEquals("chatcmpl-ABfvzdvCI6RaIkiEFNjqGXCSYnlzf", r.id());
            assertEquals("", r.text(), "content: null");
            assertEquals(List.of(new ToolCall("call_CUdUoJpsWWVdxXntucvnol1M", "get_weather",
                    "{\"city\":\"San Francisco\",\"state\":\"CA\"}")), r.toolCalls());
            assertEquals("San Francisco", r.toolCalls().get(0).argumentsJson().string("city"));
            assertEquals("CA", r.toolCalls().get(0).argumentsJson().string("state"));
            assertEquals("tool_calls", r.rawFinishReason());
            assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
            assertEquals(new Usage(48, 19, 67, 0, 0, 0), r.usage());
        }
    }

    @Test
    void toolCallResponse_goesBackAsAssistantMessageWithNullContent() {
        ChatResponse r = replay("openai/chat_tool_call_strict",
                ChatRequest.newBuilder().model(MODEL).addMessage(Message.user(SF)).addTool(weatherTool()).build());
        List<Message> conversation = List.of(Message.user(SF), r.message(),
                Message.tool("call_CUdUoJpsWWVdxXntucvnol1M", "{\"temperature_c\":18}"));
        assertEquals(Json.parse("""
                [{"role":"user","content":"What's the weather like in SF?"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"call_CUdUoJpsWWVdxXntucvnol1M",
                   "type":"function","function":{"name":"get_weather",
                   "arguments":"{\\"city\\":\\"San Francisco\\",\\"state\\":\\"CA\\"}"}}]},
                 {"role":"tool","content":"{\\"temperature_c\\":18}","tool_call_id":"call_CUdUoJpsWWVdxXntucvnol1M"}]
                """),
                ChatEncoder.messages(Dialect.OPENAI, conversation));
    }

    @Test
    void chatParallelToolCalls_keepsBothCallsInOrderWithArgumentsVerbatim() {
        ChatResponse r = replay("openai/chat_parallel_tool_calls", ChatRequest.of(MODEL, "weather and AAPL"));
        assertEquals(List.of(
                new ToolCall("call_fdNz3vOBKYgOIpMdWotB9MjY", "GetWeatherArgs",
                        "{\"city\": \"Edinburgh\", \"country\": \"GB\", \"units\": \"c\"}"),
                new ToolCall("call_h1DWI1POMJLb0KwIyQHWXD4p", "get_stock_price",
                        "{\"ticker\": \"AAPL\", \"exchange\": \"NASDAQ\"}")), r.toolCalls());
        assertEquals("NASDAQ", r.toolCalls().get(1).argumentsJson().string("exchange"));
        assertEquals("chatcmpl-ABfvyvfNWKcl7Ohqos4UFrmMs1v4C", r.id());
        assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
        assertEquals(new Usage(149, 60, 209, 0, 0, 0), r.usage());
        assertEquals("", r.text());
    }

    @Test
    void chatRefusal_givesTheRefusalAndNoText() {
        ChatResponse r = replay("openai/chat_refusal", ChatRequest.of(MODEL, "How do I make anthrax?"));
        assertEquals("I'm very sorry, but I can't assist with that.", r.refusal());
        assertEquals("", r.text());
        assertEquals(List.of(), r.toolCalls());
        assertEquals("stop", r.rawFinishReason());
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals("chatcmpl-ABfvwoKVWPQj2UPlAcAKM7s40GsRx", r.id());
        assertEquals(new Usage(79, 12, 91, 0, 0, 0), r.usage());
    }

    @Test
    void chatWithHeaders_givesRequestIdHeadersAndUsageDetails() {
        ChatResponse r = replay("openai/chat_with_headers", ChatRequest.of("gpt-5.1-chat-latest", "Hello"));
        assertEquals("req_ca8197062dd44e208e21ceef70b46fce", r.requestId());
        assertEquals("1219", r.headers().firstValue("openai-processing-ms").orElseThrow());
        assertEquals("4999", r.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
        assertEquals("chatcmpl-CcWj9dBmozYrIh53F5tkednY14t4r", r.id());
        assertEquals("gpt-5.1-chat-latest", r.model());
        assertEquals("Hello! How can I help you today?", r.text());
        assertNull(r.refusal());
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals(new Usage(20, 18, 38, 0, 0, 0), r.usage());
        assertEquals("default", r.raw().string("service_tier"), "unknown fields survive in raw");
        assertTrue(r.raw().array("choices").object(0).object("message").array("annotations").isEmpty());
    }

    @Test
    void chat_sendsBearerKeyAcceptOrganizationProjectAndConfiguredHeaders() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_basic"));
            Provider p = new OpenAiProviderFactory().create(ProviderConfig.newBuilder()
                    .baseUrl(server.uri("/v1")).apiKey(Fakes.KEY)
                    .option("organization", "org-123").option("project", "proj_abc")
                    .header("X-Trace", "t-1").build());
            p.chat(ChatRequest.of(MODEL, SF));
            RecordedRequest sent = server.takeRequest();
            assertEquals("Bearer " + Fakes.KEY.value(), sent.header("Authorization"));
            assertEquals("application/json", sent.header("Accept"));
            assertEquals("application/json", sent.header("Content-Type"));
            assertEquals("org-123", sent.header("OpenAI-Organization"));
            assertEquals("proj_abc", sent.header("OpenAI-Project"));
            assertEquals("t-1", sent.header("X-Trace"));
            assertNull(sent.header("api-key"));
        }
    }

    @Test
    void chat_encodesEveryRequestField() {
        JsonObject schema = json("{\"type\":\"object\",\"properties\":{\"answer\":{\"type\":\"string\"}}}");
        JsonObject params = json("{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}");
        ChatRequest request = ChatRequest.newBuilder()
                .model("gpt-4o-mini")
                .addMessage(Message.system("Be brief."))
                .addMessage(Message.developer("Answer in JSON."))
                .addMessage(Message.user(List.of(ContentPart.text("What is this?"),
                        ContentPart.imageUrl("https://example.com/cat.png"),
                        ContentPart.imageBase64("image/png", "iVBORw0KGgo="))).withName("alice"))
                .addMessage(Message.assistant("Let me look.", List.of(new ToolCall("call_1", "lookup", "{\"q\":\"cat\"}"))))
                .addMessage(Message.tool("call_1", "a cat"))
                .addMessage(Message.assistant(""))
                .temperature(0.5).topP(0.9).maxTokens(100).stop(List.of("END")).seed(42)
                .addTool(new Tool("lookup", "Looks things up", params, false))
                .toolChoice(ToolChoice.tool("lookup"))
                .responseFormat(ResponseFormat.jsonSchema("answer", schema))
                .user("u-1")
                .extra("logprobs", JsonBoolean.TRUE)
                .extra("temperature", JsonNumber.of(0.1))
                .build();
        JsonObject expected = json("""
                {"model":"gpt-4o-mini",
                 "messages":[
                   {"role":"system","content":"Be brief."},
                   {"role":"developer","content":"Answer in JSON."},
                   {"role":"user","name":"alice","content":[
                     {"type":"text","text":"What is this?"},
                     {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}},
                     {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},
                   {"role":"assistant","content":"Let me look.","tool_calls":[
                     {"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\\"q\\":\\"cat\\"}"}}]},
                   {"role":"tool","content":"a cat","tool_call_id":"call_1"},
                   {"role":"assistant","content":""}],
                 "temperature":0.1,
                 "top_p":0.9,
                 "max_tokens":100,
                 "stop":["END"],
                 "seed":42,
                 "tools":[{"type":"function","function":{"name":"lookup","description":"Looks things up",
                   "parameters":{"type":"object","properties":{"q":{"type":"string"}}}}}],
                 "tool_choice":{"type":"function","function":{"name":"lookup"}},
                 "response_format":{"type":"json_schema","json_schema":{"name":"answer",
                   "schema":{"type":"object","properties":{"answer":{"type":"string"}}},"strict":true}},
                 "user":"u-1",
                 "logprobs":true}""");
        assertEquals(expected, ChatEncoder.chat(Dialect.OPENAI, request, false));
    }

    @Test
    void chat_encodesToolChoiceModesAndResponseFormats() {
        ChatRequest base = ChatRequest.newBuilder().model("m").addMessage(Message.user("hi"))
                .addTool(Tool.of("t", null, JsonObject.of())).build();
        assertEquals("\"auto\"", encode(base.toBuilder().toolChoice(ToolChoice.auto()).build(), "tool_choice"));
        assertEquals("\"none\"", encode(base.toBuilder().toolChoice(ToolChoice.none()).build(), "tool_choice"));
        assertEquals("\"required\"", encode(base.toBuilder().toolChoice(ToolChoice.required()).build(), "tool_choice"));
        assertEquals("{\"type\":\"json_object\"}",
                encode(base.toBuilder().responseFormat(ResponseFormat.jsonObject()).build(), "response_format"));
        assertEquals("{\"type\":\"text\"}",
                encode(base.toBuilder().responseFormat(ResponseFormat.text()).build(), "response_format"));
        assertFalse(ChatEncoder.chat(Dialect.OPENAI, base, false).has("tool_choice"), "unset: not sent");
    }

    private static String encode(ChatRequest r, String field) {
        return ChatEncoder.chat(Dialect.OPENAI, r, false).get(field).orElseThrow().toString();
    }

    @Test
    void maxCompletionTokens_isUsedForOpenAiReasoningFamiliesOnly() {
        for (String m : List.of("o1", "o1-mini", "o3-mini", "o4-mini-2025-04-16", "gpt-5", "gpt-5-mini", "GPT-5.1",
                "ft:o4-mini-2025-04-16:acme::abc123")) {
            assertTrue(ChatEncoder.usesMaxCompletionTokens(m), m);
        }
        for (String m : List.of("gpt-4o", "gpt-4.1-mini", "omni-moderation-latest", "o", "chatgpt-4o-latest", "gpt-4")) {
            assertFalse(ChatEncoder.usesMaxCompletionTokens(m), m);
        }
        assertFalse(ChatEncoder.usesMaxCompletionTokens(null));

        ChatRequest o3 = ChatRequest.newBuilder().model("o3-mini").addMessage(Message.user("hi")).maxTokens(50).build();
        JsonObject openai = ChatEncoder.chat(Dialect.OPENAI, o3, false);
        assertEquals(50, openai.longValue("max_completion_tokens"));
        assertFalse(openai.has("max_tokens"));
        JsonObject compatible = ChatEncoder.chat(Dialect.COMPATIBLE, o3, false);
        assertEquals(50, compatible.longValue("max_tokens"), "other servers keep max_tokens whatever the name");
        assertFalse(compatible.has("max_completion_tokens"));
    }

    @Test
    void chat_withoutModel_isAnInvalidRequestBeforeAnyRequest() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_basic"));
            Provider p = Fakes.openai(server);
            ChatRequest noModel = ChatRequest.newBuilder().addMessage(Message.user("hi")).build();
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> p.chat(noModel));
            assertTrue(e.getMessage().contains("no model: set one on the request or a default model"), e.getMessage());
            assertThrows(InvalidRequestException.class, () -> p.stream(noModel));
            assertEquals(0, server.pendingRequests());
        }
    }

    @Test
    void chat_unexpectedShape_isServerErrorNamingThePath() {
        LlmException e = failWith(Reply.json(200, """
                {"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":42}}]}"""));
        assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
        assertTrue(e.getMessage().contains("choices[0].message.content"), e.getMessage());
        assertFalse(e.retryable());

        assertTrue(failWith(Reply.json(200, "{\"choices\":[]}")).getMessage().contains("choices"));
        assertTrue(failWith(Reply.json(200, "{\"id\":\"x\"}")).getMessage().contains("choices"));
        assertTrue(failWith(Reply.json(200, "{\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":\"c\"}]}}]}"))
                .getMessage().contains("choices[0].message.tool_calls[0].function"));
        assertEquals(LlmException.Kind.SERVER_ERROR, failWith(Reply.json(200, "[1,2]")).kind());
        LlmException html = failWith(Reply.of(200, "text/html", "<html><title>Gateway</title></html>"));
        assertEquals(LlmException.Kind.SERVER_ERROR, html.kind());
        assertEquals(200, html.statusCode());
    }

    private static LlmException failWith(Reply reply) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", reply);
            return assertThrows(LlmException.class, () -> Fakes.openai(server).chat(ChatRequest.of(MODEL, "hi")));
        }
    }

    @Test
    void errorFixtures_mapToTypedExceptions() {
        LlmException context = failWith(Reply.fixture("openai/error_400_context_length").withStatus(400));
        assertInstanceOf(InvalidRequestException.class, context);
        assertEquals("context_length_exceeded", context.errorCode());
        assertEquals("invalid_request_error", context.errorType());
        assertTrue(context.providerMessage().startsWith("This model's maximum context length is 4097 tokens."));
        assertEquals("openai", context.provider());

        LlmException auth = failWith(Reply.fixture("openai/error_401_invalid_api_key").withStatus(401));
        assertInstanceOf(AuthenticationException.class, auth);
        assertEquals("invalid_api_key", auth.errorCode());
        assertFalse(auth.retryable());

        LlmException quota = failWith(Reply.fixture("openai/error_429_insufficient_quota").withStatus(429));
        assertEquals(LlmException.Kind.QUOTA_EXCEEDED, quota.kind());
        assertEquals("insufficient_quota", quota.errorCode());
        assertFalse(quota.retryable(), "a used-up quota is not retried");
    }

    @Test
    void errors_neverShowTheKey() {
        LlmException e = failWith(Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key provided: "
                + Fakes.KEY.value() + "\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"));
        assertFalse(e.getMessage().contains(Fakes.KEY.value()), e.getMessage());
        assertFalse(e.providerMessage().contains(Fakes.KEY.value()));
        try (ReplayServer server = ReplayServer.start()) {
            Provider p = Fakes.openai(server);
            assertFalse(p.toString().contains(Fakes.KEY.value()), p.toString());
        }
    }
}
