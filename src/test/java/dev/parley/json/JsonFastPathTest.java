package dev.parley.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * Tests of the codec's fast paths: each must give exactly what the general path gives.
 */
class JsonFastPathTest {

    /** What RFC 8259 output must be for {@code s}: the reference the writer is checked against. */
    private static String expectedLiteral(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static void assertWritten(String s) {
        String expected = expectedLiteral(s);
        byte[] expectedBytes = expected.getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(expectedBytes, Json.writeBytes(JsonString.of(s)), "value " + s);
        assertEquals(expected, Json.write(JsonString.of(s)));
        // As a key, after another member, and as a value.
        JsonObject o = JsonObject.newBuilder().put("first member", 1).put(s, s).build();
        String object = "{\"first member\":1," + expected + ":" + expected + "}";
        assertArrayEquals(object.getBytes(StandardCharsets.UTF_8), Json.writeBytes(o), "key " + s);
        assertEquals(o, Json.parse(Json.writeBytes(o)));
    }

    @Test
    void write_charsWhoseLowByteLooksPlain_areEncodedNotTruncated() {
        // U+0141 and U+4E41 have low byte 0x41 ('A'), U+0122 has 0x22 ('"'), U+015C has 0x5C ('\').
        assertWritten("\u0141");
        assertWritten("abc\u4E41def");
        assertWritten("x\u0122y\u015Cz");
        assertWritten("caf\u00E9");              // Latin-1 but not ASCII
        assertWritten("\u00FF\u0080");
        assertWritten("emoji \uD83D\uDE00 end");
    }

    @Test
    void write_everyAsciiChar_aloneAndInText() {
        for (char c = 0; c < 0x80; c++) {
            assertWritten(String.valueOf(c));
            assertWritten("plain text " + c + " more plain text");
        }
    }

    @Test
    void write_longStringsAcrossTheSlowPathsChunks() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            sb.append(switch (i % 7) {
                case 0 -> '"';
                case 1 -> '\u0001';
                case 2 -> '\u00E9';
                case 3 -> '\u20AC';
                default -> (char) ('a' + i % 26);
            });
        }
        assertWritten(sb.toString());
        // A surrogate pair on every possible chunk boundary.
        for (int at = 1020; at < 1030; at++) {
            assertWritten("\n" + "x".repeat(at) + "\uD83D\uDE00" + "y".repeat(10));
        }
        // All escapes: the output is six times the input.
        assertWritten("\u0000".repeat(3000));
    }

    @Test
    void write_longAsciiStrings_everyEscapeAndQuestionMarkAtEveryPosition() {
        // Strings of 32 chars or more are checked eight bytes at a time: every position of
        // every eight-byte window, and the tail after the last whole window.
        for (int length : new int[] {32, 39, 40, 47}) {
            for (int at = 0; at < length; at++) {
                for (char c : new char[] {'"', '\\', '\n', '\u0000', '\u001F', '?', ' ', '~', '\u007F'}) {
                    String s = "a".repeat(at) + c + "b".repeat(length - at - 1);
                    assertWritten(s);
                    assertWritten(s.replace('a', '?'));
                }
            }
        }
    }

    @Test
    void write_longStrings_loneSurrogateAtEveryPosition_fails_evenAmongQuestionMarks() {
        for (int at = 0; at < 40; at++) {
            for (char lone : new char[] {'\uD800', '\uDFFF'}) {
                String s = "?".repeat(at) + lone + "x".repeat(40 - at);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Json.writeBytes(JsonString.of(s)), "at " + at);
                assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
            }
        }
        assertWritten("x".repeat(40)); // the writer's kept buffer is fine after the failures
    }

    @Test
    void write_fromManyVirtualThreads_eachGetsItsOwnBytes() throws Exception {
        try (java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            java.util.List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
            for (int t = 0; t < 32; t++) {
                int id = t;
                fs.add(ex.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        String text = ("thread " + id + " message " + i + " ").repeat(1 + i % 40);
                        JsonObject o = JsonObject.newBuilder().put("id", id).put("text", text).build();
                        assertEquals("{\"id\":" + id + ",\"text\":\"" + text + "\"}",
                                new String(Json.writeBytes(o), StandardCharsets.UTF_8));
                        Thread.yield();
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : fs) {
                f.get();
            }
        }
    }

    @Test
    void write_unpairedSurrogate_failsAnywhere() {
        for (String s : new String[] {"\uD800", "a\uDC00", "x".repeat(2000) + "\uD800", "\uD800x", "\"\uDBFF"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.writeBytes(JsonString.of(s)));
            assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
            JsonObject key = JsonObject.newBuilder().put(s, 1).build();
            assertThrows(IllegalArgumentException.class, () -> Json.write(key));
        }
    }

    @Test
    void write_deepAndWideValues() {
        JsonValue v = JsonNull.INSTANCE;
        for (int i = 0; i < JsonValue.MAX_DEPTH - 1; i++) {
            v = i % 2 == 0 ? JsonArray.of(v, JsonString.of("s" + i)) : JsonObject.of("k\u00E9" + i, v);
        }
        byte[] out = Json.writeBytes(v);
        assertEquals(v, JsonParser.newBuilder().maxDepth(JsonValue.MAX_DEPTH).build().parse(out));
        assertEquals(new String(out, StandardCharsets.UTF_8), Json.write(v));
    }

    // ---- the parser's member stack and duplicate keys

    /** Builds {@code {"k0":0,...}} with {@code n} members, key {@code dup} repeated last with value "again". */
    private static String objectText(int n, int dup, String nestedValue) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            sb.append("\"k").append(i).append("\":").append(i % 3 == 0 ? nestedValue : String.valueOf(i)).append(',');
        }
        return sb.append("\"k").append(dup).append("\":\"again\"}").toString();
    }

    @Test
    void duplicateKeys_lastWinsAtFirstPosition_atEverySize() {
        for (int n = 1; n < 40; n++) {
            for (int dup : new int[] {0, n / 2, n - 1}) {
                String text = objectText(n, dup, "{\"a\":[1,{\"b\":2,\"b\":3}]}");
                JsonObject o = (JsonObject) Json.parse(text);
                assertEquals(n, o.size(), text);
                assertEquals("again", o.string("k" + dup));
                List<String> keys = new ArrayList<>(o.members().keySet());
                for (int i = 0; i < n; i++) {
                    assertEquals("k" + i, keys.get(i));
                    if (i != dup && i % 3 == 0) {
                        assertEquals(Json.parse("{\"a\":[1,{\"b\":3}]}"), o.object("k" + i));
                    }
                }
                JsonParser strict = JsonParser.newBuilder().rejectDuplicateKeys(true).build();
                String once = text.replace(",\"b\":3", "");
                JsonParseException e = assertThrows(JsonParseException.class, () -> strict.parse(once));
                assertEquals("duplicate key \"k" + dup + "\"", e.reason());
                assertEquals(once.lastIndexOf("\"k" + dup + "\""), e.offset());
            }
        }
    }

    @Test
    void duplicateKeys_manyTimesOver_inABigObject() {
        StringBuilder sb = new StringBuilder("{");
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (int i = 0; i < 500; i++) {
            String k = "k" + (i * 7 % 60);
            expected.put(k, i);
            sb.append(i == 0 ? "" : ",").append('"').append(k).append("\":").append(i);
        }
        JsonObject o = (JsonObject) Json.parse(sb.append('}').toString());
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(o.members().keySet()));
        expected.forEach((k, v) -> assertEquals((long) v, o.longValue(k)));
    }

    @Test
    void nestedContainers_keepTheirMembersApart() {
        String text = "{\"a\":[[],[{}],{\"x\":[1,2,{\"y\":[]}]}],\"b\":{\"c\":{\"d\":[3]}},\"e\":[{\"f\":1},{\"f\":2}]}";
        JsonValue v = Json.parse(text);
        assertEquals(text, Json.write(v));
        assertEquals("e[1].f: expected string, got number",
                assertThrows(JsonAccessException.class, () -> ((JsonObject) v).array("e").object(1).string("f")).getMessage());
    }

    // ---- the key cache

    @Test
    void keyCache_sharesKeysBetweenParses() {
        JsonObject a = (JsonObject) Json.parse("{\"role\":1,\"completion_tokens_details\":2}");
        JsonObject b = (JsonObject) Json.parse("{\"completion_tokens_details\":3,\"role\":4}");
        assertSame(a.keys[0], b.keys[1]);
        assertSame(a.keys[1], b.keys[0]);
    }

    @Test
    void keyCache_keysOfEveryLength_atTheEndOfTheArray_andBeyondTheLimit() {
        for (int len = 1; len <= KeyCache.MAX_LENGTH + 3; len++) {
            StringBuilder k = new StringBuilder();
            for (int i = 0; i < len; i++) {
                k.append((char) ('a' + (i * 7 + len) % 26));
            }
            String key = k.toString();
            // The key's last byte is near the end of the array, so short keys cannot be read 8 bytes at a time.
            byte[] text = ("{\"" + key + "\":1}").getBytes(StandardCharsets.US_ASCII);
            for (int round = 0; round < 2; round++) {
                JsonObject o = (JsonObject) Json.parse(text);
                assertEquals(List.of(key), List.copyOf(o.members().keySet()));
                // Keys that differ in one byte only are told apart.
                for (int at = 0; at < len; at++) {
                    char[] other = key.toCharArray();
                    other[at] = other[at] == 'z' ? 'y' : (char) (other[at] + 1);
                    String otherKey = new String(other);
                    JsonObject p = (JsonObject) Json.parse("{\"" + otherKey + "\":2}");
                    assertEquals(otherKey, p.keys[0]);
                    assertEquals(key, ((JsonObject) Json.parse(text)).keys[0]);
                }
            }
        }
        // A slice of a larger array: bytes around the key must not count.
        byte[] padded = "xxxx{\"ab\":1}yyyyyyyyyyyy".getBytes(StandardCharsets.US_ASCII);
        JsonObject o = (JsonObject) JsonParser.defaults().parse(padded, 4, 8);
        assertEquals("ab", o.keys[0]);
        assertEquals("ab", ((JsonObject) Json.parse("{\"ab\":1}")).keys[0]);
    }

    @Test
    void keyCache_isCorrectUnderConcurrency_andStaysBounded() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    int checked = 0;
                    for (int round = 0; round < 300; round++) {
                        // Far more distinct keys than slots, shared between threads, so slots are
                        // replaced while other threads read them.
                        StringBuilder sb = new StringBuilder("{");
                        List<String> expected = new ArrayList<>();
                        for (int i = 0; i < 40; i++) {
                            String k = "key_" + ((seed * 7919 + round * 104729 + i * 31) % 5000) + "_" + "x".repeat(i % 20);
                            if (!expected.contains(k)) {
                                expected.add(k);
                                sb.append(sb.length() == 1 ? "" : ",").append('"').append(k).append("\":").append(i);
                            }
                        }
                        JsonObject o = (JsonObject) Json.parse(sb.append('}').toString().getBytes(StandardCharsets.US_ASCII));
                        assertEquals(expected, new ArrayList<>(o.members().keySet()));
                        checked += expected.size();
                    }
                    return checked;
                }));
            }
            for (Future<Integer> f : results) {
                assertTrue(f.get() > 0);
            }
        } finally {
            pool.shutdownNow();
        }
        // Bounded: a fixed number of slots, none holding a key longer than the limit.
        for (int slot = 0; slot < KeyCache.SIZE; slot++) {
            String k = KeyCache.cached(slot);
            assertTrue(k == null || k.length() <= KeyCache.MAX_LENGTH, k);
        }
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> KeyCache.cached(KeyCache.SIZE));
    }

    // ---- compact decimals

    @Test
    void decimals_keepTheirTextAndConvertExactly() {
        String[] texts = {"0.5", "-0.5", "0.0048203478", "-0.0048203478", "10.50", "1.000", "100.0", "0.0", "-0.0",
                "-0.00", "123456789.123456789", "12345678.123456789", "0.000000000000000001", "0.0000000000000000001",
                "9.99999999999999999", "-99999999999999999.9", "3.14159", "0.1", "1.5e3", "2.50E-2"};
        for (String t : texts) {
            JsonNumber n = (JsonNumber) Json.parse(t);
            assertEquals(t, n.toString(), t);
            assertEquals(t, Json.write(n), t);
            assertArrayEquals(("[" + t + "]").getBytes(StandardCharsets.US_ASCII), Json.writeBytes(JsonArray.of(n)), t);
            assertEquals(Double.parseDouble(t), n.doubleValue(), t);
            assertEquals(new BigDecimal(t), n.bigDecimalValue(), t);
            assertEquals(n, JsonNumber.parse(t));
            assertEquals(n.hashCode(), JsonNumber.parse(t).hashCode());
            assertEquals(t.hashCode(), n.hashCode());
            assertEquals(!t.contains(".") && !t.contains("e") && !t.contains("E"), n.isIntegerText());
        }
        assertEquals(JsonNumber.of(0.25), Json.parse("0.25"));
        assertNotEqualNumbers("0.5", "0.50");
        assertNotEqualNumbers("1.0", "1");
        assertEquals(1, ((JsonNumber) Json.parse("1.000")).longValue());
        assertThrows(ArithmeticException.class, () -> ((JsonNumber) Json.parse("1.5")).longValue());
        assertEquals(2, ((JsonNumber) Json.parse("2.0")).intValue());
        // The fast conversion to double agrees with Double.parseDouble over many digits.
        java.util.Random r = new java.util.Random(42);
        for (int i = 0; i < 20000; i++) {
            long unscaled = r.nextLong() % 1_000_000_000_000_000L;
            int scale = 1 + r.nextInt(17);
            String t = new BigDecimal(java.math.BigInteger.valueOf(unscaled), scale).toPlainString();
            if (unscaled == 0 || t.replace("-", "").replace(".", "").length() > 18) {
                continue;
            }
            assertEquals(Double.parseDouble(t), ((JsonNumber) Json.parse(t)).doubleValue(), t);
            assertEquals(t, Json.write(Json.parse(t)));
        }
    }

    private static void assertNotEqualNumbers(String a, String b) {
        assertTrue(!Json.parse(a).equals(Json.parse(b)), a + " vs " + b);
    }

    @Test
    void numbers_ofEveryDigitCount_acrossTheEightByteReads() {
        StringBuilder digits = new StringBuilder();
        for (int n = 1; n <= 25; n++) {
            digits.append((char) ('0' + n % 10));
            for (String t : new String[] {"0." + digits, "-1." + digits, "7" + digits.substring(1) + ".5", digits.charAt(0) == '0' ? "0" : digits.toString()}) {
                for (String tail : new String[] {"", " ", "]", ",1]", "e5", "E-3"}) {
                    String text = tail.startsWith("]") || tail.startsWith(",") ? "[" + t + tail : t + tail;
                    JsonValue v = Json.parse(text);
                    JsonNumber n0 = v instanceof JsonArray a ? a.number(0) : (JsonNumber) v;
                    assertEquals(tail.startsWith("e") || tail.startsWith("E") ? t + tail : t, n0.toString(), text);
                    assertEquals(new BigDecimal(n0.toString()), n0.bigDecimalValue());
                }
            }
        }
        assertThrows(JsonParseException.class, () -> Json.parse("0.1234567x"));
        assertThrows(JsonParseException.class, () -> Json.parse("1."));
        assertThrows(JsonParseException.class, () -> Json.parse("[1.]"));
        assertThrows(JsonParseException.class, () -> Json.parse("[1.12345678901234567890a]"));
    }

    @Test
    void smallIntegers_areShared_andBehaveLikeAnyOther() {
        for (long v : new long[] {-1, 0, 1, 254, 255, 256, 1000, Long.MAX_VALUE, Long.MIN_VALUE}) {
            JsonNumber n = JsonNumber.of(v);
            assertEquals(Long.toString(v), n.toString());
            assertEquals(v, n.longValue());
            assertEquals(n, Json.parse(Long.toString(v)));
            assertEquals(Long.toString(v), Json.write(JsonArray.of(n)).replaceAll("[\\[\\]]", ""));
        }
        assertSame(JsonNumber.of(7), ((JsonArray) Json.parse("[7]")).number(0));
        assertTrue(((JsonArray) Json.parse("[-0]")).number(0).toString().equals("-0"));
    }
}
