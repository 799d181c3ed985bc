package dev.parley.provider.ollama;

import static dev.parley.provider.ollama.OllamaChatTest.body;
import static dev.parley.provider.ollama.OllamaChatTest.json;
import static dev.parley.provider.ollama.OllamaChatTest.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.ContentPart;
import dev.parley.FinishReason;
import dev.parley.InvalidRequestException;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolCallDelta;
import dev.parley.Usage;
import dev.parley.json.JsonBoolean;
import dev.parley.json.JsonObject;
import dev.parley.spi.Provider;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Pace;
import dev.parley.support.ReplayServer.Reply;
import dev.parley.support.TestSubscriber;

class OllamaStreamTest {

    /** Synthetic (not a capture): a thinking model streams its reasoning, then its answer. */
    private static final String THINKING_STREAM = """
            {"model":"qwen3","created_at":"2025-08-01T10:00:00Z","message":{"role":"assistant","content":"","thinking":"The user "},"done":false}
            {"model":"qwen3","created_at":"2025-08-01T10:00:00Z","message":{"role":"assistant","content":"","thinking":"asks 2+2."},"done":false}
            {"model":"qwen3","created_at":"2025-08-01T10:00:01Z","message":{"role":"assistant","content":"It is "},"done":false}
            {"model":"qwen3","created_at":"2025-08-01T10:00:01Z","message":{"role":"assistant","content":"4 ✓."},"done":false}
            {"model":"qwen3","created_at":"2025-08-01T10:00:01Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":100,"prompt_eval_count":12,"eval_count":9}
            """;

    /** Synthetic: the whole response the non-streaming call would give for {@link #THINKING_STREAM}. */
    private static final String THINKING_WHOLE = """
            {"model":"qwen3","created_at":"2025-08-01T10:00:01Z","message":{"role":"assistant","content":"It is 4 ✓.","thinking":"The user asks 2+2."},
             "done_reason":"stop","done":true,"total_duration":100,"prompt_eval_count":12,"eval_count":9}""";

    private static Reply ndjson(String body) {
        return Reply.of(200, "application/x-ndjson", body);
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void chatStream_sendsTheFixtureRequest_andReplaysTheDocsStream(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", Reply.fixture("ollama/chat_stream").paced(pace));
            ChatStream stream = provider(server).stream(ChatRequest.of("llama3.2", "why is the sky blue?"));
            assertEquals(0, server.pendingRequests(), "a stream is cold: nothing is sent before it is subscribed to");

            List<ChatChunk> chunks = new ArrayList<>();
            stream.forEach(chunks::add);

            // The docs request omits "stream" because Ollama streams by default; Parley always sends
            // it explicitly. That is the only difference.
            JsonObject expected = ((JsonObject) Fixtures.json("ollama/chat_stream.request.json")).toBuilder()
                    .put("stream", JsonBoolean.TRUE).build();
            var sent = server.takeRequest();
            assertEquals(expected, body(sent));
            assertEquals("application/x-ndjson", sent.header("Accept"));

            assertEquals(2, chunks.size());
            ChatChunk first = chunks.get(0);
            assertEquals("The", first.textDelta());
            assertEquals("llama3.2", first.model());
            assertNull(first.usage());
            assertNull(first.finishReason());
            assertEquals(List.of(), first.toolCalls());
            assertTrue(first.raw().object("message").has("images"), "the raw line is kept, images:null included");

            ChatChunk last = chunks.get(1);
            assertEquals("", last.textDelta());
            assertEquals(new Usage(26, 282, 308, 0, 0, 0), last.usage());
            assertNull(last.rawFinishReason(), "the docs' final object has no done_reason");
            assertNull(last.finishReason());
            assertEquals(4883583458L, last.raw().longValue("total_duration"));
        }
    }

    @Test
    void chatStream_collect_addsUpTheDocsStream() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", Reply.fixture("ollama/chat_stream"));
            ChatResponse r = provider(server).stream(ChatRequest.of("llama3.2", "why is the sky blue?")).collect();
            assertEquals("The", r.text());
            assertEquals("llama3.2", r.model());
            assertEquals("ollama", r.provider());
            assertEquals(new Usage(26, 282, 308, 0, 0, 0), r.usage());
            assertNull(r.finishReason());
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void chatStreamTools_wholeToolCallInOneChunk_collectsLikeTheNonStreamingCall(Pace pace) {
        ChatRequest request = ChatRequest.newBuilder().model("llama3.2")
                .addMessage(Message.user("what is the weather in tokyo?"))
                .addTool(Tool.of("get_weather", "Get the weather in a given city",
                        json("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}")))
                .build();
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", Reply.fixture("ollama/chat_stream_tools").paced(pace));
            List<ChatChunk> chunks = new ArrayList<>();
            provider(server).stream(request).forEach(chunks::add);

            assertEquals(2, chunks.size());
            assertEquals(List.of(new ToolCallDelta(0, "call_0", "get_weather", "{\"city\":\"Tokyo\"}")), chunks.get(0).toolCalls());
            assertNull(chunks.get(0).finishReason());
            ChatChunk last = chunks.get(1);
            assertEquals("stop", last.rawFinishReason());
            assertEquals(FinishReason.TOOL_CALLS, last.finishReason(), "a call earlier in the stream makes stop mean TOOL_CALLS");
            assertEquals(new Usage(169, 15, 184, 0, 0, 0), last.usage());
        }
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", Reply.fixture("ollama/chat_stream_tools").paced(pace),
                    Reply.fixture("ollama/chat_tools"));
            Provider p = provider(server);
            ChatResponse streamed = p.stream(request).collect();
            ChatResponse whole = p.chat(request);
            assertEquals(whole.toolCalls(), streamed.toolCalls());
            assertEquals(List.of(new ToolCall("call_0", "get_weather", "{\"city\":\"Tokyo\"}")), streamed.toolCalls());
            assertEquals(whole.text(), streamed.text());
            assertEquals(whole.model(), streamed.model());
            assertEquals(whole.finishReason(), streamed.finishReason());
            assertEquals(whole.rawFinishReason(), streamed.rawFinishReason());
            // The two docs samples come from different runs: 15 vs 18 output tokens.
            assertEquals(new Usage(169, 15, 184, 0, 0, 0), streamed.usage());
            assertEquals(new Usage(169, 18, 187, 0, 0, 0), whole.usage());
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void thinkingStream_synthetic_collectsToTheSameResponseAsTheWholeCall(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            Reply streamReply = ndjson(THINKING_STREAM).paced(pace).withHeader("x-request-id", "rid-7");
            server.on("POST", "/api/chat", streamReply, streamReply, Reply.json(200, THINKING_WHOLE).withHeader("x-request-id", "rid-7"));
            Provider p = provider(server);
            List<ChatChunk> chunks = new ArrayList<>();
            p.stream(ChatRequest.of("qwen3", "2+2?")).forEach(chunks::add);
            assertEquals(List.of("The user ", "asks 2+2.", "", "", ""), chunks.stream().map(ChatChunk::reasoningDelta).toList());
            assertEquals(List.of("", "", "It is ", "4 ✓.", ""), chunks.stream().map(ChatChunk::textDelta).toList());
            assertTrue(chunks.stream().allMatch(c -> "rid-7".equals(c.requestId())));

            ChatResponse streamed = p.stream(ChatRequest.of("qwen3", "2+2?")).collect();
            ChatResponse whole = p.chat(ChatRequest.of("qwen3", "2+2?"));
            assertEquals(List.of(ReasoningBlock.of("The user asks 2+2.")), streamed.reasoning());
            assertEquals(whole.reasoning(), streamed.reasoning());
            assertEquals("It is 4 ✓.", streamed.text());
            assertEquals(whole.text(), streamed.text());
            assertEquals(whole.model(), streamed.model());
            assertEquals(whole.id(), streamed.id());
            assertEquals(whole.toolCalls(), streamed.toolCalls());
            assertEquals(FinishReason.STOP, streamed.finishReason());
            assertEquals(whole.finishReason(), streamed.finishReason());
            assertEquals(whole.rawFinishReason(), streamed.rawFinishReason());
            assertEquals(new Usage(12, 9, 21, 0, 0, 0), streamed.usage());
            assertEquals(whole.usage(), streamed.usage());
            assertEquals(whole.requestId(), streamed.requestId());
            assertEquals(whole.refusal(), streamed.refusal());
        }
    }

    @Test
    void stream_oneChunkAtATime_honoursDemand() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", ndjson(THINKING_STREAM));
            TestSubscriber<ChatChunk> s = new TestSubscriber<>(0);
            provider(server).stream(ChatRequest.of("qwen3", "2+2?")).subscribe(s);
            for (int n = 1; n <= 5; n++) {
                s.request(1);
                assertEquals(n, s.awaitItems(n).size());
            }
            List<ChatChunk> all = s.awaitCompletion();
            assertEquals(5, all.size());
            assertEquals(FinishReason.STOP, all.get(4).finishReason());
        }
    }

    @Test
    void cutStream_withoutDoneTrue_isInterruptedAfterTheChunksBeforeIt() {
        // Synthetic: the connection ends after two lines, with no "done": true.
        String cut = """
                {"model":"m","message":{"role":"assistant","content":"Hel"},"done":false}
                {"model":"m","message":{"role":"assistant","content":"lo"},"done":false}
                """;
        for (Pace pace : Pace.values()) {
            try (ReplayServer server = ReplayServer.start()) {
                server.on("POST", "/api/chat", ndjson(cut).paced(pace));
                TestSubscriber<ChatChunk> s = new TestSubscriber<>(Long.MAX_VALUE);
                provider(server).stream(ChatRequest.of("m", "x")).subscribe(s);
                Throwable error = s.awaitError();
                assertEquals(LlmException.Kind.STREAM_INTERRUPTED, assertInstanceOf(LlmException.class, error).kind());
                assertEquals(List.of("Hel", "lo"), s.items().stream().map(ChatChunk::textDelta).toList());
            }
        }
    }

    @Test
    void errorLineMidStream_failsWithTheProvidersMessage_afterEarlierChunks() {
        // Synthetic: Ollama reports a failure while generating as a line {"error": "..."}.
        String body = """
                {"model":"m","message":{"role":"assistant","content":"Once"},"done":false}
                {"error":"an error was encountered while running the model: unexpected EOF"}
                {"model":"m","message":{"role":"assistant","content":"never"},"done":false}
                """;
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", ndjson(body).withHeader("x-request-id", "rid-err"));
            TestSubscriber<ChatChunk> s = new TestSubscriber<>(Long.MAX_VALUE);
            provider(server).stream(ChatRequest.of("m", "x")).subscribe(s);
            Throwable error = s.awaitError();
            LlmException e = assertInstanceOf(LlmException.class, error);
            assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
            assertEquals("an error was encountered while running the model: unexpected EOF", e.providerMessage());
            assertEquals("rid-err", e.requestId());
            assertEquals("ollama", e.provider());
            assertEquals(List.of("Once"), s.items().stream().map(ChatChunk::textDelta).toList());
        }
    }

    @Test
    void malformedLine_isStreamInterrupted_namingTheProblem() {
        String body = """
                {"model":"m","message":{"role":"assistant","content":"ok"},"done":false}
                {"model":"m","message":{"role":"assistant","content":7},"done":false}
                """;
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", ndjson(body));
            LlmException e = assertThrows(LlmException.class,
                    () -> provider(server).stream(ChatRequest.of("m", "x")).collect());
            assertEquals(LlmException.Kind.STREAM_INTERRUPTED, e.kind());
            assertTrue(e.getMessage().contains("message.content"), e.getMessage());
        }
    }

    @Test
    void errorStatus_reachesTheStreamAsTheMappedException() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", Reply.fixture("ollama/error_404_model_not_found"));
            LlmException e = assertThrows(LlmException.class,
                    () -> provider(server).stream(ChatRequest.of("llama3", "x")).collect());
            assertEquals(LlmException.Kind.NOT_FOUND, e.kind());
            assertEquals("model 'llama3' not found", e.providerMessage());
            assertEquals(404, e.statusCode());
        }
    }

    @Test
    void close_stopsDelivery() throws InterruptedException {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", ndjson(THINKING_STREAM));
            ChatStream stream = provider(server).stream(ChatRequest.of("qwen3", "2+2?"));
            CountDownLatch second = new CountDownLatch(1);
            TestSubscriber<ChatChunk> s = new TestSubscriber<>(1);
            s.onNextDo(item -> {
                if (s.items().size() > 1) {
                    second.countDown();
                }
            });
            stream.subscribe(s);
            assertEquals(1, s.awaitItems(1).size());
            stream.close();
            s.request(10);
            assertFalse(second.await(300, TimeUnit.MILLISECONDS), "no chunk may arrive after close()");
            assertEquals(1, s.items().size());
            assertFalse(s.isTerminated(), "a cancelled stream signals nothing more");
        }
    }

    @Test
    void stream_rejectsBadRequests_whenCreated() {
        try (ReplayServer server = ReplayServer.start()) {
            assertThrows(InvalidRequestException.class, () -> provider(server).stream(ChatRequest.newBuilder().model("m")
                    .addMessage(Message.user(List.of(ContentPart.imageUrl("http://x/y.png")))).build()));
            assertEquals(0, server.pendingRequests());
        }
    }
}
