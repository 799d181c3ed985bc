package dev.parley.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * Parsers are kept between documents (see {@code ByteParser.parse}): a kept parser must hold on
 * to nothing of the documents it parsed, and no document may see anything of another.
 */
class ParserReuseTest {

    private static JsonValue parse(String json) {
        return Json.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aKeptParser_retainsNothingOfASuccessfulOrAFailedParse() {
        parse("{\"a\":[1,2,{\"b\":\"" + "x".repeat(100) + "\"}],\"c\":{\"d\":null}}");
        assertTrue(ByteParser.spareKept(), "a small document's parser is kept for reuse");
        assertFalse(ByteParser.spareRetainsAnything());

        assertThrows(JsonParseException.class, () -> parse("{\"a\":[1,2,{\"b\":\"left open\",\"c\":"));
        assertTrue(ByteParser.spareKept());
        assertFalse(ByteParser.spareRetainsAnything(), "values of the unfinished containers are dropped");

        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 40; i++) {
            many.append(i == 0 ? "" : ",").append("\"key").append(i).append("\":").append(i);
        }
        assertThrows(JsonParseException.class, () -> parse(many + ",\"x\":"));
        assertFalse(ByteParser.spareRetainsAnything(), "the key index of a wide object is dropped");
    }

    @Test
    void afterAFailedParse_theNextDocumentReadsExactly() {
        assertThrows(JsonParseException.class, () -> parse("{\"a\":[1,2,{\"b\":\"leak\",\"c\":"));
        JsonObject o = (JsonObject) parse("{\"x\":[true],\"y\":{}}");
        assertEquals(2, o.size());
        assertEquals(JsonArray.of(JsonBoolean.TRUE), o.array("x"));
        assertEquals(0, o.object("y").size());
        assertEquals(List.of("x", "y"), List.copyOf(o.members().keySet()));
    }

    @Test
    void deepAndWideDocuments_thenSmallOnes_readExactly() {
        String deep = "[".repeat(200) + "7" + "]".repeat(200);
        StringBuilder wide = new StringBuilder("{");
        for (int i = 0; i < 2000; i++) {
            wide.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        wide.append('}');
        for (int round = 0; round < 3; round++) {
            JsonValue v = parse(deep);
            for (int d = 0; d < 200; d++) {
                JsonArray a = (JsonArray) v;
                assertEquals(1, a.size());
                v = a.get(0);
            }
            assertEquals(JsonNumber.of(7), v);
            JsonObject w = (JsonObject) parse(wide.toString());
            assertEquals(2000, w.size());
            assertEquals(1999, w.intValue("k1999"));
            JsonObject small = (JsonObject) parse("{\"a\":[1]}");
            assertEquals(1, small.size());
            assertEquals(JsonArray.of(JsonNumber.of(1)), small.array("a"));
            assertFalse(ByteParser.spareRetainsAnything());
        }
    }

    @Test
    void manyVirtualThreads_parseTheirOwnDocuments() throws Exception {
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                int id = t;
                fs.add(ex.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        String json = "{\"t\":" + id + ",\"i\":" + i + ",\"a\":[{\"x\":\"" + id + "-" + i + "\"}]}";
                        JsonObject o = (JsonObject) parse(json);
                        assertEquals(3, o.size());
                        assertEquals(id, o.intValue("t"));
                        assertEquals(i, o.intValue("i"));
                        assertEquals(id + "-" + i, o.array("a").object(0).string("x"));
                        Thread.yield();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
    }
}
