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
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.parley.AuthenticationException;
import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ContentPart;
import dev.parley.EmbeddingRequest;
import dev.parley.FinishReason;
import dev.parley.InvalidRequestException;
import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.Message;
import dev.parley.ModelInfo;
import dev.parley.ReasoningBlock;
import dev.parley.ResponseFormat;
import dev.parley.ToolCall;
import dev.parley.UnsupportedCapabilityException;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Pace;
import dev.parley.support.ReplayServer.RecordedRequest;
import dev.parley.support.ReplayServer.Reply;
import dev.parley.support.TestSubscriber;

class DeepSeekTest {

    static final String REASONER_STREAM_ID = "f802c271-d4da-4773-b8b3-b1e4dfbf14f3";
    static final String STREAMED_REASONING = "Hmm, the user just said \"Hello!\" with an exclamation mark, which suggests a "
            + "friendly and enthusiastic tone. This is a simple greeting, so no complex analysis is needed. \n\n"
            + "The best response would be to mirror their energy with an equally warm and welcoming reply.";
    static final String STREAMED_TEXT = "Hello! 😊 It's wonderful to meet you!";

    private static ChatResponse replay(Reply reply, ChatRequest request) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/chat/completions", reply);
            return Fakes.deepseek(server).chat(request);
        }
    }

    @Test
    void chatBasic_parsesEveryFieldAndTheTraceId() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/chat/completions", Reply.fixture("deepseek/chat_basic"));
            ChatResponse r = Fakes.deepseek(server).chat(ChatRequest.of("deepseek-chat", "Hello"));
            RecordedRequest sent = server.takeRequest();
            assertEquals("/chat/completions", sent.path(), "DeepSeek's base URL has no /v1");
            assertEquals("Bearer " + Fakes.KEY.value(), sent.header("Authorization"));
            assertEquals(json("{\"model\":\"deepseek-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}"),
                    body(sent));

            assertEquals("deepseek", r.provider());
            assertEquals("b55e6172-d379-4806-b4e0-d21dd4b243b7", r.id());
            assertEquals("deepseek-chat", r.model());
            assertEquals("Hello! How can I assist you today?", r.text());
            assertEquals(List.of(), r.reasoning());
            assertEquals(List.of(), r.toolCalls());
            assertNull(r.refusal());
            assertEquals("stop", r.rawFinishReason());
            assertEquals(FinishReason.STOP, r.finishReason());
            assertEquals(new Usage(14, 9, 23, 0, 0, 0), r.usage());
            assertEquals("754bfdec3ed289904df8314d9c221d25", r.requestId(), "x-ds-trace-id");
            assertEquals("cloudflare", r.headers().firstValue("server").orElseThrow());
            assertEquals(14, r.raw().object("usage").longValue("prompt_cache_miss_tokens"));
        }
    }

    @Test
    void chatToolCall_keepsTheTextAndTheCall() {
        ChatResponse r = replay(Reply.fixture("deepseek/chat_tool_call"), ChatRequest.of("deepseek-chat", "Tokyo weather?"));
        assertEquals("fd8b3b63-8112-403f-aa52-57a46f320424", r.id());
        assertEquals("I'll check the current weather in Tokyo for you.", r.text());
        assertEquals(List.of(new ToolCall("call_00_wVp0FIPEgzSN4qfP502y9zG8", "get_weather", "{\"location\": \"Tokyo\"}")),
                r.toolCalls());
        assertEquals("Tokyo", r.toolCalls().get(0).argumentsJson().string("location"));
        assertEquals("tool_calls", r.rawFinishReason());
        assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
        assertEquals(new Usage(161, 25, 186, 0, 0, 0), r.usage());
    }

    @Test
    void reasonerChat_returnsTheReasoningAsABlock() {
        ChatResponse r = replay(Reply.fixture("deepseek/reasoner_chat"), ChatRequest.of("deepseek-reasoner", "Hello!"));
        String reasoning = fixture("deepseek/reasoner_chat.response.json").array("choices").object(0)
                .object("message").string("reasoning_content");
        assertTrue(reasoning.startsWith("Hmm, the user just said \"Hello!\""));
        assertEquals(List.of(ReasoningBlock.of(reasoning)), r.reasoning());
        assertEquals(reasoning, r.reasoningText());
        assertEquals("Hello! How can I help you today?", r.text());
        assertEquals("1c416330-2dca-4478-a1ac-1257d6512c7d", r.id());
        assertEquals("deepseek-reasoner", r.model());
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals(new Usage(12, 9, 21, 0, 0, 0), r.usage());
        assertEquals(reasoning, r.message().reasoningText(), "the reasoning travels with the message");
    }

    @Test
    void nonStreamingKeepAliveBlankLines_beforeTheBody_areAccepted() {
        String body = "\n\n\n" + Fixtures.text("deepseek/chat_basic.response.json");
        ChatResponse r = replay(Reply.json(200, body), ChatRequest.of("deepseek-chat", "Hello"));
        assertEquals("Hello! How can I assist you today?", r.text());
    }

    private static List<ChatChunk> stream(Reply reply) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/chat/completions", reply);
            TestSubscriber<ChatChunk> sub = new TestSubscriber<>();
            Fakes.deepseek(server).stream(ChatRequest.of("deepseek-reasoner", "Hello!")).subscribe(sub);
            sub.request(Long.MAX_VALUE);
            List<ChatChunk> chunks = sub.awaitCompletion();
            JsonObject sent = body(server.takeRequest());
            assertEquals(json("""
                    {"model":"deepseek-reasoner","messages":[{"role":"user","content":"Hello!"}],
                     "stream":true,"stream_options":{"include_usage":true}}"""), sent);
            return chunks;
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void reasonerStream_deliversReasoningThenTextThenFinishWithUsage(Pace pace) {
        List<ChatChunk> chunks = stream(Reply.fixture("deepseek/reasoner_stream").paced(pace)
                .withHeader("x-ds-trace-id", "trace-1"));
        // 17 events; the first (role, reasoning "") carries nothing.
        assertEquals(16, chunks.size());
        for (ChatChunk c : chunks) {
            assertEquals(REASONER_STREAM_ID, c.id());
            assertEquals("deepseek-reasoner", c.model());
            assertEquals("trace-1", c.requestId());
        }
        StringBuilder reasoning = new StringBuilder();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            assertEquals("", chunks.get(i).textDelta());
            reasoning.append(chunks.get(i).reasoningDelta());
        }
        for (int i = 5; i < 15; i++) {
            assertEquals("", chunks.get(i).reasoningDelta());
            text.append(chunks.get(i).textDelta());
        }
        assertEquals(STREAMED_REASONING, reasoning.toString());
        assertEquals(STREAMED_TEXT, text.toString());
        ChatChunk last = chunks.get(15);
        assertEquals(FinishReason.STOP, last.finishReason());
        // prompt_cache_hit_tokens (1) wins over prompt_tokens_details.cached_tokens (0).
        assertEquals(new Usage(6, 169, 175, 1, 0, 117), last.usage());
    }

    @Test
    void reasonerStream_collectsIntoOneReasoningBlock() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/chat/completions", Reply.fixture("deepseek/reasoner_stream"));
            ChatResponse r = Fakes.deepseek(server).stream(ChatRequest.of("deepseek-reasoner", "Hello!")).collect();
            assertEquals(List.of(ReasoningBlock.of(STREAMED_REASONING)), r.reasoning());
            assertEquals(STREAMED_TEXT, r.text());
            assertEquals(REASONER_STREAM_ID, r.id());
            assertEquals("deepseek", r.provider());
            assertEquals("stop", r.rawFinishReason());
            assertEquals(new Usage(6, 169, 175, 1, 0, 117), r.usage());
        }
    }

    @Test
    void keepAliveComments_produceNoChunks() {
        String sse = Fixtures.text("deepseek/reasoner_stream.response.sse");
        String withKeepAlives = ": keep-alive\n\n" + sse.replace("\n\ndata: ", "\n\n: keep-alive\n\n: keep-alive\ndata: ");
        assertTrue(withKeepAlives.split(": keep-alive", -1).length > 30, "keep-alives were inserted");
        List<ChatChunk> plain = stream(Reply.fixture("deepseek/reasoner_stream"));
        List<ChatChunk> kept = stream(Reply.of(200, "text/event-stream", withKeepAlives).paced(Pace.ONE_BYTE_PER_WRITE));
        assertEquals(plain.size(), kept.size());
        for (int i = 0; i < plain.size(); i++) {
            assertEquals(plain.get(i).textDelta(), kept.get(i).textDelta());
            assertEquals(plain.get(i).reasoningDelta(), kept.get(i).reasoningDelta());
            assertEquals(plain.get(i).usage(), kept.get(i).usage());
            assertEquals(plain.get(i).raw(), kept.get(i).raw());
        }
    }

    @Test
    void developerMessages_areSentAsSystem() {
        ChatRequest r = ChatRequest.newBuilder().model("deepseek-chat")
                .addMessage(Message.developer("Be terse.")).addMessage(Message.user("Hi")).build();
        assertEquals(Json.parse("[{\"role\":\"system\",\"content\":\"Be terse.\"},{\"role\":\"user\",\"content\":\"Hi\"}]"),
                ChatEncoder.chat(Dialect.DEEPSEEK, r, false).array("messages"));
        assertEquals("developer", ChatEncoder.chat(Dialect.OPENAI, r, false).array("messages").object(0).string("role"));
        assertEquals("system", ChatEncoder.chat(Dialect.COMPATIBLE, r, false).array("messages").object(0).string("role"));
    }

    private static Message thinking(Message m, String reasoning) {
        return m.withReasoning(List.of(ReasoningBlock.of(reasoning)));
    }

    @Test
    void reasoning_isSentBackForEveryAssistantMessageOfAToolCallingTurnOnly() {
        ToolCall c1 = new ToolCall("c1", "get_weather", "{\"city\":\"Tokyo\"}");
        List<Message> conversation = List.of(
                Message.system("s"),
                Message.user("Weather in Tokyo?"),
                thinking(Message.assistant("", List.of(c1)), "R1"),
                Message.tool("c1", "sunny"),
                thinking(Message.assistant("It is sunny."), "R2"),
                Message.user("A joke?"),
                thinking(Message.assistant("joke"), "R3"),
                Message.user("thanks"));
        assertEquals(Json.parse("""
                [{"role":"system","content":"s"},
                 {"role":"user","content":"Weather in Tokyo?"},
                 {"role":"assistant","content":null,"reasoning_content":"R1","tool_calls":[{"id":"c1","type":"function",
                   "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Tokyo\\"}"}}]},
                 {"role":"tool","content":"sunny","tool_call_id":"c1"},
                 {"role":"assistant","content":"It is sunny.","reasoning_content":"R2"},
                 {"role":"user","content":"A joke?"},
                 {"role":"assistant","content":"joke"},
                 {"role":"user","content":"thanks"}]"""), ChatEncoder.messages(Dialect.DEEPSEEK, conversation));

        JsonArray openai = ChatEncoder.messages(Dialect.OPENAI, conversation);
        for (int i = 0; i < openai.size(); i++) {
            assertFalse(openai.object(i).has("reasoning_content"), "only DeepSeek gets reasoning back");
        }

        // A thinking turn where one assistant message has no reasoning: it sends "".
        List<Message> partial = List.of(Message.user("q"), Message.assistant("", List.of(c1)), Message.tool("c1", "r"),
                thinking(Message.assistant("a"), "R4"), Message.user("next"));
        JsonArray sent = ChatEncoder.messages(Dialect.DEEPSEEK, partial);
        assertEquals("", sent.object(1).string("reasoning_content"));
        assertEquals("R4", sent.object(3).string("reasoning_content"));

        // Tool calls without any reasoning (thinking off): nothing to send back.
        List<Message> plain = List.of(Message.user("q"), Message.assistant("", List.of(c1)), Message.tool("c1", "r"),
                Message.assistant("a"));
        JsonArray none = ChatEncoder.messages(Dialect.DEEPSEEK, plain);
        for (int i = 0; i < none.size(); i++) {
            assertFalse(none.object(i).has("reasoning_content"));
        }
    }

    @Test
    void errorFixtures_mapToTypedExceptions() {
        LlmException notExist = chatError(Reply.fixture("deepseek/error_400_model_not_exist").withStatus(400));
        assertInstanceOf(InvalidRequestException.class, notExist);
        assertEquals("Model Not Exist", notExist.providerMessage());
        assertEquals("invalid_request_error", notExist.errorType());

        LlmException auth = chatError(Reply.fixture("deepseek/error_401_no_such_user").withStatus(401));
        assertInstanceOf(AuthenticationException.class, auth);
        assertEquals("authentication_error", auth.errorType());
        assertEquals("Authentication Fails (no such user)", auth.providerMessage());

        LlmException balance = chatError(Reply.fixture("deepseek/error_402_insufficient_balance").withStatus(402));
        assertEquals(Kind.QUOTA_EXCEEDED, balance.kind());
        assertEquals("Insufficient Balance", balance.providerMessage());
        assertFalse(balance.retryable());
    }

    private static LlmException chatError(Reply reply) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/chat/completions", reply);
            LlmException e = assertThrows(LlmException.class,
                    () -> Fakes.deepseek(server).chat(ChatRequest.of("deepseek-chat", "Hello")));
            assertEquals("deepseek", e.provider());
            return e;
        }
    }

    @Test
    void errorCodeTable_everyStatusMapsToASensibleKind_inChatAndStream() {
        // What each documented status means for a caller; the table says whether to retry.
        Map<Integer, Kind> expected = Map.of(400, Kind.INVALID_REQUEST, 401, Kind.AUTHENTICATION,
                402, Kind.QUOTA_EXCEEDED, 422, Kind.INVALID_REQUEST, 429, Kind.RATE_LIMITED,
                500, Kind.SERVER_ERROR, 503, Kind.UNAVAILABLE);
        JsonArray codes = fixture("deepseek/error_codes.json").array("codes");
        assertEquals(expected.size(), codes.size());
        for (int i = 0; i < codes.size(); i++) {
            JsonObject row = codes.object(i);
            int status = (int) row.longValue("status");
            Kind kind = expected.get(status);
            if (kind == null) {
                fail("no expectation for DeepSeek status " + status);
            }
            Reply reply = Reply.json(status, JsonObject.newBuilder().put("error", JsonObject.newBuilder()
                    .put("message", row.string("name")).build()).build().toString());
            LlmException e = chatError(reply);
            assertEquals(kind, e.kind(), row.toString());
            assertEquals(status, e.statusCode());
            assertEquals(row.booleanValue("retry"), e.retryable(), row.toString());
            assertEquals(row.string("name"), e.providerMessage());

            try (ReplayServer server = ReplayServer.start()) {
                server.on("POST", "/chat/completions", reply);
                TestSubscriber<ChatChunk> sub = TestSubscriber.oneAtATime();
                Fakes.deepseek(server).stream(ChatRequest.of("deepseek-chat", "Hello")).subscribe(sub);
                LlmException s = assertInstanceOf(LlmException.class, sub.awaitError());
                assertEquals(kind, s.kind(), "stream: " + row);
                assertEquals(row.booleanValue("retry"), s.retryable(), "stream: " + row);
            }
        }
    }

    @Test
    void unsupportedCapabilities_failBeforeAnyRequest() {
        try (ReplayServer server = ReplayServer.start()) {
            Provider p = Fakes.deepseek(server);
            assertEquals(java.util.Set.of(Capability.CHAT, Capability.STREAMING, Capability.MODELS, Capability.TOOLS,
                    Capability.REASONING), p.capabilities());
            assertThrows(UnsupportedCapabilityException.class,
                    () -> p.embed(EmbeddingRequest.of("deepseek-embed", List.of("x"))));
            ChatRequest image = ChatRequest.newBuilder().model("deepseek-chat").addMessage(Message.user(List.of(
                    ContentPart.text("what?"), ContentPart.imageUrl("https://example.com/a.png")))).build();
            assertThrows(UnsupportedCapabilityException.class, () -> p.chat(image));
            assertThrows(UnsupportedCapabilityException.class, () -> p.stream(image));
            ChatRequest schema = ChatRequest.newBuilder().model("deepseek-chat").addMessage(Message.user("hi"))
                    .responseFormat(ResponseFormat.jsonSchema("s", JsonObject.of())).build();
            LlmException e = assertThrows(UnsupportedCapabilityException.class, () -> p.chat(schema));
            assertTrue(e.getMessage().contains("deepseek"), e.getMessage());
            assertEquals(0, server.pendingRequests());
            // json_object is supported.
            assertEquals("json_object", ChatEncoder.chat(Dialect.DEEPSEEK, schema.toBuilder()
                    .responseFormat(ResponseFormat.jsonObject()).build(), false).object("response_format").string("type"));
        }
    }

    @Test
    void models_listsFromTheRootModelsEndpoint() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("GET", "/models", Reply.json(200, """
                    {"object":"list","data":[{"id":"deepseek-chat","object":"model","owned_by":"deepseek"},
                     {"id":"deepseek-reasoner","object":"model","owned_by":"deepseek"}]}"""));
            List<ModelInfo> models = Fakes.deepseek(server).models();
            assertEquals(List.of("deepseek-chat", "deepseek-reasoner"), models.stream().map(ModelInfo::id).toList());
            assertEquals("deepseek", models.get(0).ownedBy());
            assertEquals(0, models.get(0).created(), "not given");
            assertEquals("GET", server.takeRequest().method());
        }
    }
}
