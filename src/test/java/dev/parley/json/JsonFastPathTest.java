package dev.parley.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

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
}
