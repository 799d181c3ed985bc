package dev.parley.provider.gemini;

import static dev.parley.provider.gemini.GeminiChatTest.KEY;
import static dev.parley.provider.gemini.GeminiChatTest.WEATHER_SCHEMA;
import static dev.parley.provider.gemini.GeminiChatTest.body;
import static dev.parley.provider.gemini.GeminiChatTest.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
import dev.parley.ReasoningBlock;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Pace;
import dev.parley.support.ReplayServer.RecordedRequest;
import dev.parley.support.ReplayServer.Reply;

/** Streams replayed from the captured fixtures, whole and one byte per write; cut streams and error events. */
class GeminiStreamTest {

    private static final String STREAM_PATH = "/v1beta/models/gemini-2.5-flash:streamGenerateContent";

    @ParameterizedTest
    @EnumSource(Pace.class)
    void streamedText_isDelivered_andEndsWithTheFinishingEvent(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", STREAM_PATH, Reply.fixture("gemini/stream_text").paced(pace));
            List<ChatChunk> chunks = new ArrayList<>();
            try (ChatStream stream = provider(server).stream(ChatRequest.of("gemini-2.5-flash", "今日の東京の天気を教えて"))) {
                stream.forEach(chunks::add);
            }
            assertEquals(2, chunks.size());
            assertEquals("今日の東京の天気", chunks.get(0).textDelta());
            assertEquals("は曇りで、気温は22度です。\n", chunks.get(1).textDelta());
            assertEquals(FinishReason.STOP, chunks.get(1).finishReason());
            assertEquals("STOP", chunks.get(1).rawFinishReason());
            assertEquals(new Usage(138, 15, 153, 0, 0, 0), chunks.get(1).usage());
            for (ChatChunk c : chunks) {
                assertEquals("gemini", c.provider());
                assertEquals("45I2aaWZBumm2roPm8HR0Ao", c.id());
                assertEquals("gemini-2.5-flash", c.model());
                assertTrue(c.headers().firstValue("content-type").isPresent());
            }
            RecordedRequest sent = server.takeRequest();
            assertEquals("alt=sse", sent.query());
            assertEquals(KEY.value(), sent.header("x-goog-api-key"));
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void aStreamedCall_keepsItsSignature_whichGoesBackExactlyOnTheNextTurn(Pace pace) {
        String fixture = Fixtures.text("gemini/stream_function_call_signature.response.sse");
        String signature = fixture.substring(fixture.indexOf("\"thoughtSignature\": \"") + 21);
        signature = signature.substring(0, signature.indexOf('"'));
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", STREAM_PATH, Reply.fixture("gemini/stream_function_call_signature").paced(pace),
                    Reply.fixture("gemini/stream_text").paced(pace));
            ChatRequest first = ChatRequest.newBuilder().model("gemini-2.5-flash")
                    .addMessage(Message.user("今日の東京の天気を教えて"))
                    .addTool(Tool.of("getWeather", "指定された都市の現在の天気を取得する", WEATHER_SCHEMA)).build();
            ChatResponse r = provider(server).stream(first).collect();

            assertEquals(List.of(new ToolCall("call_0", "getWeather", "{\"location\":\"Tokyo\"}")), r.toolCalls());
            assertEquals(List.of(new ReasoningBlock("", signature, null)), r.reasoning());
            assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
            assertEquals("STOP", r.rawFinishReason());
            assertEquals(new Usage(83, 118, 201, 0, 0, 104), r.usage());

            ChatResponse answer = provider(server).stream(first.toBuilder().addMessage(r.message())
                    .addMessage(Message.tool("call_0", "{\"location\":\"Tokyo\",\"temperature\":22,\"condition\":\"Cloudy\"}"))
                    .build()).collect();
            assertEquals("今日の東京の天気は曇りで、気温は22度です。\n", answer.text());
            server.takeRequest();
            assertEquals(Json.parse("""
                    [{"role":"model","parts":[{"functionCall":{"name":"getWeather","args":{"location":"Tokyo"}},
                       "thoughtSignature":"%s"}]},
                     {"role":"user","parts":[{"functionResponse":{"name":"getWeather",
                       "response":{"location":"Tokyo","temperature":22,"condition":"Cloudy"}}}]}]
                    """.formatted(signature)),
                    Json.parse(Json.write(body(server.takeRequest()).array("contents")).replaceFirst(
                            "^\\[\\{\"role\":\"user\",\"parts\":\\[\\{\"text\":\"[^\"]*\"\\}\\]\\},", "[")));
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void aStreamCutBeforeItsFinishingEvent_isAnError_afterTheChunksBefore(Pace pace) {
        String fixture = Fixtures.text("gemini/stream_text.response.sse");
        String firstEventOnly = fixture.substring(0, fixture.indexOf("\n\n") + 2);
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", STREAM_PATH, new Reply(200, java.util.Map.of("content-type", "text/event-stream"),
                    firstEventOnly.getBytes(StandardCharsets.UTF_8), pace));
            List<ChatChunk> chunks = new ArrayList<>();
            LlmException e = assertThrows(LlmException.class, () -> {
                try (ChatStream stream = provider(server).stream(ChatRequest.of("gemini-2.5-flash", "hi"))) {
                    stream.forEach(chunks::add);
                }
            });
            assertEquals(LlmException.Kind.STREAM_INTERRUPTED, e.kind());
            assertEquals(1, chunks.size());
        }
    }

    @Test
    void anErrorEvent_failsTheStream_withItsKind() {
        String body = "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hel\"}],\"role\": \"model\"}}]}\r\n\r\n"
                + "data: {\"error\": {\"code\": 503,\"message\": \"The model is overloaded.\",\"status\": \"UNAVAILABLE\"}}\r\n\r\n";
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", STREAM_PATH, Reply.of(200, "text/event-stream", body));
            List<ChatChunk> chunks = new ArrayList<>();
            LlmException e = assertThrows(LlmException.class, () -> {
                try (ChatStream stream = provider(server).stream(ChatRequest.of("gemini-2.5-flash", "hi"))) {
                    stream.forEach(chunks::add);
                }
            });
            assertEquals(LlmException.Kind.UNAVAILABLE, e.kind());
            assertEquals("UNAVAILABLE", e.errorType());
            assertEquals(List.of("Hel"), chunks.stream().map(ChatChunk::textDelta).toList());
        }
    }

    @Test
    void thoughtsAndABlockedPrompt_stream_asTheyReadWhole() {
        String body = "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hmm.\",\"thought\": true}],\"role\": \"model\"}}]}\r\n\r\n"
                + "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Yes.\",\"thoughtSignature\": \"c2ln\"}],\"role\": \"model\"},"
                + "\"finishReason\": \"MAX_TOKENS\"}],\"usageMetadata\": {\"promptTokenCount\": 3,\"candidatesTokenCount\": 1,"
                + "\"thoughtsTokenCount\": 5,\"totalTokenCount\": 9}}\r\n\r\n";
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", STREAM_PATH, Reply.of(200, "text/event-stream", body),
                    Reply.of(200, "text/event-stream", "data: {\"promptFeedback\": {\"blockReason\": \"SAFETY\"}}\r\n\r\n"));
            ChatResponse r = provider(server).stream(ChatRequest.of("gemini-2.5-flash", "hi")).collect();
            assertEquals("Yes.", r.text());
            assertEquals(List.of(new ReasoningBlock("Hmm.", "c2ln", null)), r.reasoning());
            assertEquals(FinishReason.LENGTH, r.finishReason());
            assertEquals(new Usage(3, 6, 9, 0, 0, 5), r.usage());

            ChatResponse blocked = provider(server).stream(ChatRequest.of("gemini-2.5-flash", "bad")).collect();
            assertEquals(FinishReason.CONTENT_FILTER, blocked.finishReason());
            assertEquals("SAFETY", blocked.rawFinishReason());
            assertFalse(Arrays.asList(blocked.text()).contains(null));
        }
    }
}
