package dev.parley.provider.anthropic;

import static dev.parley.provider.anthropic.TestSupport.assertSameAnswer;
import static dev.parley.provider.anthropic.TestSupport.body;
import static dev.parley.provider.anthropic.TestSupport.json;
import static dev.parley.provider.anthropic.TestSupport.jsonArray;
import static dev.parley.provider.anthropic.TestSupport.provider;
import static dev.parley.provider.anthropic.TestSupport.sse;
import static dev.parley.provider.anthropic.TestSupport.sseReply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.FinishReason;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.Tool;
import dev.parley.ToolCallDelta;
import dev.parley.Usage;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;
import dev.parley.support.TestSubscriber;

/**
 * SYNTHETIC streams, written here by hand after the documented event shapes, for what the
 * recorded fixtures lack: extended thinking with signatures, redacted thinking, an error event
 * in the middle of a stream, and a tool-use round trip that must send the thinking back.
 */
class AnthropicThinkingStreamTest {

    static final String SIGNATURE = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds";

    /** Synthetic: thinking with a signature, text, a tool call with arguments, one without, and events to ignore. */
    static final byte[] THINKING_THEN_TOOLS = sse(
            "message_start", """
                    {"type":"message_start","message":{"id":"msg_synth_1","type":"message","role":"assistant",\
                    "model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,\
                    "usage":{"input_tokens":120,"cache_creation_input_tokens":30,"cache_read_input_tokens":200,"output_tokens":2}}}""",
            "content_block_start", """
                    {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}""",
            "content_block_delta", """
                    {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants the weather. "}}""",
            "ping", "{\"type\": \"ping\"}",
            "content_block_delta", """
                    {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"I should call get_weather."}}""",
            "content_block_delta", """
                    {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"%s"}}""".formatted(SIGNATURE),
            "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}",
            "content_block_start", """
                    {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}""",
            "content_block_delta", """
                    {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Let me check."}}""",
            "content_block_delta", """
                    {"type":"content_block_delta","index":1,"delta":{"type":"citations_delta","citation":{"type":"char_location"}}}""",
            "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}",
            "future_event", "{\"type\":\"future_event\",\"anything\":[1,2]}",
            "content_block_start", """
                    {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_synth_1","name":"get_weather","input":{}}}""",
            "content_block_delta", """
                    {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\":"}}""",
            "content_block_delta", """
                    {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":" \\"Paris\\"}"}}""",
            "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":2}",
            "content_block_start", """
                    {"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_synth_2","name":"get_time","input":{}}}""",
            "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":3}",
            "message_delta", """
                    {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":85}}""",
            "message_stop", "{\"type\":\"message_stop\"}");

    @Test
    void thinkingSignatureAndToolUse_chunksAndCollectedResponse() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", sseReply(THINKING_THEN_TOOLS));
            TestSubscriber<ChatChunk> subscriber = TestSubscriber.oneAtATime();
            provider(server).stream(ChatRequest.of("claude-sonnet-4-5", "Weather in Paris?")).subscribe(subscriber);
            List<ChatChunk> chunks = subscriber.awaitCompletion();

            assertEquals(11, chunks.size());
            assertEquals(new Usage(350, 2, 352, 200, 30, 0), chunks.get(0).usage());
            assertEquals("The user wants the weather. ", chunks.get(1).reasoningDelta());
            assertEquals("I should call get_weather.", chunks.get(2).reasoningDelta());
            assertEquals(SIGNATURE, chunks.get(3).reasoningSignature());
            assertEquals("Let me check.", chunks.get(4).textDelta());
            assertEquals(List.of(new ToolCallDelta(2, "toolu_synth_1", "get_weather", "")), chunks.get(5).toolCalls());
            assertEquals("{\"location\":", chunks.get(6).toolCalls().get(0).argumentsDelta());
            assertEquals(" \"Paris\"}", chunks.get(7).toolCalls().get(0).argumentsDelta());
            assertEquals(List.of(new ToolCallDelta(3, "toolu_synth_2", "get_time", "")), chunks.get(8).toolCalls());
            assertEquals(List.of(new ToolCallDelta(3, null, null, "{}")), chunks.get(9).toolCalls(),
                    "a call without argument text gets {} as the non-streaming response says");
            assertEquals(FinishReason.TOOL_CALLS, chunks.get(10).finishReason());
            assertEquals(new Usage(350, 85, 435, 200, 30, 0), chunks.get(10).usage());
            chunks.forEach(c -> assertEquals("req_synthetic", c.requestId()));

            ChatResponse nonStreaming = MessagesDecoder.response("anthropic", json("""
                    {"id":"msg_synth_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                     "content":[{"type":"thinking","thinking":"The user wants the weather. I should call get_weather.","signature":"%s"},
                                {"type":"text","text":"Let me check."},
                                {"type":"tool_use","id":"toolu_synth_1","name":"get_weather","input":{"location":"Paris"}},
                                {"type":"tool_use","id":"toolu_synth_2","name":"get_time","input":{}}],
                     "stop_reason":"tool_use","stop_sequence":null,
                     "usage":{"input_tokens":120,"cache_creation_input_tokens":30,"cache_read_input_tokens":200,"output_tokens":85}}
                    """.formatted(SIGNATURE)), null, "req_synthetic");
            server.on("POST", "/v1/messages", sseReply(THINKING_THEN_TOOLS));
            assertSameAnswer(nonStreaming, provider(server).stream(ChatRequest.of("claude-sonnet-4-5", "x")).collect());
        }
    }

    @Test
    void toolUseRoundTrip_sendsTheSignedThinkingBackFirst() {
        Tool weather = Tool.of("get_weather", "Weather", json("{\"type\":\"object\"}"));
        Tool time = Tool.of("get_time", "Time", json("{\"type\":\"object\"}"));
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", sseReply(THINKING_THEN_TOOLS), Reply.fixture("anthropic/message_basic"));
            var provider = provider(server);
            ChatRequest first = ChatRequest.newBuilder().model("claude-sonnet-4-5").maxTokens(16000)
                    .addMessage(Message.user("Weather and time in Paris?")).addTool(weather).addTool(time)
                    .extra("thinking", json("{\"type\":\"enabled\",\"budget_tokens\":10000}"))
                    .build();
            ChatResponse turn = provider.stream(first).collect();
            assertEquals(List.of(new ReasoningBlock("The user wants the weather. I should call get_weather.", SIGNATURE, null)),
                    turn.reasoning());

            ChatRequest second = first.toBuilder()
                    .addMessage(turn.message())
                    .addMessage(Message.tool("toolu_synth_1", "{\"temp_c\":18}"))
                    .addMessage(Message.tool("toolu_synth_2", "14:05"))
                    .build();
            provider.chat(second);

            server.takeRequest();
            var sent = body(server.takeRequest());
            assertEquals(jsonArray("""
                    [{"role":"user","content":"Weather and time in Paris?"},
                     {"role":"assistant","content":[
                       {"type":"thinking","thinking":"The user wants the weather. I should call get_weather.","signature":"%s"},
                       {"type":"text","text":"Let me check."},
                       {"type":"tool_use","id":"toolu_synth_1","name":"get_weather","input":{"location":"Paris"}},
                       {"type":"tool_use","id":"toolu_synth_2","name":"get_time","input":{}}]},
                     {"role":"user","content":[
                       {"type":"tool_result","tool_use_id":"toolu_synth_1","content":"{\\"temp_c\\":18}"},
                       {"type":"tool_result","tool_use_id":"toolu_synth_2","content":"14:05"}]}]
                    """.formatted(SIGNATURE)), sent.array("messages"));
            assertEquals(json("{\"type\":\"enabled\",\"budget_tokens\":10000}"), sent.object("thinking"));
            assertTrue(sent.get("stream").isEmpty());
        }
    }

    @Test
    void redactedThinking_becomesARedactedReasoningBlock() {
        byte[] stream = sse(
                "message_start", """
                        {"type":"message_start","message":{"id":"msg_synth_2","model":"claude-sonnet-4-5","content":[],\
                        "usage":{"input_tokens":50,"output_tokens":1}}}""",
                "content_block_start", """
                        {"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4a"}}""",
                "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}",
                "content_block_start", """
                        {"type":"content_block_start","index":1,"content_block":{"type":"thinking","thinking":""}}""",
                "content_block_delta", """
                        {"type":"content_block_delta","index":1,"delta":{"type":"thinking_delta","thinking":"Now answer."}}""",
                "content_block_delta", """
                        {"type":"content_block_delta","index":1,"delta":{"type":"signature_delta","signature":"sig-2"}}""",
                "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}",
                "content_block_start", """
                        {"type":"content_block_start","index":2,"content_block":{"type":"text","text":""}}""",
                "content_block_delta", """
                        {"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"42"}}""",
                "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":2}",
                "message_delta", """
                        {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":30}}""",
                "message_stop", "{\"type\":\"message_stop\"}");
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", sseReply(stream));
            List<ChatChunk> chunks = new ArrayList<>();
            provider(server).stream(ChatRequest.of("claude-sonnet-4-5", "x")).forEach(chunks::add);
            assertEquals("EmwKAhgBEgy3va3pzix/LafPsn4a", chunks.get(1).redactedReasoning());
            assertNull(chunks.get(1).reasoningSignature());

            server.on("POST", "/v1/messages", sseReply(stream));
            ChatResponse r = provider(server).stream(ChatRequest.of("claude-sonnet-4-5", "x")).collect();
            assertEquals(List.of(new ReasoningBlock("", null, "EmwKAhgBEgy3va3pzix/LafPsn4a"),
                    new ReasoningBlock("Now answer.", "sig-2", null)), r.reasoning());
            assertEquals("42", r.text());
            assertEquals(new Usage(50, 30, 80, 0, 0, 0), r.usage());
            assertEquals(FinishReason.STOP, r.finishReason());
        }
    }

    @Test
    void errorEventMidStream_failsAfterTheChunksAlreadyDelivered() {
        byte[] stream = sse(
                "message_start", """
                        {"type":"message_start","message":{"id":"msg_synth_3","model":"claude-sonnet-4-5","content":[],\
                        "usage":{"input_tokens":12,"output_tokens":1}}}""",
                "content_block_start", """
                        {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""",
                "content_block_delta", """
                        {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}""",
                "content_block_delta", """
                        {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" wor"}}""",
                "error", "{\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}",
                "content_block_delta", """
                        {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ld"}}""");
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", sseReply(stream));
            TestSubscriber<ChatChunk> subscriber = TestSubscriber.oneAtATime();
            provider(server).stream(ChatRequest.of("claude-sonnet-4-5", "x")).subscribe(subscriber);
            subscriber.awaitTerminal().assertNoViolations();
            assertEquals(List.of("", "Hello", " wor"), subscriber.items().stream().map(ChatChunk::textDelta).toList());
            LlmException e = assertInstanceOf(LlmException.class, subscriber.error());
            assertEquals(LlmException.Kind.UNAVAILABLE, e.kind());
            assertEquals("overloaded_error", e.errorType());
            assertEquals("Overloaded", e.providerMessage());
            assertEquals("req_synthetic", e.requestId());
            assertTrue(e.retryable());

            server.on("POST", "/v1/messages", sseReply(stream));
            assertEquals(LlmException.Kind.UNAVAILABLE, assertThrows(LlmException.class,
                    () -> provider(server).stream(ChatRequest.of("claude-sonnet-4-5", "x")).collect()).kind());
        }
    }
}
