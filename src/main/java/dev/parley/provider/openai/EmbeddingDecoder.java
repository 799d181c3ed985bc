package dev.parley.provider.openai;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import dev.parley.Embedding;
import dev.parley.EmbeddingResponse;
import dev.parley.ModelInfo;
import dev.parley.Usage;
import dev.parley.json.JsonAccessException;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Reads embeddings and model lists. Each vector is read in the form the server sent, whatever
 * was asked for: base64 of little-endian float32 values, or a JSON array of numbers (many
 * compatible servers ignore {@code encoding_format}). Stateless and thread-safe.
 */
final class EmbeddingDecoder {

    private EmbeddingDecoder() {
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

    /** {@return the models of a {@code GET /models} list} */
    static List<ModelInfo> models(JsonObject body) {
        JsonArray data = body.array("data");
        List<ModelInfo> out = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            JsonObject m = data.object(i);
            out.add(new ModelInfo(m.string("id"), m.optString("owned_by").orElse(null),
                    m.optLong("created").orElse(0), m));
        }
        return out;
    }
}
