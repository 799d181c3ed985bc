package dev.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.FinishReason;
import dev.parley.ToolCallDelta;
import dev.parley.json.JsonObject;

class ChunkTranslatorTest {

    private static JsonObject choice(JsonObject chunk) {
        return chunk.array("choices").object(0);
    }

    @Test
    void anEmptyUpstream_stillGetsARoleChunkAndAFinishChunk() {
        ChunkTranslator t = new ChunkTranslator("id", 1, "m", false);
        List<JsonObject> end = t.end();
        assertEquals(2, end.size());
        assertEquals("assistant", choice(end.get(0)).object("delta").string("role"));
        assertEquals("stop", choice(end.get(1)).string("finish_reason"));
    }

    @Test
    void toolCallsWithoutAFinishReason_endWithToolCalls_andTwoCallsGetIndexesZeroAndOne() {
        ChunkTranslator t = new ChunkTranslator("id", 1, "m", false);
        t.translate(tool(new ToolCallDelta(3, "a", "f", "{}")));
        List<JsonObject> second = t.translate(tool(new ToolCallDelta(7, "b", "g", "{}")));
        assertEquals(1, choice(second.get(0)).object("delta").array("tool_calls").object(0).intValue("index"));
        List<JsonObject> end = t.end();
        assertEquals("tool_calls", choice(end.get(0)).string("finish_reason"));
    }

    @Test
    void finishReasons_mapToOpenAisWords() {
        assertEquals("stop", OpenAiWire.finishReason(FinishReason.STOP, "end_turn", false));
        assertEquals("length", OpenAiWire.finishReason(FinishReason.LENGTH, "max_tokens", false));
        assertEquals("tool_calls", OpenAiWire.finishReason(FinishReason.TOOL_CALLS, "tool_use", true));
        assertEquals("content_filter", OpenAiWire.finishReason(FinishReason.CONTENT_FILTER, "refusal", false));
        assertEquals("insufficient_system_resource",
                OpenAiWire.finishReason(FinishReason.ERROR, "insufficient_system_resource", false));
        assertEquals("stop", OpenAiWire.finishReason(null, null, false));
    }

    @Test
    void contentAfterTheFinishChunk_isNotSent_butLaterUsageIs() {
        ChunkTranslator t = new ChunkTranslator("id", 1, "m", true);
        t.translate(ChatChunk.newBuilder().textDelta("a").finishReason(FinishReason.STOP).rawFinishReason("stop")
                .build());
        assertTrue(t.translate(ChatChunk.newBuilder().textDelta("late").usage(dev.parley.Usage.of(1, 2))
                .build()).isEmpty());
        List<JsonObject> end = t.end();
        assertEquals(1, end.size());
        assertEquals(3, end.get(0).object("usage").longValue("total_tokens"));
    }

    private static ChatChunk tool(ToolCallDelta d) {
        return ChatChunk.newBuilder().toolCalls(List.of(d)).build();
    }
}
