package dev.parley.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.ChatResponse;
import dev.parley.Embedding;
import dev.parley.EmbeddingResponse;
import dev.parley.FinishReason;
import dev.parley.ReasoningBlock;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.json.JsonObject;
import dev.parley.support.Fixtures;

class CacheCodecTest {

    @Test
    void chat_everyFieldButTheHeaders_roundTrips() {
        JsonObject raw = (JsonObject) Fixtures.json("openai/chat_with_headers.response.json");
        ChatResponse r = new ChatResponse("id-1", "gpt-4o", "openai", "Hi \"there\"\n\u2603",
                List.of(new ReasoningBlock("think", "sig", null), new ReasoningBlock("", null, "opaque")),
                List.of(new ToolCall("c1", "f", "{\"x\":1}")), FinishReason.TOOL_CALLS, "tool_calls",
                "no", new Usage(1, 2, 3, 4, 5, 6), "req-1", null, raw);
        assertEquals(r, CacheCodec.readChat(CacheCodec.writeChat(r)));
    }

    @Test
    void chat_minimalResponse_roundTrips() {
        ChatResponse r = ChatResponse.newBuilder().provider("p").build();
        assertEquals(r, CacheCodec.readChat(CacheCodec.writeChat(r)));
    }

    @Test
    void embedding_vectorsRoundTripBitForBit() {
        float[] v = {0.1f, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, 1e-38f, 3.14159265f};
        EmbeddingResponse r = new EmbeddingResponse("e", "p", List.of(new Embedding(0, v), new Embedding(1, new float[0])),
                Usage.of(9, 0), null);
        EmbeddingResponse back = CacheCodec.readEmbedding(CacheCodec.writeEmbedding(r));
        assertEquals(r, back);
        assertArrayEquals(v, back.vector(0));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(back.vector(0)[1]));
    }

    @Test
    void read_ofTheOtherKindOrGarbage_fails() {
        byte[] chat = CacheCodec.writeChat(ChatResponse.newBuilder().provider("p").build());
        assertThrows(IllegalArgumentException.class, () -> CacheCodec.readEmbedding(chat));
        assertThrows(RuntimeException.class, () -> CacheCodec.readChat("[1]".getBytes(StandardCharsets.UTF_8)));
        assertThrows(RuntimeException.class, () -> CacheCodec.readChat("{\"type\":\"chat\"}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(RuntimeException.class, () -> CacheCodec.readChat("{\"ty".getBytes(StandardCharsets.UTF_8)));
    }
}
