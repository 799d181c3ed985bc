package dev.parley.gateway;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.Usage;
import dev.parley.gateway.GatewayServer.Exchange;
import dev.parley.gateway.Router.Target;
import dev.parley.internal.TokenEstimate;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Answers {@code POST /v1/embeddings}: {@code input} as a string or an array of strings (token
 * arrays are refused), {@code model} routed as for chat, {@code dimensions}, {@code user}, and
 * {@code encoding_format} {@code float} (the default) or {@code base64} (little-endian float32,
 * which the official OpenAI clients ask for by default). Thread-safe.
 */
final class EmbeddingsHandler {

    private final Router router;
    private final VirtualKeys keys;
    private final long maxBody;

    EmbeddingsHandler(Router router, VirtualKeys keys, long maxBody) {
        this.router = router;
        this.keys = keys;
        this.maxBody = maxBody;
    }

    /** Handles one request, admitted for the entry's key. @return the status sent @throws IOException if the client goes away */
    int handle(Exchange ex, AccessLog.Entry entry) throws IOException {
        JsonObject body = HttpIo.readJson(ex, maxBody);
        entry.prompt(body.get("input").orElse(null));
        String asked = body.optString("model").orElse(null);
        String resolved = keys.dealias(asked);
        Target target = router.resolve(resolved);
        String format = body.optString("encoding_format").orElse("float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiError.invalid("Invalid 'encoding_format' '" + format + "'; expected float or base64.", "encoding_format");
        }
        List<String> inputs = inputs(body.get("input").orElseThrow(
                () -> ApiError.invalid("Missing required parameter: 'input'.", "input")));
        Integer dimensions = body.optInt("dimensions").isPresent() ? body.optInt("dimensions").getAsInt() : null;
        EmbeddingRequest request;
        try {
            request = new EmbeddingRequest(target.model(), inputs, dimensions, body.optString("user").orElse(null), null);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(e.getMessage(), "input");
        }
        VirtualKeys.Admission admission = keys.admit(entry, target, asked, resolved, TokenEstimate.prompt(request), 0, false);
        EmbeddingResponse response = null;
        try {
            response = target.llm().embed(request);
        } finally { // whatever happens, the key's concurrency slot is freed
            admission.settleOrFail(response != null ? response.usage() : null);
        }
        String model = asked != null ? asked : response.model() != null ? response.model() : Router.DEFAULT;
        return HttpIo.sendJson(ex, 200, OpenAiWire.embeddings(model, response, format.equals("base64")));
    }

    private static List<String> inputs(JsonValue v) {
        if (v instanceof JsonString s) {
            return List.of(s.value());
        }
        if (v instanceof JsonArray a && !a.isEmpty()) {
            List<String> out = new ArrayList<>(a.size());
            for (JsonValue item : a.values()) {
                if (!(item instanceof JsonString s)) {
                    throw ApiError.unsupported("'input' must be a string or an array of strings; token arrays are not supported.", "input");
                }
                out.add(s.value());
            }
            return out;
        }
        throw ApiError.invalid("'input' must be a non-empty string or array of strings.", "input");
    }
}
