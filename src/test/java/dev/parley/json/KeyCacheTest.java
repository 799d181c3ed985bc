package dev.parley.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/** Object keys go through a shared cache of recent keys; every key must still read exactly. */
class KeyCacheTest {

    @Test
    void repeatedKey_isTheSameString() {
        JsonObject a = (JsonObject) Json.parse("{\"finish_reason\":1}".getBytes(StandardCharsets.UTF_8));
        JsonObject b = (JsonObject) Json.parse("{\"finish_reason\":2}".getBytes(StandardCharsets.UTF_8));
        assertSame(a.members().keySet().iterator().next(), b.members().keySet().iterator().next());
    }

    @Test
    void everyKindOfKey_readsExactly() {
        String[] keys = {"", "a", "id", "content", "x".repeat(31), "y".repeat(32), "z".repeat(33), "é", "caf\u00e9",
                "tab\there", "quote\"d", "back\\slash", "\ud83d\ude00", "k\u0000", "A", "B", "Ab", "BA"};
        for (int round = 0; round < 3; round++) {
            for (String k : keys) {
                String json = "{" + JsonString.of(k) + ":true," + JsonString.of(k + "2") + ":false}";
                JsonObject o = (JsonObject) Json.parse(json.getBytes(StandardCharsets.UTF_8));
                assertEquals(List.of(k, k + "2"), List.copyOf(o.members().keySet()), json);
                assertEquals(o, Json.parse(json));
            }
        }
    }

    @Test
    void keysThatDifferOnlyInTheMiddle_neverMixUp() {
        // Same first and last 8 bytes, so the same slot: only the middle words tell them apart.
        for (int length = 1; length <= KeyCache.MAX_LENGTH; length++) {
            String base = "a".repeat(length);
            for (int at = 0; at < length; at++) {
                String variant = base.substring(0, at) + "b" + base.substring(at + 1);
                for (String k : List.of(base, variant, base)) {
                    JsonObject o = (JsonObject) Json.parse(("{\"" + k + "\":1}").getBytes(StandardCharsets.UTF_8));
                    assertEquals(k, o.members().keySet().iterator().next());
                }
            }
        }
    }

    @Test
    void collidingKeys_fromManyThreads_neverMixUp() throws Exception {
        // Far more distinct keys than cache slots, read concurrently: each must come back as written.
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            keys.add("k" + Integer.toString(i * 7919, 36));
        }
        try (ExecutorService ex = Executors.newFixedThreadPool(4)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                fs.add(ex.submit(() -> {
                    for (int r = 0; r < 20; r++) {
                        for (int i = seed; i < keys.size(); i += 3) {
                            String k = keys.get(i);
                            JsonObject o = (JsonObject) Json.parse(("{\"" + k + "\":" + i + "}").getBytes(StandardCharsets.UTF_8));
                            assertEquals(k, o.members().keySet().iterator().next());
                            assertEquals(i, o.intValue(k));
                        }
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
