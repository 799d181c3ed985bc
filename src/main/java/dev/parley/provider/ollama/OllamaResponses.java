package dev.parley.provider.ollama;

import java.net.http.HttpHeaders;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import dev.parley.ChatResponse;
import dev.parley.Embedding;
import dev.parley.FinishReason;
import dev.parley.ModelInfo;
import dev.parley.ReasoningBlock;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.json.JsonAccessException;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Reads Ollama's response bodies into Parley's types. Accessors throw
 * {@link JsonAccessException} naming the path when a body has an unexpected shape; the provider
 * turns that into an {@link dev.parley.LlmException}.
 *
 * <p>Decisions, shared by whole responses and streams:
 * <ul>
 * <li>Ollama's tool-call {@code arguments} are a JSON object; {@link ToolCall#arguments()} gets
 *     its compact JSON text. Calls without an {@code id} (servers before ids existed) get
 *     {@code call_0}, {@code call_1} ... in order of appearance in the response.</li>
 * <li>Ollama reports {@code done_reason: "stop"} (or none, on old servers) even when the model
 *     called tools. The normalized reason is then {@link FinishReason#TOOL_CALLS}, as for every
 *     other provider, so a tool loop can test one value; the raw value stays as sent.</li>
 * <li>Usage: {@code prompt_eval_count} in, {@code eval_count} out, total their sum. The
 *     nanosecond durations stay in the raw JSON only.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class OllamaResponses {

    private OllamaResponses() {
    }

    /** {@return the whole chat response} */
    static ChatResponse chat(JsonObject body, String provider, String requestId, HttpHeaders headers) {
        JsonObject message = body.object("message");
        List<ToolCall> calls = toolCalls(message, 0);
        String thinking = message.stringOr("thinking", "");
        String raw = body.stringOr("done_reason", null);
        return ChatResponse.newBuilder()
                .model(body.stringOr("model", null))
                .provider(provider)
                .text(message.stringOr("content", ""))
                .reasoning(thinking.isEmpty() ? List.of() : List.of(ReasoningBlock.of(thinking)))
                .toolCalls(calls)
                .finishReason(raw)
                .finishReason(finishReason(raw, !calls.isEmpty()))
                .usage(usage(body))
                .requestId(requestId)
                .headers(headers)
                .raw(body)
                .build();
    }

    /**
     * {@return the tool calls of a message}
     *
     * @param message   the {@code message} object
     * @param firstIndex the position of the first call in the whole response, for synthesized ids
     */
    static List<ToolCall> toolCalls(JsonObject message, int firstIndex) {
        JsonArray array = message.optArray("tool_calls").orElse(null);
        if (array == null || array.isEmpty()) {
            return List.of();
        }
        List<ToolCall> calls = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonObject call = array.object(i);
            JsonObject function = call.object("function");
            String id = call.optString("id").filter(s -> !s.isEmpty()).orElse("call_" + (firstIndex + i));
            calls.add(new ToolCall(id, function.string("name"), argumentsText(function.get("arguments").orElse(null))));
        }
        return calls;
    }

    private static String argumentsText(JsonValue arguments) {
        if (arguments == null || arguments instanceof JsonNull) {
            return "{}";
        }
        if (arguments instanceof JsonString s) {
            return s.value();
        }
        return Json.write(arguments);
    }

    /** {@return the normalized finish reason}: tool calls win over Ollama's "stop" or silence */
    static FinishReason finishReason(String raw, boolean toolCalls) {
        if (toolCalls && (raw == null || raw.equals("stop"))) {
            return FinishReason.TOOL_CALLS;
        }
        return FinishReason.fromWire(raw);
    }

    /** {@return the token counts of a final object}, 0 for counts it does not report */
    static Usage usage(JsonObject body) {
        return Usage.of(body.optLong("prompt_eval_count").orElse(0), body.optLong("eval_count").orElse(0));
    }

    /**
     * {@return the vectors of an {@code /api/embed} body}, each number read as the nearest
     * {@code float} to its decimal text (what Ollama computed in float32), with no detour through double
     */
    static List<Embedding> embeddings(JsonObject body, int expected) {
        JsonArray array = body.array("embeddings");
        if (array.size() != expected) {
            throw new JsonAccessException("embeddings", "expected " + expected + " vectors, one per input, got " + array.size());
        }
        List<Embedding> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonArray numbers = array.array(i);
            float[] vector = new float[numbers.size()];
            for (int k = 0; k < vector.length; k++) {
                JsonNumber n = numbers.number(k);
                float f = Float.parseFloat(n.toString());
                if (Float.isInfinite(f)) {
                    throw new JsonAccessException("embeddings[" + i + "][" + k + "]", "number " + n + " is too large for a float");
                }
                vector[k] = f;
            }
            out.add(new Embedding(i, vector));
        }
        return out;
    }

    /** {@return the models of an {@code /api/tags} body} */
    static List<ModelInfo> models(JsonObject body) {
        JsonArray array = body.array("models");
        List<ModelInfo> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonObject entry = array.object(i);
            out.add(new ModelInfo(entry.string("name"), null, epochSeconds(entry.stringOr("modified_at", null)), entry));
        }
        return out;
    }

    /** {@return an ISO-8601 time with offset in seconds since the epoch; 0 when missing or unreadable} */
    static long epochSeconds(String isoTime) {
        if (isoTime == null) {
            return 0;
        }
        try {
            return OffsetDateTime.parse(isoTime).toEpochSecond();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }
}
