package dev.parley.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.parley.support.Fuzz;

/**
 * Seeded fuzzing of the JSON codec (see {@link Fuzz} for long runs). Random documents
 * round-trip; random mutations of them either parse, and then round-trip, or fail with a
 * {@link JsonParseException}: never another exception, never a hang.
 */
class JsonFuzzTest {

    /** Seeds that once failed; each runs on every build. */
    private static final long[] REGRESSIONS = {};

    /** Bytes that matter to the grammar, and some that are never valid. */
    private static final byte[] INTERESTING = "{}[]:,\"\\/ \t\n\r0123456789-+.eEtrufalsn\u0000\u007f".getBytes(StandardCharsets.ISO_8859_1);

    private static final String[] STRINGS = {"", "a", "content", "é", "\u20ac", "\uD83D\uDE00", "line\nbreak", "tab\t",
        "quote\"", "back\\slash", "\u0000", "\u001f", "\u2028", "/", "<script>", "Aa", "BB"};

    static JsonValue randomValue(Random r, int depth) {
        int pick = r.nextInt(depth > 6 ? 6 : 9);
        return switch (pick) {
            case 0 -> JsonNull.INSTANCE;
            case 1 -> JsonBoolean.of(r.nextBoolean());
            case 2 -> JsonNumber.of(r.nextLong() >> r.nextInt(64));
            case 3 -> JsonNumber.of((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(40) - 20));
            case 4 -> JsonNumber.parse(randomNumberText(r));
            case 5 -> JsonString.of(randomString(r));
            case 6, 7 -> {
                JsonObject.Builder b = JsonObject.newBuilder();
                int n = r.nextInt(r.nextInt(10) == 0 ? 40 : 6);
                for (int i = 0; i < n; i++) {
                    b.put(randomString(r), randomValue(r, depth + 1));
                }
                yield b.build();
            }
            default -> {
                JsonArray.Builder b = JsonArray.newBuilder();
                int n = r.nextInt(8);
                for (int i = 0; i < n; i++) {
                    b.add(randomValue(r, depth + 1));
                }
                yield b.build();
            }
        };
    }

    private static String randomNumberText(Random r) {
        StringBuilder sb = new StringBuilder();
        if (r.nextBoolean()) {
            sb.append('-');
        }
        sb.append(r.nextInt(10) == 0 ? "0" : Long.toString(1 + (r.nextLong() >>> (1 + r.nextInt(63)))));
        if (r.nextBoolean()) {
            sb.append('.').append(r.nextInt(1_000_000));
        }
        if (r.nextInt(3) == 0) {
            sb.append(r.nextBoolean() ? 'e' : 'E').append(r.nextBoolean() ? "-" : "+").append(r.nextInt(400));
        }
        return sb.toString();
    }

    private static String randomString(Random r) {
        StringBuilder sb = new StringBuilder();
        int parts = r.nextInt(4);
        for (int i = 0; i < parts; i++) {
            sb.append(r.nextInt(3) == 0 ? (char) ('a' + r.nextInt(26)) : STRINGS[r.nextInt(STRINGS.length)]);
        }
        return sb.toString();
    }

    /** {@return {@code doc} with a few random edits: flips, insertions, deletions, duplications, a cut} */
    static byte[] mutate(Random r, byte[] doc) {
        byte[] b = doc;
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = b.length == 0 ? 0 : r.nextInt(b.length + 1);
            byte x = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : INTERESTING[r.nextInt(INTERESTING.length)];
            ByteBuffer out = ByteBuffer.allocate(b.length * 2 + 8);
            switch (r.nextInt(5)) {
                case 0 -> { // replace
                    out.put(b);
                    if (at < b.length) {
                        out.put(at, x);
                    }
                }
                case 1 -> out.put(b, 0, at).put(x).put(b, at, b.length - at); // insert
                case 2 -> { // delete a run
                    int n = Math.min(b.length - at, 1 + r.nextInt(4));
                    out.put(b, 0, at).put(b, at + n, b.length - at - n);
                }
                case 3 -> { // duplicate a run
                    int n = Math.min(b.length - at, 1 + r.nextInt(16));
                    out.put(b, 0, at + n).put(b, at, b.length - at);
                }
                default -> out.put(b, 0, at); // truncate
            }
            b = java.util.Arrays.copyOf(out.array(), out.position());
        }
        return b;
    }

    private static void assertRoundTrips(JsonValue v) {
        byte[] written = Json.writeBytes(v);
        JsonValue again = Json.parse(written);
        assertEquals(v, again);
        assertArrayEquals(written, Json.writeBytes(again), "writing is canonical");
        assertEquals(v, Json.parse(Json.write(v)), "character input");
    }

    @Test
    void randomDocuments_roundTrip() {
        Fuzz.run(1500, REGRESSIONS, r -> assertRoundTrips(randomValue(r, 0)));
    }

    @Test
    void mutatedDocuments_parseAndRoundTrip_orFailWithJsonParseException() {
        Fuzz.run(3000, REGRESSIONS, r -> {
            byte[] doc = mutate(r, Json.writeBytes(randomValue(r, 0)));
            JsonValue v;
            try {
                v = Json.parse(doc);
            } catch (JsonParseException expected) {
                assertCharInputAgrees(doc, false);
                return;
            }
            assertRoundTrips(v);
            assertCharInputAgrees(doc, true);
        });
    }

    /** Character input accepts exactly what byte input does, when the bytes are valid UTF-8. */
    private static void assertCharInputAgrees(byte[] doc, boolean parsed) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(doc)).toString();
        } catch (CharacterCodingException notUtf8) {
            return;
        }
        boolean charParsed;
        try {
            Json.parse(text);
            charParsed = true;
        } catch (JsonParseException e) {
            charParsed = false;
        }
        assertEquals(parsed, charParsed, "character input of " + text);
    }
}
