package dev.parley.provider.openai;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import dev.parley.Embedding;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.Usage;
import dev.parley.internal.JsonCursor;
import dev.parley.json.JsonAccessException;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonException;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * The embeddings endpoint's wire: the request body, and the vectors of the response. Each vector
 * is read in the form the server sent, whatever was asked for: base64 of little-endian float32
 * values, or a JSON array of numbers (many compatible servers ignore {@code encoding_format}).
 * Stateless and thread-safe.
 */
final class Embeddings {

    private Embeddings() {
    }

    /** {@return the body of an embeddings request} */
    static JsonObject request(EmbeddingRequest r, boolean base64) {
        JsonObject.Builder b = JsonObject.newBuilder();
        if (r.model() != null) {
            b.put("model", r.model());
        }
        b.put("input", JsonArray.ofStrings(r.inputs()));
        if (base64) {
            // Float is the default; it is not written, as some compatible servers reject the field.
            b.put("encoding_format", "base64");
        }
        if (r.dimensions() != null) {
            b.put("dimensions", r.dimensions());
        }
        if (r.user() != null) {
            b.put("user", r.user());
        }
        ChatEncoder.merge(b, r.extra());
        return b.build();
    }

    /**
     * {@return the embeddings, in input order}
     *
     * @param provider  the provider's name
     * @param body      the response body
     * @param inputs    how many inputs were sent; the body must hold one vector for each
     * @param fallback  the requested model, for a body that does not name one
     * @param requestId the request id, or null
     */
    static EmbeddingResponse embeddings(String provider, JsonObject body, int inputs, String fallback,
                                        String requestId) {
        JsonArray data = body.array("data");
        if (data.size() != inputs) {
            throw new JsonAccessException("data", "expected " + inputs + " embeddings, one per input, got " + data.size());
        }
        Embedding[] out = new Embedding[inputs];
        for (int i = 0; i < inputs; i++) {
            JsonObject item = data.object(i);
            int index = item.optInt("index").orElse(i);
            if (index < 0 || index >= inputs || out[index] != null) {
                throw new JsonAccessException("data[" + i + "].index", "expected a distinct index from 0 to "
                        + (inputs - 1) + ", got " + index);
            }
            out[index] = new Embedding(index, vector(item, "data[" + i + "].embedding"));
        }
        Usage usage = body.optObject("usage").map(u -> {
            long in = u.optLong("prompt_tokens").orElse(0);
            return new Usage(in, 0, u.optLong("total_tokens").orElse(in), 0, 0, 0);
        }).orElse(Usage.ZERO);
        return new EmbeddingResponse(body.optString("model").orElse(fallback), provider, Arrays.asList(out),
                usage, requestId);
    }

    /**
     * Like {@link #embeddings(String, JsonObject, int, String, String)}, from the body's bytes
     * without a tree of them, vectors decoded straight from the bytes into their {@code float[]}
     * (base64, or an array of numbers): the same response, or null for a body it does not read
     * (an error, anything malformed or unusual), which the other method then reads or rejects as
     * before.
     *
     * @param provider  the provider's name
     * @param body      the response body
     * @param inputs    how many inputs were sent
     * @param fallback  the requested model, for a body that does not name one
     * @param requestId the request id, or null
     */
    static EmbeddingResponse embeddings(String provider, byte[] body, int inputs, String fallback,
                                        String requestId) {
        JsonCursor c = new JsonCursor();
        try {
            c.reset(body);
            Embedding[] out = null;
            String model = null;
            Usage usage = Usage.ZERO;
            c.beginObject();
            if (!c.closed('}')) {
                do {
                    c.key();
                    if (c.keyIs("data")) {
                        out = data(c, inputs);
                    } else if (c.keyIs("model")) {
                        model = c.string();
                    } else if (c.keyIs("usage")) {
                        usage = c.isNull() ? Usage.ZERO
                                : c.peek() == '{' ? usage((JsonObject) c.value()) : JsonCursor.bail();
                    } else {
                        c.skip();
                    }
                } while (c.next('}'));
            }
            c.end();
            if (out == null) {
                return null;
            }
            return new EmbeddingResponse(model == null ? fallback : model, provider, Arrays.asList(out), usage,
                    requestId);
        } catch (JsonCursor.Bail | JsonException | IllegalArgumentException | ArithmeticException e) {
            return null; // a vector Embedding rejects, say
        }
    }

    /**
     * {@return the vectors of {@code data}, in index order}: base64 vectors, or arrays of numbers
     * read straight into floats as {@link #floats(JsonArray)} reads them; gives up on anything else
     */
    private static Embedding[] data(JsonCursor c, int inputs) {
        Embedding[] out = new Embedding[inputs];
        c.beginArray();
        int i = 0;
        if (!c.closed(']')) {
            do {
                if (i == inputs) {
                    return JsonCursor.bail();
                }
                int index = i;
                float[] v = null;
                c.beginObject();
                if (!c.closed('}')) {
                    do {
                        c.key();
                        if (c.keyIs("index")) {
                            index = c.intOr(i);
                        } else if (c.keyIs("embedding")) {
                            if (c.peek() == '[') {
                                v = c.floats();
                            } else {
                                c.plainString();
                                v = base64(c.bytes(), c.stringFrom(), c.stringTo());
                            }
                        } else {
                            c.skip();
                        }
                    } while (c.next('}'));
                }
                if (v == null || index < 0 || index >= inputs || out[index] != null) {
                    return JsonCursor.bail();
                }
                out[index] = new Embedding(index, v);
                i++;
            } while (c.next(']'));
        }
        return i == inputs ? out : JsonCursor.bail();
    }

    private static Usage usage(JsonObject u) {
        long in = u.optLong("prompt_tokens").orElse(0);
        return new Usage(in, 0, u.optLong("total_tokens").orElse(in), 0, 0, 0);
    }

    /** Base64 digit values; -1 for bytes that are not digits. */
    private static final int[] DIGITS = new int[256];

    static {
        Arrays.fill(DIGITS, -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            DIGITS[alphabet.charAt(i)] = i;
        }
    }

    /**
     * {@return the little-endian float32 values of the base64 text {@code b[from, to)}, decoded
     * straight into the array, or null when the text is not padded base64 of whole values}
     * ({@link Base64#getDecoder()} then decides). Bit for bit what decoding it with
     * {@link Base64#getDecoder()} and reading the bytes gives.
     */
    static float[] base64(byte[] b, int from, int to) {
        int n = to - from;
        if (n % 4 != 0) {
            return null;
        }
        int pad = n == 0 ? 0 : b[to - 1] != '=' ? 0 : b[to - 2] != '=' ? 1 : 2;
        int bytes = n / 4 * 3 - pad;
        if (bytes % Float.BYTES != 0) {
            return null;
        }
        float[] v = new float[bytes / Float.BYTES];
        int[] d = DIGITS;
        int p = from;
        int k = 0;
        // 16 digits are 12 bytes are 3 floats.
        int blocks = (n - (pad == 0 ? 0 : 4)) / 16;
        for (int j = 0; j < blocks; j++, p += 16) {
            int q0 = quad(d, b, p);
            int q1 = quad(d, b, p + 4);
            int q2 = quad(d, b, p + 8);
            int q3 = quad(d, b, p + 12);
            if ((q0 | q1 | q2 | q3) < 0) {
                return null;
            }
            v[k++] = Float.intBitsToFloat((q0 >>> 16) | (q0 & 0xFF00) | (q0 & 0xFF) << 16 | (q1 >>> 16) << 24);
            v[k++] = Float.intBitsToFloat((q1 >>> 8 & 0xFF) | (q1 & 0xFF) << 8 | (q2 >>> 16) << 16
                    | (q2 >>> 8 & 0xFF) << 24);
            v[k++] = Float.intBitsToFloat((q2 & 0xFF) | (q3 >>> 16) << 8 | (q3 >>> 8 & 0xFF) << 16 | (q3 & 0xFF) << 24);
        }
        // The rest, a byte at a time; the last quad may be padded.
        int word = 0;
        int have = 0;
        for (; p < to; p += 4) {
            int last = p + 4 == to ? pad : 0;
            int q = (d[b[p] & 0xFF] << 18) | (d[b[p + 1] & 0xFF] << 12)
                    | (last == 2 ? 0 : d[b[p + 2] & 0xFF] << 6) | (last >= 1 ? 0 : d[b[p + 3] & 0xFF]);
            if (q < 0) {
                return null;
            }
            for (int s = 16; s >= 8 * last; s -= 8) {
                word |= (q >>> s & 0xFF) << (8 * have);
                if (++have == Float.BYTES) {
                    v[k++] = Float.intBitsToFloat(word);
                    word = 0;
                    have = 0;
                }
            }
        }
        return v;
    }

    /** {@return the 24 bits of four base64 digits at {@code p}, negative if one is not a digit} */
    private static int quad(int[] d, byte[] b, int p) {
        return (d[b[p] & 0xFF] << 18) | (d[b[p + 1] & 0xFF] << 12) | (d[b[p + 2] & 0xFF] << 6) | d[b[p + 3] & 0xFF];
    }

    private static float[] vector(JsonObject item, String path) {
        JsonValue v = item.get("embedding").orElse(null);
        if (v instanceof JsonString s) {
            return base64(s.value(), path);
        }
        return floats(item.array("embedding"));
    }

    /** {@return the floats of base64-encoded little-endian float32 values}, bit for bit */
    static float[] base64(String text, String path) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new JsonAccessException(path, "not base64 (" + e.getMessage() + ")");
        }
        if (bytes.length % Float.BYTES != 0) {
            throw new JsonAccessException(path, bytes.length + " bytes of base64 data are not a whole number of float32 values");
        }
        float[] v = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    /**
     * {@return the numbers as floats}: each decimal text is rounded once, straight to the
     * nearest float ({@link Float#parseFloat}), rather than to a double and then again to a
     * float, which can land one ulp off
     */
    static float[] floats(JsonArray a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNumber n = a.number(i);
            v[i] = Float.parseFloat(n.toString());
        }
        return v;
    }
}
