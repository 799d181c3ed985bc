package dev.parley.provider.openai;

import static dev.parley.provider.openai.Fakes.body;
import static dev.parley.provider.openai.Fakes.fixture;
import static dev.parley.provider.openai.OpenAiChatTest.MODEL;
import static dev.parley.provider.openai.OpenAiChatTest.SF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.FinishReason;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.RateLimitException;
import dev.parley.ToolCall;
import dev.parley.ToolCallDelta;
import dev.parley.Usage;
import dev.parley.json.JsonBoolean;
import dev.parley.json.JsonObject;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Pace;
import dev.parley.support.ReplayServer.RecordedRequest;
import dev.parley.support.ReplayServer.Reply;
import dev.parley.support.TestSubscriber;

class OpenAiStreamTest {

    static final String BASIC_ID = "chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL";
    static final String BASIC_TEXT = "I'm unable to provide real-time weather updates. To get the current weather in San "
            + "Francisco, I recommend checking a reliable weather website or a weather app.";
    static final JsonObject INCLUDE_USAGE = JsonObject.newBuilder().put("include_usage", true).build();

    /** The request a recorded stream body was made with, as Parley sends it: plus stream_options. */
    private static JsonObject recordedStreamRequest(String name) {
        // The recorded requests show only "stream": true, though the recordings end with the
        // usage chunk that stream_options.include_usage asks for. Parley always asks for it, so
        // the body sent is the recorded one plus exactly that member.
        return fixture(name).toBuilder().put("stream_options", INCLUDE_USAGE).build();
    }

    /** Streams {@code reply} to the end with unbounded demand, checking the request sent. */
    private static List<ChatChunk> streamAll(Reply reply, ChatRequest request, JsonObject expectedBody) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", reply);
            ChatStream stream = Fakes.openai(server).stream(request);
            TestSubscriber<ChatChunk> sub = new TestSubscriber<>();
            stream.subscribe(sub);
            sub.request(Long.MAX_VALUE);
            List<ChatChunk> chunks = sub.awaitCompletion();
            RecordedRequest sent = server.takeRequest();
            assertEquals("/v1/chat/completions", sent.path());
            assertEquals("text/event-stream", sent.header("Accept"));
            if (expectedBody != null) {
                assertEquals(expectedBody, body(sent));
            }
            return chunks;
        }
    }

    private static void assertEveryChunk(List<ChatChunk> chunks, String id, String requestId) {
        for (ChatChunk c : chunks) {
            assertEquals(id, c.id());
            assertEquals(MODEL, c.model());
            assertEquals(requestId, c.requestId());
            assertNotNull(c.raw());
            assertFalse(c.isEmpty(), "no empty chunks: " + c);
        }
    }

    private static String text(List<ChatChunk> chunks) {
        StringBuilder sb = new StringBuilder();
        chunks.forEach(c -> sb.append(c.textDelta()));
        return sb.toString();
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void streamBasic_deliversEveryDeltaThenFinishThenUsage(Pace pace) {
        List<ChatChunk> chunks = streamAll(
                Reply.fixture("openai/stream_basic").paced(pace).withHeader("x-request-id", "req_stream_1"),
                ChatRequest.of(MODEL, SF), recordedStreamRequest("openai/stream_basic.request.json"));
        // 33 events: the role-only first one carries nothing and gives no chunk.
        assertEquals(32, chunks.size());
        assertEveryChunk(chunks, BASIC_ID, "req_stream_1");
        assertEquals("I'm", chunks.get(0).textDelta());
        assertEquals(BASIC_TEXT, text(chunks));
        ChatChunk finish = chunks.get(30);
        assertEquals("", finish.textDelta());
        assertEquals("stop", finish.rawFinishReason());
        assertEquals(FinishReason.STOP, finish.finishReason());
        assertNull(finish.usage());
        ChatChunk usage = chunks.get(31);
        assertEquals(new Usage(14, 30, 44, 0, 0, 0), usage.usage());
        assertNull(usage.finishReason());
        assertTrue(usage.raw().array("choices").isEmpty(), "the include_usage chunk has choices: []");
        for (int i = 0; i < 30; i++) {
            assertNull(chunks.get(i).finishReason());
            assertNull(chunks.get(i).usage());
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void streamLogprobs_keepsLogprobsInRaw(Pace pace) {
        ChatRequest request = ChatRequest.newBuilder().model(MODEL).addMessage(Message.user("Say foo"))
                .extra("logprobs", JsonBoolean.TRUE).build();
        List<ChatChunk> chunks = streamAll(Reply.fixture("openai/stream_logprobs").paced(pace), request,
                recordedStreamRequest("openai/stream_logprobs.request.json"));
        assertEquals(4, chunks.size());
        assertEveryChunk(chunks, "chatcmpl-ABfw5EzoqmfXjnnsXY7Yd8OC6tb3c", null);
        assertEquals(List.of("Foo", "!", "", ""), chunks.stream().map(ChatChunk::textDelta).toList());
        JsonObject logprob = chunks.get(0).raw().array("choices").object(0).object("logprobs").array("content").object(0);
        assertEquals("Foo", logprob.string("token"));
        assertEquals("-0.0025094282", logprob.number("logprob").toString());
        assertEquals(FinishReason.STOP, chunks.get(2).finishReason());
        assertEquals(new Usage(9, 2, 11, 0, 0, 0), chunks.get(3).usage());
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void streamToolCallStrict_deliversIdAndNameThenArgumentFragments(Pace pace) {
        ChatRequest request = ChatRequest.newBuilder().model(MODEL).addMessage(Message.user(SF))
                .addTool(OpenAiChatTest.weatherTool()).build();
        List<ChatChunk> chunks = streamAll(Reply.fixture("openai/stream_tool_call_strict").paced(pace), request,
                recordedStreamRequest("openai/stream_tool_call_strict.request.json"));
        assertEquals(13, chunks.size());
        assertEveryChunk(chunks, "chatcmpl-ABfwCgi41eStOcARjZq97ohCEGBPO", null);
        assertEquals(List.of(new ToolCallDelta(0, "call_CTf1nWJLqSeRgDqaCG27xZ74", "get_weather", "")),
                chunks.get(0).toolCalls());
        List<String> fragments = List.of("{\"", "city", "\":\"", "San", " Francisco", "\",\"", "state", "\":\"", "CA", "\"}");
        for (int i = 0; i < fragments.size(); i++) {
            assertEquals(List.of(new ToolCallDelta(0, null, null, fragments.get(i))), chunks.get(i + 1).toolCalls());
        }
        assertEquals("tool_calls", chunks.get(11).rawFinishReason());
        assertEquals(FinishReason.TOOL_CALLS, chunks.get(11).finishReason());
        assertEquals(new Usage(48, 19, 67, 0, 0, 0), chunks.get(12).usage());
    }

    @Test
    void oneChunkAtATime_deliversEveryChunkWithinDemand() {
        for (String name : List.of("openai/stream_basic", "openai/stream_tool_call_strict")) {
            try (ReplayServer server = ReplayServer.start()) {
                server.on("POST", "/v1/chat/completions", Reply.fixture(name).paced(Pace.ONE_BYTE_PER_WRITE));
                TestSubscriber<ChatChunk> sub = TestSubscriber.oneAtATime();
                Fakes.openai(server).stream(ChatRequest.of(MODEL, SF)).subscribe(sub);
                List<ChatChunk> chunks = sub.awaitCompletion();
                assertEquals(name.endsWith("basic") ? 32 : 13, chunks.size(), name);
            }
        }
    }

    @Test
    void collect_givesWhatTheNonStreamingCallGives() {
        // The non-streaming body this stream stands for, written from the same recording.
        String equivalent = """
                {"id":"chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL","object":"chat.completion","model":"gpt-4o-2024-08-06",
                 "choices":[{"index":0,"message":{"role":"assistant","content":%s,"refusal":null},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":14,"completion_tokens":30,"total_tokens":44,
                          "completion_tokens_details":{"reasoning_tokens":0}}}"""
                .formatted(dev.parley.json.JsonString.of(BASIC_TEXT));
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", Reply.fixture("openai/stream_basic").withHeader("x-request-id", "req_1"),
                    Reply.json(200, equivalent).withHeader("x-request-id", "req_1"));
            Provider p = Fakes.openai(server);
            ChatResponse streamed = p.stream(ChatRequest.of(MODEL, SF)).collect();
            ChatResponse whole = p.chat(ChatRequest.of(MODEL, SF));
            assertSameAnswer(whole, streamed);
            assertEquals(BASIC_TEXT, streamed.text());
            assertNull(streamed.raw(), "a collected response has no single body");
        }
        // The tool-call stream and the non-streaming tool call were recorded from the same request.
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", Reply.fixture("openai/stream_tool_call_strict"),
                    Reply.fixture("openai/chat_tool_call_strict"));
            Provider p = Fakes.openai(server);
            ChatRequest request = ChatRequest.newBuilder().model(MODEL).addMessage(Message.user(SF))
                    .addTool(OpenAiChatTest.weatherTool()).build();
            ChatResponse streamed = p.stream(request).collect();
            ChatResponse whole = p.chat(request);
            assertEquals(List.of(new ToolCall("call_CTf1nWJLqSeRgDqaCG27xZ74", "get_weather",
                    "{\"city\":\"San Francisco\",\"state\":\"CA\"}")), streamed.toolCalls());
            assertEquals(whole.toolCalls().get(0).name(), streamed.toolCalls().get(0).name());
            assertEquals(whole.toolCalls().get(0).arguments(), streamed.toolCalls().get(0).arguments());
            assertEquals(whole.text(), streamed.text());
            assertEquals(whole.model(), streamed.model());
            assertEquals(whole.rawFinishReason(), streamed.rawFinishReason());
            assertEquals(whole.finishReason(), streamed.finishReason());
            assertEquals(whole.usage(), streamed.usage());
            assertEquals(whole.refusal(), streamed.refusal());
        }
    }

    static void assertSameAnswer(ChatResponse whole, ChatResponse streamed) {
        assertEquals(whole.id(), streamed.id());
        assertEquals(whole.model(), streamed.model());
        assertEquals(whole.provider(), streamed.provider());
        assertEquals(whole.text(), streamed.text());
        assertEquals(whole.reasoning(), streamed.reasoning());
        assertEquals(whole.toolCalls(), streamed.toolCalls());
        assertEquals(whole.refusal(), streamed.refusal());
        assertEquals(whole.rawFinishReason(), streamed.rawFinishReason());
        assertEquals(whole.finishReason(), streamed.finishReason());
        assertEquals(whole.usage(), streamed.usage());
        assertEquals(whole.requestId(), streamed.requestId());
    }

    @Test
    void cutStream_deliversTheChunksThenStreamInterrupted() {
        String whole = Fixtures.text("openai/stream_basic.response.sse");
        String withoutDone = whole.substring(0, whole.indexOf("data: [DONE]"));
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", Reply.of(200, "text/event-stream", withoutDone));
            TestSubscriber<ChatChunk> sub = new TestSubscriber<>();
            Fakes.openai(server).stream(ChatRequest.of(MODEL, SF)).subscribe(sub);
            sub.request(Long.MAX_VALUE);
            Throwable e = sub.awaitError();
            assertEquals(LlmException.Kind.STREAM_INTERRUPTED, assertInstanceOf(LlmException.class, e).kind());
            assertEquals(32, sub.items().size(), "every chunk before the cut, usage included");
            assertEquals(BASIC_TEXT, text(sub.items()));
        }
        // Cut in the middle of an event: the complete events before it still arrive.
        String tools = Fixtures.text("openai/stream_tool_call_strict.response.sse");
        int fourthEvent = nthEvent(tools, 4);
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions",
                    Reply.of(200, "text/event-stream", tools.substring(0, fourthEvent + 40)));
            ChatStream stream = Fakes.openai(server).stream(ChatRequest.of(MODEL, SF));
            TestSubscriber<ChatChunk> sub = TestSubscriber.oneAtATime();
            stream.subscribe(sub);
            assertEquals(LlmException.Kind.STREAM_INTERRUPTED, assertInstanceOf(LlmException.class, sub.awaitError()).kind());
            assertEquals(3, sub.items().size());
        }
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", Reply.of(200, "text/event-stream", withoutDone));
            ChatStream stream = Fakes.openai(server).stream(ChatRequest.of(MODEL, SF));
            assertEquals(LlmException.Kind.STREAM_INTERRUPTED, assertThrows(LlmException.class, stream::collect).kind());
        }
    }

    @Test
    void close_stopsDeliveryAndClosesTheConnection() throws InterruptedException {
        String event = "{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tick\"}}]}";
        try (EndlessSseServer server = new EndlessSseServer(event)) {
            Provider p = new OpenAiProviderFactory().create(ProviderConfig.newBuilder()
                    .baseUrl(server.uri("/v1")).apiKey(Fakes.KEY).build());
            ChatStream stream = p.stream(ChatRequest.of("m", "go"));
            TestSubscriber<ChatChunk> sub = new TestSubscriber<>();
            stream.subscribe(sub);
            sub.request(3);
            assertEquals(3, sub.awaitItems(3).size());
            stream.close();
            assertTrue(server.disconnected.await(10, TimeUnit.SECONDS), "the server saw the connection close");
            sub.request(100);
            assertEquals(3, sub.items().size(), "nothing delivered after close()");
            assertFalse(sub.isTerminated(), "a cancelled stream is not completed or failed");
            sub.assertNoViolations();
        }
    }

    @Test
    void errorFrame_failsWithTheProviderErrorAfterTheChunksBeforeIt() {
        String whole = Fixtures.text("openai/stream_basic.response.sse");
        String head = whole.substring(0, nthEvent(whole, 4)); // the role chunk, "I'm", " unable"
        for (String frame : List.of(
                "{\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\",\"param\":null,\"code\":null}}",
                "{\"error\":\"The server had an error while processing your request.\"}",
                "{\"object\":\"error\",\"message\":\"The server had an error while processing your request.\",\"type\":\"InternalServerError\",\"code\":500}")) {
            try (ReplayServer server = ReplayServer.start()) {
                server.on("POST", "/v1/chat/completions", Reply.of(200, "text/event-stream",
                        head + "data: " + frame + "\n\n").withHeader("x-request-id", "req_err"));
                TestSubscriber<ChatChunk> sub = new TestSubscriber<>();
                Fakes.openai(server).stream(ChatRequest.of(MODEL, SF)).subscribe(sub);
                sub.request(Long.MAX_VALUE);
                Throwable e = sub.awaitError();
                assertEquals(LlmException.Kind.SERVER_ERROR, assertInstanceOf(LlmException.class, e, frame).kind(), frame);
                LlmException l = (LlmException) e;
                assertEquals("The server had an error while processing your request.", l.providerMessage(), frame);
                assertEquals("req_err", l.requestId());
                assertEquals(List.of("I'm", " unable"), sub.items().stream().map(ChatChunk::textDelta).toList());
            }
        }
    }

    /** {@return where the {@code n}th event (from 1) starts} */
    private static int nthEvent(String sse, int n) {
        int at = 0;
        for (int i = 0; i < n; i++) {
            at = sse.indexOf("data: ", at) + 1;
        }
        return at - 1;
    }

    @Test
    void malformedOrMisshapenEvents_areStreamInterruptedNamingTheProblem() {
        String first = "data: {\"id\":\"x\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}\n\n";
        for (String[] c : List.of(
                new String[] {"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\n\n", "malformed stream event"},
                new String[] {"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":7}}]}\n\n", "choices[0].delta.content"},
                new String[] {"data: [1,2]\n\n", "expected a chat.completion.chunk object, got array"})) {
            try (ReplayServer server = ReplayServer.start()) {
                server.on("POST", "/v1/chat/completions", Reply.of(200, "text/event-stream", first + c[0] + "data: [DONE]\n\n"));
                TestSubscriber<ChatChunk> sub = TestSubscriber.oneAtATime();
                Fakes.openai(server).stream(ChatRequest.of(MODEL, SF)).subscribe(sub);
                LlmException e = assertInstanceOf(LlmException.class, sub.awaitError());
                assertEquals(LlmException.Kind.STREAM_INTERRUPTED, e.kind());
                assertTrue(e.getMessage().contains(c[1]), e.getMessage());
                assertEquals(List.of("ok"), sub.items().stream().map(ChatChunk::textDelta).toList());
            }
        }
    }

    @Test
    void httpErrors_beforeTheStream_areTypedExceptions() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions",
                    Reply.fixture("openai/error_429_insufficient_quota").withStatus(429),
                    Reply.json(429, "{\"error\":{\"message\":\"Rate limit reached for requests\",\"type\":\"requests\","
                            + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}").withHeader("retry-after", "7"));
            Provider p = Fakes.openai(server);
            TestSubscriber<ChatChunk> quota = new TestSubscriber<>();
            p.stream(ChatRequest.of(MODEL, SF)).subscribe(quota);
            quota.request(1);
            assertEquals(LlmException.Kind.QUOTA_EXCEEDED, assertInstanceOf(LlmException.class, quota.awaitError()).kind());

            TestSubscriber<ChatChunk> limited = new TestSubscriber<>();
            p.stream(ChatRequest.of(MODEL, SF)).subscribe(limited);
            limited.request(1);
            RateLimitException e = assertInstanceOf(RateLimitException.class, limited.awaitError());
            assertEquals(Duration.ofSeconds(7), e.retryAfter());
            assertTrue(e.retryable());
            assertEquals(List.of(), limited.items());
        }
    }

    @Test
    void stream_isColdUntilSubscribed() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", Reply.fixture("openai/stream_basic"));
            ChatStream stream = Fakes.openai(server).stream(ChatRequest.of(MODEL, SF));
            assertEquals(0, server.pendingRequests(), "nothing sent before subscribing");
            assertEquals(BASIC_TEXT, stream.collect().text());
            server.takeRequest();
            assertEquals(0, server.pendingRequests(), "exactly one request");
        }
    }
}
