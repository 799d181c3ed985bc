package dev.parley.provider.anthropic;

import static dev.parley.provider.anthropic.AnthropicChatTest.WEATHER_DESCRIPTION;
import static dev.parley.provider.anthropic.AnthropicChatTest.WEATHER_SCHEMA;
import static dev.parley.provider.anthropic.TestSupport.assertSameAnswer;
import static dev.parley.provider.anthropic.TestSupport.body;
import static dev.parley.provider.anthropic.TestSupport.json;
import static dev.parley.provider.anthropic.TestSupport.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.FinishReason;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.RateLimitException;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolCallDelta;
import dev.parley.Usage;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Pace;
import dev.parley.support.ReplayServer.Reply;
import dev.parley.support.TestSubscriber;

/** Streams replayed from the recorded fixtures: whole, one byte per write, one chunk at a time, cut and cancelled. */
class AnthropicStreamTest {

    private static final String TEXT = "The weather in San Francisco, CA is currently:\n- **Temperature:** 68°F\n"
            + "- **Condition:** Sunny\n\nIt's a nice sunny day!";

    /** The request that produced stream_text: the second turn of a tool-use exchange. */
    private static ChatRequest streamTextRequest() {
        return ChatRequest.newBuilder()
                .model("claude-haiku-4-5")
                .maxTokens(1024)
                .addMessage(Message.user("What is the weather in SF?"))
                .addMessage(Message.assistant("", List.of(new ToolCall("toolu_018acGYLtfR52q9yDbWaEdQZ", "get_weather",
                        "{\"location\":\"San Francisco, CA\",\"units\":\"f\"}"))))
                // The tool's result is JSON text written by Python's json.dumps, hence the backslash-u escape in it.
                .addMessage(Message.tool("toolu_018acGYLtfR52q9yDbWaEdQZ",
                        "{\"location\": \"San Francisco, CA\", \"temperature\": \"68\\u00b0F\", \"condition\": \"Sunny\"}"))
                .addTool(Tool.of("get_weather", WEATHER_DESCRIPTION, WEATHER_SCHEMA))
                .build();
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void streamText_deliversEveryChunk_andSendsTheFixtureRequest(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/stream_text").paced(pace));
            List<ChatChunk> chunks = new ArrayList<>();
            try (ChatStream stream = provider(server).stream(streamTextRequest())) {
                stream.forEach(chunks::add);
            }

            // The fixture's tool_use block also has "caller": {"type": "direct"}: the SDK's tool
            // runner echoed the block as the API returned it. Parley's ToolCall has no caller, and
            // the API does not need it back; everything else is the same.
            JsonObject fixture = (JsonObject) Fixtures.json("anthropic/stream_text.request.json");
            JsonArray messages = fixture.array("messages");
            JsonObject assistant = messages.object(1);
            JsonObject toolUse = assistant.array("content").object(0);
            assertEquals(json("{\"type\":\"direct\"}"), toolUse.object("caller"));
            JsonObject expected = fixture.toBuilder().put("messages", JsonArray.of(messages.get(0),
                    assistant.toBuilder().put("content", JsonArray.of(toolUse.toBuilder().remove("caller").build())).build(),
                    messages.get(2))).build();
            assertEquals(expected, body(server.takeRequest()));

            assertEquals(11, chunks.size(), "message_start, 9 text deltas, message_delta");
            ChatChunk start = chunks.get(0);
            assertEquals("msg_016HxyUMAncysqX7dn1kWNRx", start.id());
            assertEquals("claude-haiku-4-5-20251001", start.model());
            assertEquals(new Usage(770, 8, 778, 0, 0, 0), start.usage());
            assertEquals("", start.textDelta());
            assertEquals(List.of("The weather in San Francisco, CA is", " currently", ":", "\n- **Temperature:**",
                    " 68°F\n- **", "Condition:** Sunny\n\nIt", "'s", " a nice", " sunny day!"),
                    chunks.subList(1, 10).stream().map(ChatChunk::textDelta).toList());
            ChatChunk last = chunks.get(10);
            assertEquals(FinishReason.STOP, last.finishReason());
            assertEquals("end_turn", last.rawFinishReason());
            assertEquals(new Usage(770, 38, 808, 0, 0, 0), last.usage());
            for (ChatChunk c : chunks) {
                assertEquals("msg_016HxyUMAncysqX7dn1kWNRx", c.id());
                assertEquals("claude-haiku-4-5-20251001", c.model());
                assertTrue(c.toolCalls().isEmpty());
                assertTrue(c.raw().has("type"), "raw event kept");
            }
        }
    }

    @Test
    void streamText_collect_equalsTheNonStreamingAnswer() {
        // Synthetic: the non-streaming body the same answer would have had.
        ChatResponse nonStreaming = MessagesDecoder.response("anthropic", json("""
                {"id":"msg_016HxyUMAncysqX7dn1kWNRx","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001",
                 "content":[{"type":"text","text":%s}],"stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":770,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":38}}
                """.formatted(JsonString.of(TEXT))), null, null);
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/stream_text"));
            ChatResponse collected = provider(server).stream(streamTextRequest()).collect();
            assertEquals(TEXT, collected.text());
            assertSameAnswer(nonStreaming, collected);
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void textThenToolUse_assemblesTheToolCall_evenThoughTheLastEventHasNoBlankLine(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/stream_text_then_tool_use").paced(pace));
            TestSubscriber<ChatChunk> subscriber = TestSubscriber.oneAtATime();
            provider(server).stream(ChatRequest.of("claude-sonnet-4-20250514", "Weather in Paris?")).subscribe(subscriber);
            List<ChatChunk> chunks = subscriber.awaitCompletion();

            assertEquals(9, chunks.size(), "start, 2 texts, tool start, 4 argument fragments, message_delta");
            assertEquals(new Usage(377, 1, 378, 0, 0, 0), chunks.get(0).usage());
            assertEquals("I", chunks.get(1).textDelta());
            assertEquals("'ll check the current weather in Paris for you.", chunks.get(2).textDelta());
            assertEquals(List.of(new ToolCallDelta(1, "toolu_01NRLabsLyVHZPKxbKvkfSMn", "get_weather", "")),
                    chunks.get(3).toolCalls());
            assertEquals(List.of("{\"locati", "on\": \"P", "ar", "is\"}"), chunks.subList(4, 8).stream()
                    .map(c -> c.toolCalls().get(0)).peek(d -> assertEquals(1, d.index()))
                    .map(ToolCallDelta::argumentsDelta).toList());
            assertEquals(FinishReason.TOOL_CALLS, chunks.get(8).finishReason());
            assertEquals(new Usage(377, 65, 442, 0, 0, 0), chunks.get(8).usage());
        }
    }

    @Test
    void textThenToolUse_collect_equalsTheNonStreamingAnswer() {
        ChatResponse nonStreaming = MessagesDecoder.response("anthropic", json("""
                {"id":"msg_019Q1hrJbZG26Fb9BQhrkHEr","type":"message","role":"assistant","model":"claude-sonnet-4-20250514",
                 "content":[{"type":"text","text":"I'll check the current weather in Paris for you."},
                            {"type":"tool_use","id":"toolu_01NRLabsLyVHZPKxbKvkfSMn","name":"get_weather","input":{"location":"Paris"}}],
                 "stop_reason":"tool_use","stop_sequence":null,
                 "usage":{"input_tokens":377,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":65}}
                """), null, null);
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/stream_text_then_tool_use"));
            ChatResponse collected = provider(server).stream(ChatRequest.of("claude-sonnet-4-20250514", "x")).collect();
            assertSameAnswer(nonStreaming, collected);
            assertEquals("{\"location\": \"Paris\"}", collected.toolCalls().get(0).arguments(), "as the model typed it");
        }
    }

    @Test
    void oneChunkAtATime_getsTheSameChunksAsTheWholeStream() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/stream_text"));
            List<ChatChunk> all = new ArrayList<>();
            provider(server).stream(streamTextRequest()).forEach(all::add);
            TestSubscriber<ChatChunk> subscriber = TestSubscriber.oneAtATime();
            provider(server).stream(streamTextRequest()).subscribe(subscriber);
            assertEquals(all, subscriber.awaitCompletion());
        }
    }

    @Test
    void cutBeforeMessageStop_failsAfterTheChunksBeforeIt() {
        byte[] whole = Fixtures.bytes("anthropic/stream_text.response.sse");
        String text = new String(whole, StandardCharsets.UTF_8);
        byte[] cut = text.substring(0, text.indexOf("event: message_stop")).getBytes(StandardCharsets.UTF_8);
        TestSubscriber<ChatChunk> subscriber = streamOf(cut);
        assertEquals(11, subscriber.items().size());
        LlmException e = assertInstanceOf(LlmException.class, subscriber.error());
        assertEquals(LlmException.Kind.STREAM_INTERRUPTED, e.kind());
        assertTrue(e.getMessage().contains("end-of-stream marker never arrived"), e.getMessage());
    }

    @Test
    void cutInTheMiddleOfAnEvent_failsAfterTheChunksBeforeIt() {
        byte[] whole = Fixtures.bytes("anthropic/stream_text.response.sse");
        String text = new String(whole, StandardCharsets.UTF_8);
        byte[] cut = text.substring(0, text.indexOf(" 68°F") + 3).getBytes(StandardCharsets.UTF_8);
        TestSubscriber<ChatChunk> subscriber = streamOf(cut);
        assertEquals(List.of("", "The weather in San Francisco, CA is", " currently", ":", "\n- **Temperature:**"),
                subscriber.items().stream().map(ChatChunk::textDelta).toList());
        LlmException e = assertInstanceOf(LlmException.class, subscriber.error());
        assertEquals(LlmException.Kind.STREAM_INTERRUPTED, e.kind());
        assertTrue(e.getMessage().contains("stopped in the middle of a content_block_delta event"), e.getMessage());

        // The same for the fixture without a final blank line, cut inside its message_stop.
        byte[] tool = Fixtures.bytes("anthropic/stream_text_then_tool_use.response.sse");
        TestSubscriber<ChatChunk> s2 = streamOf(Arrays.copyOf(tool, tool.length - 8));
        assertEquals(9, s2.items().size());
        assertEquals(LlmException.Kind.STREAM_INTERRUPTED, assertInstanceOf(LlmException.class, s2.error()).kind());
    }

    private static TestSubscriber<ChatChunk> streamOf(byte[] body) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", new Reply(200, Map.of("content-type", "text/event-stream"), body, Pace.WHOLE));
            TestSubscriber<ChatChunk> subscriber = TestSubscriber.oneAtATime();
            provider(server).stream(ChatRequest.of("m", "x")).subscribe(subscriber);
            subscriber.awaitTerminal().assertNoViolations();
            return subscriber;
        }
    }

    @Test
    void close_stopsDelivery() throws InterruptedException {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/stream_text").paced(Pace.ONE_BYTE_PER_WRITE));
            ChatStream stream = provider(server).stream(streamTextRequest());
            TestSubscriber<ChatChunk> subscriber = TestSubscriber.oneAtATime();
            subscriber.onNextDo(chunk -> {
                if (subscriber.items().size() == 2) {
                    stream.close();
                }
            });
            stream.subscribe(subscriber);
            // Without the close, the other 9 chunks and completion would follow within milliseconds.
            assertFalse(subscriber.terminatesWithin(Duration.ofMillis(500)), "no terminal signal after cancellation");
            assertEquals(2, subscriber.items().size());
        }
    }

    @Test
    void httpErrorOnAStream_failsBeforeAnyChunk() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/error_429_rate_limit"));
            TestSubscriber<ChatChunk> subscriber = TestSubscriber.oneAtATime();
            provider(server).stream(ChatRequest.of("m", "x")).subscribe(subscriber);
            subscriber.awaitTerminal().assertNoViolations();
            assertEquals(List.of(), subscriber.items());
            RateLimitException e = assertInstanceOf(RateLimitException.class, subscriber.error());
            assertEquals("req_011CYK5mje9HkutJtmfPzzNC", e.requestId());
            assertTrue(body(server.takeRequest()).booleanValue("stream"));
        }
    }
}
