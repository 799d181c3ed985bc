package dev.parley.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Objects whose keys were chosen to defeat the member index: many keys with one
 * {@code String.hashCode}. Lookups must cost about the same as for ordinary keys, so a hostile
 * body cannot make parsing (which indexes every object) quadratic.
 */
class HostileKeysTest {

    /** {@return {@code 2^blocks} distinct keys that all have the same {@code String.hashCode}} */
    static List<String> collidingKeys(int blocks) {
        List<String> keys = new ArrayList<>();
        keys.add("");
        for (int b = 0; b < blocks; b++) {
            List<String> next = new ArrayList<>(keys.size() * 2);
            for (String k : keys) {
                next.add(k + "Aa");
                next.add(k + "BB");
            }
            keys = next;
        }
        return keys;
    }

    static byte[] objectOf(List<String> keys) {
        StringBuilder sb = new StringBuilder(keys.size() * 40).append('{');
        for (int i = 0; i < keys.size(); i++) {
            sb.append(i == 0 ? "" : ",").append('"').append(keys.get(i)).append("\":").append(i);
        }
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void collidingKeys_shareOneHash() {
        List<String> keys = collidingKeys(14);
        assertEquals(16384, keys.size());
        assertTrue(keys.stream().allMatch(k -> k.hashCode() == keys.get(0).hashCode()));
    }

    @Test
    void collidingKeys_lookupsStayCheap_andFindEveryMember() {
        List<String> all = collidingKeys(14);
        List<String> keys = all.subList(0, all.size() - 1);
        String missing = all.get(all.size() - 1); // same hash, not a member
        JsonObject o = (JsonObject) Json.parse(objectOf(keys));
        assertEquals(keys.size(), o.size());
        long total = 0;
        int worst = 0;
        for (int i = 0; i < keys.size(); i++) {
            String k = keys.get(i);
            assertEquals(i, o.longValue(k));
            int steps = o.lookupSteps(k);
            total += steps;
            worst = Math.max(worst, steps);
        }
        // The old linear-probing index compared a key with every key inserted before it: the
        // sum was n^2/2, about 134 million, and the worst lookup n. Building the index walks
        // the same chains as these lookups, so their sum bounds the cost of building it.
        assertTrue(worst <= 64, "worst lookup compared " + worst + " keys");
        assertTrue(total <= 64L * keys.size(), "all lookups compared " + total + " keys");
        assertFalse(o.has(missing));
        assertTrue(o.lookupSteps(missing) <= 64, "a missing key compared " + o.lookupSteps(missing));
    }

    @Test
    void ordinaryKeys_keepTheHashIndex() {
        Random random = new Random(12);
        for (int n : new int[] {9, 100, 5_000, 100_000}) {
            List<String> counted = new ArrayList<>();
            List<String> randomKeys = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                counted.add("k" + i);
                randomKeys.add(Long.toString(random.nextLong() >>> 1, 36) + i);
            }
            for (List<String> keys : List.of(counted, randomKeys)) {
                JsonObject o = (JsonObject) Json.parse(objectOf(keys));
                assertTrue(o.hashIndexed(), n + " keys such as " + keys.get(0));
                assertEquals(n - 1, o.longValue(keys.get(n - 1)));
            }
        }
    }

    @Test
    void collidingKeys_equalityAndRoundTrip() {
        List<String> keys = collidingKeys(10);
        JsonObject o = (JsonObject) Json.parse(objectOf(keys));
        JsonObject again = (JsonObject) Json.parse(Json.writeBytes(o));
        assertEquals(o, again);
        assertEquals(o.hashCode(), again.hashCode());
        JsonObject.Builder b = o.toBuilder();
        b.put(keys.get(7), 0L);
        assertFalse(o.equals(b.build()));
    }

    private static byte[] countedObject(int n) {
        List<String> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add("k" + i);
        }
        return objectOf(keys);
    }

    @Test
    void memberLimit_defaultsTo100000() {
        assertEquals(100_000, JsonParser.defaults().maxMembers());
        assertEquals(100_000, ((JsonObject) Json.parse(countedObject(100_000))).size());
        JsonParseException e = assertThrows(JsonParseException.class, () -> Json.parse(countedObject(100_001)));
        assertEquals("object has more members than the limit of 100000", e.reason());
    }

    @Test
    void memberLimit_isAParserOption_countsRepeatedKeys_andAppliesPerObject() {
        JsonParser parser = JsonParser.newBuilder().maxMembers(3).build();
        assertEquals(3, parser.maxMembers());
        JsonParseException e = assertThrows(JsonParseException.class,
                () -> parser.parse("{\"a\":1,\"b\":2,\"a\":3,\"c\":4}"));
        assertEquals("object has more members than the limit of 3", e.reason());
        assertEquals(19, e.offset()); // the fourth key
        // Each object has its own count, and arrays are not objects.
        JsonValue v = parser.parse("{\"a\":{\"x\":1,\"y\":2,\"z\":3},\"b\":[1,2,3,4,5],\"c\":{}}");
        assertEquals(3, ((JsonObject) v).size());
        assertThrows(JsonParseException.class, () -> parser.parse("[{\"a\":1,\"b\":2,\"c\":3,\"d\":4}]"));
        assertThrows(IllegalArgumentException.class, () -> JsonParser.newBuilder().maxMembers(0));
    }
}
