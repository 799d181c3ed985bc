package dev.parley.provider.bedrock;

import static dev.parley.provider.bedrock.BedrockTestSupport.MODEL;
import static dev.parley.provider.bedrock.BedrockTestSupport.SECRET;
import static dev.parley.provider.bedrock.BedrockTestSupport.event;
import static dev.parley.provider.bedrock.BedrockTestSupport.eventTypes;
import static dev.parley.provider.bedrock.BedrockTestSupport.exception;
import static dev.parley.provider.bedrock.BedrockTestSupport.provider;
import static dev.parley.provider.bedrock.BedrockTestSupport.streamOf;
import static dev.parley.provider.bedrock.BedrockTestSupport.streamReply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.FinishReason;
import dev.parley.LlmException;
import dev.parley.RateLimitException;
import dev.parley.ReasoningBlock;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Pace;
import dev.parley.support.TestSubscriber;

/**
 * ConverseStream: recorded event sequences framed as event-stream messages (see the fixtures
 * README: the events are recorded, the binary framing is ours) and a recorded binary exception
 * frame, replayed whole and one byte per write; cut and corrupt streams.
 */
class BedrockStreamTest {

    private static final String PATH = "/model/" + MODEL + "/converse-stream";
    private static final String TEXT = "Let me count the \"r\"s in \"strawberry\":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\n"
            + "There are **3** r's in \"strawberry.\"";

    private static List<ChatChunk> chunks(ReplayServer server) {
        TestSubscriber<ChatChunk> subscriber = TestSubscriber.oneAtATime();
        provider(server).stream(ChatRequest.of(MODEL, "How many r's are in strawberry?")).subscribe(subscriber);
        return subscriber.awaitCompletion();
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void text_streamsEveryDelta_thenTheStopReason_thenTheUsage(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, streamReply(streamOf("bedrock/stream_text.events.ndjson"), pace));
            List<ChatChunk> chunks = chunks(server);
            assertEquals(List.of("Let", " me count the \"", "r\"s in \"", "strawberry\":\n\ns-t-", "**", "r**-a-w-b", "-e-**",
                    "r**-**", "r**-y\n\nThere", " are **3", "** r", "'s in \"strawberry.\""),
                    chunks.subList(0, 12).stream().map(ChatChunk::textDelta).toList());
            ChatChunk stop = chunks.get(12);
            assertEquals(FinishReason.STOP, stop.finishReason());
            assertEquals("end_turn", stop.rawFinishReason());
            assertEquals(new Usage(22, 55, 77, 0, 0, 0), chunks.get(13).usage());
            assertEquals(14, chunks.size());
            for (ChatChunk c : chunks) {
                assertEquals("5f1b4b0c-0000-4000-8000-000000000001", c.requestId());
                assertEquals(MODEL, c.model());
                assertEquals("bedrock", c.provider());
            }
            ReplayServer.RecordedRequest sent = server.takeRequest();
            assertEquals("application/vnd.amazon.eventstream", sent.header("accept"));
            assertTrue(sent.header("authorization").contains("/bedrock/aws4_request"));
        }
    }

    @Test
    void text_collects() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, streamReply(streamOf("bedrock/stream_text.events.ndjson"), Pace.WHOLE));
            ChatResponse r = provider(server).stream(ChatRequest.of(MODEL, "How many r's?")).collect();
            assertEquals(TEXT, r.text());
            assertEquals(FinishReason.STOP, r.finishReason());
            assertEquals(new Usage(22, 55, 77, 0, 0, 0), r.usage());
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void reasoning_streamsTheThinking_andItsSignature(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, streamReply(streamOf("bedrock/stream_reasoning.events.ndjson"), pace));
            ChatResponse r = provider(server).stream(ChatRequest.of(MODEL, "How many r's?")).collect();
            assertEquals(1, r.reasoning().size());
            ReasoningBlock block = r.reasoning().get(0);
            assertEquals("Let me count the r's in \"strawberry\":\n\ns-t-r-a-w-b-e-r-r-y\n\nr appears at positions 3, 8,"
                    + " and 9.\n\nSo there are 3 r's.", block.text());
            assertTrue(block.signature().startsWith("Ep0CCkgICxABGAIqQOWPB6"), block.signature());
            assertTrue(block.signature().endsWith("DaGAE="), block.signature());
            assertEquals("There are **3** r's in \"strawberry\":\n\n1. st**r**awbe**r****r**y", r.text());
            assertEquals(new Usage(51, 94, 145, 0, 0, 0), r.usage());
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void redactedReasoning_thenAToolCall_assembleAsTheyWould_notStreamed(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, streamReply(streamOf("bedrock/stream_redacted_tool_use.events.ndjson"), pace));
            ChatResponse r = provider(server).stream(ChatRequest.of(MODEL, "Propose groups")).collect();
            assertEquals(1, r.reasoning().size());
            assertTrue(r.reasoning().get(0).redacted());
            assertTrue(r.reasoning().get(0).redactedData().startsWith("cnNuX3BVUGgxNnRvNFZL"));
            assertEquals(List.of(new ToolCall("call_61f8fcbe423a58699163c53e076f1a06", "propose",
                    "{\"groups\":[{\"name\":\"Sales\",\"parentGroupName\":\"\"},{\"name\":\"Team1\",\"parentGroupName\":\"Sales\"}]}")),
                    r.toolCalls());
            assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
            assertEquals("", r.text());
        }
        assertEquals("messageStart", eventTypes("bedrock/stream_redacted_tool_use.events.ndjson").get(0));
    }

    @Test
    void toolCallWithoutArguments_getsAnEmptyObject() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        // Synthetic: the event shapes of the recorded tool stream, with no input deltas.
        body.writeBytes(event("contentBlockStart", "{\"contentBlockIndex\":0,\"start\":{\"toolUse\":{\"toolUseId\":\"t1\","
                + "\"name\":\"now\"}}}"));
        body.writeBytes(event("contentBlockStop", "{\"contentBlockIndex\":0}"));
        body.writeBytes(event("messageStop", "{\"stopReason\":\"tool_use\"}"));
        body.writeBytes(event("metadata", "{\"usage\":{\"inputTokens\":1,\"outputTokens\":2,\"totalTokens\":3}}"));
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, streamReply(body.toByteArray(), Pace.WHOLE));
            ChatResponse r = provider(server).stream(ChatRequest.of(MODEL, "time?")).collect();
            assertEquals(List.of(new ToolCall("t1", "now", "{}")), r.toolCalls());
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void recordedModelStreamErrorFrame_failsTheStream_asAServerError(Pace pace) {
        byte[] frame = Base64.getMimeDecoder().decode(Fixtures.text("bedrock/stream_model_error.eventstream.base64").strip());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(event("messageStart", "{\"role\":\"assistant\"}"));
        body.writeBytes(event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hel\"}}"));
        body.writeBytes(frame);
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, streamReply(body.toByteArray(), pace));
            TestSubscriber<ChatChunk> subscriber = TestSubscriber.oneAtATime();
            provider(server).stream(ChatRequest.of(MODEL, "hi")).subscribe(subscriber);
            Throwable error = subscriber.awaitError();
            LlmException e = (LlmException) error;
            assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
            assertEquals("modelStreamErrorException", e.errorType());
            assertEquals("Model Stream Error", e.providerMessage());
            assertEquals(List.of("Hel"), subscriber.items().stream().map(ChatChunk::textDelta).toList());
        }
    }

    @Test
    void throttlingException_isARateLimit() {
        byte[] body = exception("throttlingException", "{\"message\":\"Too many tokens, please wait before trying again.\"}");
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, streamReply(body, Pace.WHOLE));
            RateLimitException e = assertThrows(RateLimitException.class,
                    () -> provider(server).stream(ChatRequest.of(MODEL, "hi")).collect());
            assertEquals("Too many tokens, please wait before trying again.", e.providerMessage());
            assertTrue(e.retryable());
        }
    }

    @Test
    void cutInTheMiddleOfAFrame_isAStreamInterruption() {
        byte[] whole = streamOf("bedrock/stream_text.events.ndjson");
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, streamReply(Arrays.copyOf(whole, whole.length - 10), Pace.WHOLE));
            LlmException e = assertThrows(LlmException.class, () -> provider(server).stream(ChatRequest.of(MODEL, "hi")).collect());
            assertEquals(LlmException.Kind.STREAM_INTERRUPTED, e.kind());
        }
    }

    @Test
    void withoutTheMetadataEvent_theStreamCountsAsCut() {
        byte[] whole = streamOf("bedrock/stream_text.events.ndjson");
        int metadataLength = event("metadata", Fixtures.text("bedrock/stream_text.events.ndjson").lines().toList().getLast()
                .replaceFirst("^\\{\"metadata\":", "").replaceFirst("}$", "")).length;
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, streamReply(Arrays.copyOf(whole, whole.length - metadataLength), Pace.WHOLE));
            LlmException e = assertThrows(LlmException.class, () -> provider(server).stream(ChatRequest.of(MODEL, "hi")).collect());
            assertEquals(LlmException.Kind.STREAM_INTERRUPTED, e.kind());
            assertTrue(e.getMessage().contains("end-of-stream marker"), e.getMessage());
        }
    }

    @Test
    void corruptChecksum_isAStreamInterruption_namingIt() {
        byte[] body = streamOf("bedrock/stream_text.events.ndjson");
        body[40] ^= 1; // inside the first message's payload
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, streamReply(body, Pace.WHOLE));
            LlmException e = assertThrows(LlmException.class, () -> provider(server).stream(ChatRequest.of(MODEL, "hi")).collect());
            assertEquals(LlmException.Kind.STREAM_INTERRUPTED, e.kind());
            assertTrue(e.getMessage().contains("checksum"), e.getMessage());
            assertFalse(e.getMessage().contains(SECRET));
        }
    }
}
