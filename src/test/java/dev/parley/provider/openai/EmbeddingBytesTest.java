package dev.parley.provider.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.parley.EmbeddingResponse;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;

/**
 * Base64 vectors decoded from the body's bytes straight into {@code float[]} are bit for bit the
 * vectors of decoding the string with {@link Base64}, and arrays of numbers those of the tree
 * reader; a body the byte reader gives up on is read by the tree reader as before.
 */
class EmbeddingBytesTest {

    private static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }

    private static String encode(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    private static float[] fromBytes(String text) {
        byte[] b = ("x\"" + text + "\"y").getBytes(StandardCharsets.ISO_8859_1);
        return Embeddings.base64(b, 2, b.length - 2);
    }

    @Test
    void everyLengthAndBitPatternDecodesAsBase64DoesIncludingNaNPayloads() {
        Random random = new Random(11);
        for (int n = 0; n <= 40; n++) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = Float.intBitsToFloat(random.nextInt()); // any pattern: NaN payloads, -0, subnormals
            }
            String text = encode(v);
            float[] got = fromBytes(text);
            assertNotNull(got, text);
            assertArrayEquals(bits(Embeddings.base64(text, "x")), bits(got), text);
            assertArrayEquals(bits(v), bits(got));
        }
    }

    @Test
    void textThatIsNotCanonicalBase64IsLeftToTheDecoderOrDecodedAlike() {
        Random random = new Random(12);
        byte[] alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ $".getBytes(StandardCharsets.US_ASCII);
        int read = 0;
        for (int k = 0; k < 20_000; k++) {
            byte[] t = new byte[random.nextInt(25)];
            for (int i = 0; i < t.length; i++) {
                t[i] = alphabet[random.nextInt(random.nextBoolean() ? 64 : alphabet.length)];
            }
            String text = new String(t, StandardCharsets.US_ASCII);
            float[] got = fromBytes(text);
            if (got != null) {
                read++;
                assertArrayEquals(bits(Embeddings.base64(text, "x")), bits(got), text);
            }
        }
        assertTrue(read > 1000, read + " read");
        assertNull(fromBytes("AAAAAAA="), "5 bytes are not whole floats");
        assertNull(fromBytes("AAA=AAAA"), "padding in the middle");
        assertNull(fromBytes("AAAAAAA"), "not a multiple of four digits");
    }

    @Test
    void bodyReadFromBytesEqualsBodyReadFromTheTree() {
        float[] a = {1f, -0f, Float.MIN_VALUE, 0.0123f};
        float[] b = new float[1536];
        Random random = new Random(13);
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) random.nextGaussian();
        }
        String body = """
                {"object":"list","data":[
                  {"object":"embedding","index":1,"embedding":"%s"},
                  {"object":"embedding","embedding":"%s","index":0}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":5,"total_tokens":6}, "extra": [null, {}]}"""
                .formatted(encode(b), encode(a));
        byte[] utf8 = body.getBytes(StandardCharsets.UTF_8);
        EmbeddingResponse fast = Embeddings.embeddings("openai", utf8, 2, "m", "r");
        EmbeddingResponse tree = Embeddings.embeddings("openai", (JsonObject) Json.parse(utf8), 2, "m", "r");
        assertNotNull(fast);
        assertEquals(tree, fast);
        assertArrayEquals(bits(a), bits(fast.vector(0)));
        assertArrayEquals(bits(b), bits(fast.vector(1)));
    }

    @Test
    void floatArraysReadFromBytesEqualTheTreeReadersBitForBit() {
        Random random = new Random(14);
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 1536; i++) {
            float f = (float) (random.nextGaussian() / 20);
            a.append(i == 0 ? "" : ",").append(Float.toString(f));       // how OpenAI prints them
            b.append(i == 0 ? "" : ", ").append(Double.toString(f));     // 17 digits: Float.parseFloat's own path
        }
        String body = """
                {"object":"list","data":[
                  {"object":"embedding","index":0,"embedding":[%s]},
                  {"object":"embedding","index":1,"embedding":[%s]},
                  {"object":"embedding","index":2,"embedding":[-0,0,1e-7,1E+2,123456789012345678901234567890,16777217]}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":5,"total_tokens":6}}"""
                .formatted(a, b);
        byte[] utf8 = body.getBytes(StandardCharsets.UTF_8);
        EmbeddingResponse fast = Embeddings.embeddings("openai", utf8, 3, "m", "r");
        EmbeddingResponse tree = Embeddings.embeddings("openai", (JsonObject) Json.parse(utf8), 3, "m", "r");
        assertNotNull(fast);
        assertEquals(tree, fast);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(bits(tree.vector(i)), bits(fast.vector(i)), "vector " + i);
        }
        assertEquals(1536, fast.vector(1).length);
    }

    @Test
    void bodiesTheByteReaderDoesNotReadAreLeftToTheTree() {
        for (String body : List.of(
                "{\"data\":[{\"index\":0,\"embedding\":[1.5,\"2\"]}]}", // a string among the numbers
                "{\"data\":[{\"index\":0,\"embedding\":[1e999]}]}", // infinite, which Embedding rejects
                "{\"data\":[{\"index\":0,\"embedding\":\"AACAPw==\"}]}x", // trailing text
                "{\"data\":[{\"index\":0,\"embedding\":\"AACAPw==\"},{\"index\":0,\"embedding\":\"AACAPw==\"}]}",
                "{\"data\":[{\"index\":0,\"embedding\":\"AACA\\/w==\"}]}", // an escape
                "{\"data\":[{\"index\":0,\"embedding\":\"AADAfw==\"}]}", // NaN, which Embedding rejects
                "{\"model\":\"m\"}",
                "{\"data\":[]}")) {
            assertNull(Embeddings.embeddings("openai", body.getBytes(StandardCharsets.UTF_8), 1, "m", null), body);
        }
        EmbeddingResponse one = Embeddings.embeddings("openai",
                "{\"data\":[{\"embedding\":\"AACAPw==\"}],\"model\":null,\"usage\":null}".getBytes(StandardCharsets.UTF_8),
                1, "fallback", null);
        assertNotNull(one);
        assertEquals("fallback", one.model());
        assertArrayEquals(new float[] {1f}, one.vector(0));
    }
}
