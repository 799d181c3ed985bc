package dev.parley.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class JsonTest {

    private static JsonObject obj(String json) {
        return (JsonObject) Json.parse(json);
    }

    @Test
    void parse_objectKeepsInsertionOrder() {
        JsonObject o = obj("{\"z\":1,\"a\":2,\"m\":3}");
        assertEquals(List.of("z", "a", "m"), List.copyOf(o.members().keySet()));
        assertEquals("{\"z\":1,\"a\":2,\"m\":3}", Json.write(o));
    }

    @Test
    void parse_largeObjectLookupUsesAllKeys() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < 100; i++) {
            sb.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        JsonObject o = obj(sb.append('}').toString());
        for (int i = 0; i < 100; i++) {
            assertEquals(i, o.longValue("k" + i));
        }
        assertFalse(o.has("k100"));
    }

    @Test
    void duplicateKeys_lastWinsAtFirstPosition_byDefault() {
        JsonObject o = obj("{\"a\":1,\"b\":2,\"a\":3}");
        assertEquals(2, o.size());
        assertEquals(3, o.longValue("a"));
        assertEquals("{\"a\":3,\"b\":2}", Json.write(o));
    }

    @Test
    void duplicateKeys_lastWins_inLargeObjects() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < 40; i++) {
            sb.append("\"k").append(i).append("\":").append(i).append(',');
        }
        JsonObject o = obj(sb.append("\"k5\":\"again\"}").toString());
        assertEquals(40, o.size());
        assertEquals("again", o.string("k5"));
    }

    @Test
    void duplicateKeys_rejected_whenConfigured() {
        JsonParser strict = JsonParser.newBuilder().rejectDuplicateKeys(true).build();
        JsonParseException e = assertThrows(JsonParseException.class,
                () -> strict.parse("{\"a\":1,\n\"a\":2}"));
        assertEquals("duplicate key \"a\"", e.reason());
        assertEquals(2, e.line());
        assertEquals(1, e.column());
    }

    @Test
    void numbers_keepTheirExactText() {
        String[] texts = {"0", "-0", "12345678901234567890123", "1.000", "1e400", "-1.5E-7", "0.1",
                "123456789012345678", "1234567890123456789", "-9223372036854775808", "3.141592653589793238462643383279"};
        for (String t : texts) {
            assertEquals(t, Json.write(Json.parse(t)), t);
            assertEquals("[" + t + "]", Json.write(Json.parse("[" + t + "]")));
        }
    }

    @Test
    void numbers_convertExactlyOrFailClearly() {
        JsonArray a = (JsonArray) Json.parse("[9223372036854775807, 9223372036854775808, 1.5, 1e400, 2e3, -7]");
        assertEquals(Long.MAX_VALUE, a.longValue(0));
        JsonAccessException overflow = assertThrows(JsonAccessException.class, () -> a.longValue(1));
        assertTrue(overflow.getMessage().startsWith("[1]: number 9223372036854775808"), overflow.getMessage());
        assertEquals(new BigInteger("9223372036854775808"), a.number(1).bigIntegerValue());
        assertThrows(JsonAccessException.class, () -> a.longValue(2));
        assertEquals(1.5, a.doubleValue(2));
        assertThrows(JsonAccessException.class, () -> a.doubleValue(3));
        assertEquals(new BigDecimal("1e400"), a.number(3).bigDecimalValue());
        assertEquals(2000, a.longValue(4));
        assertEquals(-7, a.number(5).intValue());
        assertThrows(ArithmeticException.class, () -> JsonNumber.of(1L << 40).intValue());
        assertThrows(ArithmeticException.class, () -> JsonNumber.parse("1e999999999").bigIntegerValue());
        assertThrows(ArithmeticException.class, () -> JsonNumber.parse("1e99999999999").bigDecimalValue());
    }

    @Test
    void numbers_equalByText() {
        assertEquals(JsonNumber.of(5), Json.parse("5"));
        assertEquals(JsonNumber.of(5).hashCode(), Json.parse("5").hashCode());
        assertNotEquals(Json.parse("1"), Json.parse("1.0"));
        assertEquals(JsonNumber.of(0.5), Json.parse("0.5"));
        assertThrows(IllegalArgumentException.class, () -> JsonNumber.of(Double.NaN));
        assertThrows(JsonParseException.class, () -> JsonNumber.parse("\"1\""));
    }

    @Test
    void strings_decodeEveryEscapeAndSurrogatePairs() {
        JsonString s = (JsonString) Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\ud83d\\ude00 é😀\"");
        assertEquals("\"\\/\b\f\n\r\tAé😀 é😀", s.value());
    }

    @Test
    void strings_writeEscapesWhatRfc8259Requires() {
        String value = "q\" b\\ nl\n tab\t nul\u0000 us\u001f del\u007f é 😀 / <";
        String json = Json.write(JsonString.of(value));
        assertEquals("\"q\\\" b\\\\ nl\\n tab\\t nul\\u0000 us\\u001f del\u007f é 😀 / <\"", json);
        assertEquals(value, ((JsonString) Json.parse(json)).value());
        assertArrayEquals(json.getBytes(StandardCharsets.UTF_8), Json.writeBytes(JsonString.of(value)));
    }

    @Test
    void strings_withUnpairedSurrogateCannotBeWritten() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Json.write(JsonString.of("ab\uD800c")));
        assertTrue(e.getMessage().contains("U+D800"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.write(JsonString.of("\uDC00")));
    }

    @Test
    void strings_invalidUtf8_isRejectedNotReplaced() {
        byte[][] bad = {
            {'"', (byte) 0xC3, '"'},                     // truncated 2-byte sequence
            {'"', (byte) 0xE2, (byte) 0x82, '"'},        // truncated 3-byte sequence
            {'"', (byte) 0xC1, (byte) 0xBF, '"'},        // overlong
            {'"', (byte) 0xE0, (byte) 0x80, (byte) 0xAF, '"'}, // overlong 3-byte '/'
            {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, // encoded surrogate
            {'"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, // above U+10FFFF
            {'"', (byte) 0x80, '"'},                     // lone continuation byte
        };
        for (byte[] b : bad) {
            assertThrows(JsonParseException.class, () -> Json.parse(b));
        }
    }

    @Test
    void characterInput_withUnpairedSurrogate_isRejected() {
        JsonParseException e = assertThrows(JsonParseException.class, () -> Json.parse("[\"a\uD800\"]"));
        assertEquals(3, e.offset());
        assertTrue(e.reason().contains("unpaired surrogate"));
    }

    @Test
    void errors_carryOffsetLineAndColumn() {
        JsonParseException e = assertThrows(JsonParseException.class, () -> Json.parse("{\n  \"a\": 1\n  \"b\": 2\n}"));
        assertEquals("unexpected '\"', expected ',' or '}'", e.reason());
        assertEquals(3, e.line());
        assertEquals(3, e.column());
        assertEquals(13, e.offset());
        assertEquals("unexpected '\"', expected ',' or '}' at line 3, column 3 (offset 13)", e.getMessage());
    }

    @Test
    void errors_inCharacterInput_countChars() {
        JsonParseException e = assertThrows(JsonParseException.class, () -> Json.parse("[\"éé\", x]"));
        assertEquals(7, e.offset());
        assertEquals(8, e.column());
    }

    @Test
    void errors_forCommonMistakes() {
        assertEquals("empty input", assertThrows(JsonParseException.class, () -> Json.parse("")).reason());
        assertEquals("unexpected end of input in a string",
                assertThrows(JsonParseException.class, () -> Json.parse("{\"a\":\"x")).reason());
        assertEquals("unexpected ']', expected a value",
                assertThrows(JsonParseException.class, () -> Json.parse("[1,]")).reason());
        assertEquals("a number may not start with 0 followed by a digit",
                assertThrows(JsonParseException.class, () -> Json.parse("012")).reason());
        assertEquals("unexpected 'x' after the JSON value",
                assertThrows(JsonParseException.class, () -> Json.parse("{} x")).reason());
    }

    @Test
    void depth_isLimited_withoutStackOverflow() {
        String deep = "[".repeat(1_000_000);
        JsonParseException e = assertThrows(JsonParseException.class, () -> Json.parse(deep));
        assertEquals("nesting deeper than the limit of 1000", e.reason());
        assertEquals(1000, e.offset());

        String ok = "[".repeat(1000) + "]".repeat(1000);
        assertEquals(ok, Json.write(Json.parse(ok)));
        String tooDeep = "[".repeat(1001) + "]".repeat(1001);
        assertThrows(JsonParseException.class, () -> Json.parse(tooDeep));

        JsonParser deepest = JsonParser.newBuilder().maxDepth(JsonValue.MAX_DEPTH).build();
        String max = "{\"a\":".repeat(JsonValue.MAX_DEPTH - 1) + "[]" + "}".repeat(JsonValue.MAX_DEPTH - 1);
        JsonValue v = deepest.parse(max);
        assertEquals(max, Json.write(v));
        assertEquals(v, deepest.parse(max));
    }

    @Test
    void builtValues_cannotNestBeyondTheLimit() {
        JsonValue v = JsonArray.of();
        for (int i = 1; i < JsonValue.MAX_DEPTH; i++) {
            v = JsonArray.of(v);
        }
        JsonValue deepest = v;
        assertThrows(IllegalArgumentException.class, () -> JsonArray.of(deepest));
        assertThrows(IllegalArgumentException.class, () -> JsonObject.of("a", deepest));
    }

    @Test
    void inputSize_isLimited() {
        JsonParser small = JsonParser.newBuilder().maxInputSize(10).build();
        assertEquals(JsonArray.of(JsonNumber.of(1)), small.parse("[1]"));
        JsonParseException e = assertThrows(JsonParseException.class, () -> small.parse("[1,2,3,4,5,6]"));
        assertTrue(e.reason().contains("larger than the limit of 10"));
        assertThrows(JsonParseException.class,
                () -> small.parse(new ByteArrayInputStream("[1,2,3,4,5,6]".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void parse_fromInputStream_andFromArraySlice() throws IOException {
        byte[] bytes = "xx{\"a\":[true,false,null]}yy".getBytes(StandardCharsets.UTF_8);
        JsonObject o = (JsonObject) JsonParser.defaults().parse(bytes, 2, bytes.length - 4);
        assertEquals("{\"a\":[true,false,null]}", o.toString());
        assertEquals(o, Json.parse(new ByteArrayInputStream(bytes, 2, bytes.length - 4)));
        JsonParseException e = assertThrows(JsonParseException.class, () -> JsonParser.defaults().parse(bytes, 2, 5));
        assertEquals(5, e.offset());
    }

    @Test
    void byteOrderMark_isSkipped() {
        byte[] bytes = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '[', '1', ']'};
        assertEquals(JsonArray.of(JsonNumber.of(1)), Json.parse(bytes));
    }

    @Test
    void accessors_namePathOnWrongType() {
        JsonObject root = obj("{\"choices\":[{\"delta\":{\"content\":5}}],\"odd key\":{\"x\":true}}");
        JsonObject delta = root.array("choices").object(0).object("delta");
        JsonAccessException e = assertThrows(JsonAccessException.class, () -> delta.string("content"));
        assertEquals("choices[0].delta.content: expected string, got number", e.getMessage());
        assertEquals("choices[0].delta.content", e.path());

        e = assertThrows(JsonAccessException.class, () -> delta.string("missing"));
        assertEquals("choices[0].delta.missing: missing, expected string", e.getMessage());

        e = assertThrows(JsonAccessException.class, () -> root.array("choices").object(3));
        assertEquals("choices[3]: index out of range for an array of 1", e.getMessage());

        e = assertThrows(JsonAccessException.class, () -> root.object("odd key").string("x"));
        assertEquals("[\"odd key\"].x: expected string, got boolean", e.getMessage());
    }

    @Test
    void optionalAccessors_treatNullAsAbsent_butRejectWrongKinds() {
        JsonObject o = obj("{\"a\":null,\"b\":\"x\",\"n\":7}");
        assertTrue(o.optString("a").isEmpty());
        assertTrue(o.optString("zzz").isEmpty());
        assertEquals("x", o.optString("b").orElseThrow());
        assertEquals("fallback", o.stringOr("a", "fallback"));
        assertEquals(OptionalLong.of(7), o.optLong("n"));
        assertThrows(JsonAccessException.class, () -> o.optLong("b"));
        assertTrue(o.has("a"));
        assertSame(JsonNull.INSTANCE, o.get("a").orElseThrow());
    }

    @Test
    void builders_snapshotAndValidate() {
        JsonObject.Builder b = JsonObject.newBuilder().put("a", 1).put("b", "two").put("a", true);
        JsonObject first = b.build();
        b.put("c", 3.5);
        assertEquals("{\"a\":true,\"b\":\"two\"}", first.toString());
        assertEquals("{\"a\":true,\"b\":\"two\",\"c\":3.5}", b.build().toString());
        assertThrows(NullPointerException.class, () -> JsonObject.newBuilder().put(null, JsonNull.INSTANCE));
        assertThrows(IllegalArgumentException.class, () -> JsonObject.newBuilder().put("x", Double.POSITIVE_INFINITY));
        assertEquals("[1,\"x\",false,null]", JsonArray.newBuilder().add(1).add("x").add(false).add(JsonNull.INSTANCE).build().toString());
        assertEquals(obj("{\"k\":[1]}"), JsonObject.of(Map.of("k", JsonArray.of(JsonNumber.of(1)))));
    }

    @Test
    void objects_equalRegardlessOfOrder() {
        assertEquals(obj("{\"a\":1,\"b\":[2]}"), obj("{\"b\":[2],\"a\":1}"));
        assertEquals(obj("{\"a\":1,\"b\":[2]}").hashCode(), obj("{\"b\":[2],\"a\":1}").hashCode());
        assertNotEquals(obj("{\"a\":1}"), obj("{\"a\":1,\"b\":2}"));
        assertNotEquals(obj("{\"a\":1,\"c\":2}"), obj("{\"a\":1,\"b\":2}"));
    }

    @Test
    void membersView_isUnmodifiable() {
        JsonObject o = obj("{\"a\":1}");
        assertThrows(UnsupportedOperationException.class, () -> o.members().put("b", JsonNull.INSTANCE));
        assertThrows(UnsupportedOperationException.class, () -> ((JsonArray) Json.parse("[1]")).values().add(JsonNull.INSTANCE));
    }

    @Test
    void builderValidation_namesTheParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonParser.newBuilder().maxDepth(0));
        assertTrue(e.getMessage().startsWith("maxDepth must be"));
        assertThrows(IllegalArgumentException.class, () -> JsonParser.newBuilder().maxDepth(JsonValue.MAX_DEPTH + 1));
        e = assertThrows(IllegalArgumentException.class, () -> JsonParser.newBuilder().maxInputSize(0));
        assertTrue(e.getMessage().startsWith("maxInputSize must be"));
    }
}
