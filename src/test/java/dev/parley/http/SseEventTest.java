package dev.parley.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.json.Json;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;

/** Events made by the decoder keep their data as bytes; they read and compare like string events. */
class SseEventTest {

    private static List<SseEvent> decode(byte[] stream) throws Exception {
        List<SseEvent> out = new ArrayList<>();
        SseDecoder d = new SseDecoder(out::add, null);
        d.decode(ByteBuffer.wrap(stream));
        return out;
    }

    @Test
    void decodedEvent_equalsTheStringEvent_andParsesTheSameJson() throws Exception {
        String json = "{\"choices\":[{\"delta\":{\"content\":\"h\u00e9llo \ud83d\ude00\"}}],\"n\":1}";
        SseEvent decoded = decode(("event: chunk\nid: 7\ndata: " + json + "\n\n").getBytes(UTF_8)).get(0);
        SseEvent built = new SseEvent("chunk", json, "7", -1);

        assertEquals(built, decoded);
        assertEquals(built.hashCode(), decoded.hashCode());
        assertEquals(built.toString(), decoded.toString());
        assertEquals(json, decoded.data());
        assertEquals(Json.parse(json), decoded.parseJson());
        assertEquals(Json.parse(json), built.parseJson());
        assertEquals("h\u00e9llo \ud83d\ude00", ((JsonObject) decoded.parseJson()).array("choices").object(0)
                .object("delta").string("content"));
    }

    @Test
    void malformedUtf8_parsesAsTheReplacementCharacter_asTheStringDid() throws Exception {
        byte[] stream = "data: {\"a\":\"x?y\"}\n\n".getBytes(UTF_8);
        stream[13] = (byte) 0xC3; // a lone lead byte inside the string
        SseEvent e = decode(stream).get(0);
        assertEquals("x\ufffdy", ((JsonObject) e.parseJson()).string("a"));
        assertEquals(Json.parse(e.data()), e.parseJson());
    }

    @Test
    void notJson_failsAsJsonParseDid() throws Exception {
        SseEvent e = decode("data: [DONE]x\n\n".getBytes(UTF_8)).get(0);
        assertThrows(JsonException.class, e::parseJson);
    }

    @Test
    void dataShorterThan_countsCharactersNotBytes() throws Exception {
        SseEvent ascii = decode("data: [DONE]\n\n".getBytes(UTF_8)).get(0);
        assertTrue(ascii.dataShorterThan(16));
        assertFalse(ascii.dataShorterThan(6));
        assertTrue(ascii.dataShorterThan(7));
        SseEvent wide = decode(("data: " + "\u00e9".repeat(10) + "\n\n").getBytes(UTF_8)).get(0); // 20 bytes, 10 chars
        assertTrue(wide.dataShorterThan(16));
        assertFalse(wide.dataShorterThan(10));
        SseEvent longer = decode(("data: " + "x".repeat(100) + "\n\n").getBytes(UTF_8)).get(0);
        assertFalse(longer.dataShorterThan(16));
        assertTrue(SseEvent.of("ab").dataShorterThan(3));
        assertFalse(SseEvent.of("abc").dataShorterThan(3));
    }
}
