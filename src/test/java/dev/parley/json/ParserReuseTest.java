package dev.parley.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/** Parsers reuse the frame stacks of earlier parses; no value of one document may leak into the next. */
class ParserReuseTest {

    private static JsonValue parse(String json) {
        return Json.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void afterAFailedParse_theNextParseSeesNothingOfIt() {
        assertThrows(JsonParseException.class, () -> parse("{\"a\":[1,2,{\"b\":\"leak\",\"c\":"));
        assertEquals(JsonObject.of("x", JsonNumber.of(1)), parse("{\"x\":1}"));
        assertEquals(parse("[[],{},[{}]]"), Json.parse("[[],{},[{}]]"));
    }

    @Test
    void deepAndWideDocuments_thenSmallOnes_readExactly() {
        String deep = "[".repeat(200) + "]".repeat(200);
        StringBuilder wide = new StringBuilder("{");
        for (int i = 0; i < 1000; i++) {
            wide.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        wide.append('}');
        for (int round = 0; round < 3; round++) {
            assertEquals(Json.parse(deep), parse(deep));
            JsonObject w = (JsonObject) parse(wide.toString());
            assertEquals(1000, w.size());
            assertEquals(999, w.intValue("k999"));
            assertEquals(JsonObject.of("a", JsonArray.of(JsonNumber.of(1))), parse("{\"a\":[1]}"));
        }
    }

    @Test
    void manyThreads_parseTheirOwnDocuments() throws Exception {
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                int id = t;
                fs.add(ex.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        String json = "{\"t\":" + id + ",\"i\":" + i + ",\"a\":[{\"x\":\"" + id + "-" + i + "\"}]}";
                        JsonObject o = (JsonObject) parse(json);
                        assertEquals(id, o.intValue("t"));
                        assertEquals(i, o.intValue("i"));
                        assertEquals(id + "-" + i, o.array("a").object(0).string("x"));
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
