package dev.parley.provider.gemini;

import java.net.http.HttpHeaders;
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
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/**
 * Reads Gemini API responses: {@code GenerateContentResponse} (whole, or one streamed fragment),
 * usage, finish reasons, embeddings and the models list.
 *
 * <p>Only the first candidate is read (Parley asks for one). Its parts, in order:
 * <ul>
 * <li>{@code thought: true} parts are reasoning text;</li>
 * <li>a {@code thoughtSignature}, on any part, closes a {@link ReasoningBlock} holding the
 *     thought text since the last signature (often none) and the signature, so that it goes back
 *     on the next turn (see {@link GeminiEncoder});</li>
 * <li>other {@code text} parts are the answer; {@code functionCall} parts are tool calls, with
 *     the arguments object as compact JSON and the call's {@code id} when Gemini gives one,
 *     else {@code call_<n>} (n counting the calls of the response from 0), unique within it.</li>
 * </ul>
 *
 * <p>Finish reasons: {@code STOP} is {@link FinishReason#STOP}, or
 * {@link FinishReason#TOOL_CALLS} when the candidate calls functions (Gemini says STOP for both);
 * {@code MAX_TOKENS} is LENGTH; {@code SAFETY}, {@code RECITATION}, {@code BLOCKLIST},
 * {@code PROHIBITED_CONTENT}, {@code SPII}, {@code IMAGE_SAFETY} and other withheld content are
 * CONTENT_FILTER; {@code MALFORMED_FUNCTION_CALL}, {@code UNEXPECTED_TOOL_CALL} and
 * {@code TOO_MANY_TOOL_CALLS} are ERROR; the rest OTHER. Gemini's word is kept as the raw reason.
 *
 * <p>A blocked prompt ({@code promptFeedback.blockReason}, no candidates) is a response, not an
 * error: no text, finish reason CONTENT_FILTER, the block reason as the raw reason, and the
 * feedback in {@link ChatResponse#raw()}. That is how OpenAI reports filtered content too, so a
 * caller handles both alike; the request was valid, and retrying it would be blocked again.
 *
 * <p>Usage: input is {@code promptTokenCount} plus {@code toolUsePromptTokenCount}, of which
 * {@code cachedContentTokenCount} were cached; output is {@code candidatesTokenCount} plus
 * {@code thoughtsTokenCount} (thinking is billed as output), of which the thoughts are the
 * reasoning tokens; the total is {@code totalTokenCount} when given.
 *
 * <p>Stateless and thread-safe. Methods throw {@link JsonAccessException} (naming the path) for a
 * body of an unexpected shape.
 */
final class GeminiDecoder {

    private GeminiDecoder() {
    }

    /** {@return {@code value} as an object} @throws JsonAccessException if it is another kind */
    static JsonObject object(JsonValue value) {
        if (value instanceof JsonObject o) {
            return o;
        }
        throw new JsonAccessException("", "expected an object, got " + value.kind());
    }

    /** Receives the parts of a candidate, in order. */
    interface PartSink {
        /** A thought (reasoning) text. */
        void thought(String text);

        /** A thought signature, closing the reasoning so far. */
        void signature(String signature);

        /** Answer text. */
        void text(String text);

        /** The function call numbered {@code index} (from 0, across a stream), with its arguments as compact JSON. */
        void call(int index, String id, String name, String arguments);
    }

    /**
     * Reads the parts of {@code candidate} into {@code sink}.
     *
     * @param candidate the candidate, or null
     * @param calls     the number of calls read before (in earlier fragments of a stream), for ids
     * @param sink      where the parts go
     * @return the number of calls read, including those before
     */
    static int parts(JsonObject candidate, int calls, PartSink sink) {
        if (candidate == null) {
            return calls;
        }
        JsonArray parts = candidate.optObject("content").flatMap(c -> c.optArray("parts")).orElse(null);
        if (parts == null) {
            return calls;
        }
        for (int i = 0; i < parts.size(); i++) {
            JsonObject part = parts.object(i);
            boolean thought = part.optBoolean("thought").orElse(false);
            String text = part.optString("text").orElse(null);
            if (thought && text != null && !text.isEmpty()) {
                sink.thought(text);
            }
            part.optString("thoughtSignature").filter(s -> !s.isEmpty()).ifPresent(sink::signature);
            if (thought) {
                continue;
            }
            if (text != null && !text.isEmpty()) {
                sink.text(text);
            }
            JsonObject call = part.optObject("functionCall").orElse(null);
            if (call != null) {
                String id = call.optString("id").filter(s -> !s.isEmpty()).orElse("call_" + calls);
                sink.call(calls, id, call.string("name"), Json.write(call.optObject("args").orElse(JsonObject.of())));
                calls++;
            }
        }
        return calls;
    }

    /** {@return the first candidate, or null when there is none} */
    static JsonObject candidate(JsonObject body) {
        JsonArray candidates = body.optArray("candidates").orElse(null);
        return candidates == null || candidates.isEmpty() ? null : candidates.object(0);
    }

    /**
     * {@return Gemini's reason for ending: the candidate's {@code finishReason}, else the
     * prompt's {@code blockReason}; null when neither is given}
     */
    static String rawFinish(JsonObject body, JsonObject candidate) {
        if (candidate != null) {
            String reason = candidate.optString("finishReason").orElse(null);
            if (reason != null) {
                return reason;
            }
        }
        if (candidate == null) {
            return body.optObject("promptFeedback").flatMap(f -> f.optString("blockReason")).orElse(null);
        }
        return null;
    }

    /**
     * {@return the normalized finish reason, or null for null}
     *
     * @param raw   Gemini's finish or block reason
     * @param calls whether the candidate called functions
     */
    static FinishReason finish(String raw, boolean calls) {
        if (raw == null) {
            return null;
        }
        return switch (raw) {
            case "STOP" -> calls ? FinishReason.TOOL_CALLS : FinishReason.STOP;
            case "MAX_TOKENS" -> FinishReason.LENGTH;
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
                 "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "LANGUAGE" -> FinishReason.CONTENT_FILTER;
            case "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS" -> FinishReason.ERROR;
            default -> FinishReason.OTHER;
        };
    }

    /**
     * {@return the response for a whole {@code generateContent} body} A body with neither
     * candidates nor prompt feedback is not a Gemini answer, and fails.
     */
    static ChatResponse response(String provider, JsonObject body, HttpHeaders headers, String requestId) {
        if (body.optArray("candidates").isEmpty() && body.optObject("promptFeedback").isEmpty()) {
            throw new JsonAccessException("candidates", "expected the candidates of a GenerateContentResponse,"
                    + " or a promptFeedback, got neither");
        }
        StringBuilder text = new StringBuilder();
        StringBuilder thinking = new StringBuilder();
        List<ReasoningBlock> reasoning = new ArrayList<>();
        List<ToolCall> calls = new ArrayList<>();
        JsonObject candidate = candidate(body);
        parts(candidate, 0, new PartSink() {
            @Override
            public void thought(String t) {
                thinking.append(t);
            }

            @Override
            public void signature(String signature) {
                reasoning.add(new ReasoningBlock(thinking.toString(), signature, null));
                thinking.setLength(0);
            }

            @Override
            public void text(String t) {
                text.append(t);
            }

            @Override
            public void call(int index, String id, String name, String arguments) {
                calls.add(new ToolCall(id, name, arguments));
            }
        });
        if (!thinking.isEmpty()) {
            reasoning.add(ReasoningBlock.of(thinking.toString()));
        }
        String raw = rawFinish(body, candidate);
        ChatResponse.Builder b = ChatResponse.newBuilder()
                .provider(provider)
                .id(body.optString("responseId").orElse(null))
                .model(body.optString("modelVersion").orElse(null))
                .text(text.toString())
                .reasoning(reasoning)
                .toolCalls(calls)
                .usage(usage(body.optObject("usageMetadata").orElse(JsonObject.of())))
                .requestId(requestId)
                .headers(headers)
                .raw(body);
        if (raw != null) {
            b.finishReason(raw).finishReason(finish(raw, !calls.isEmpty()));
        }
        return b.build();
    }

    /** {@return Parley's usage for a {@code usageMetadata} object} */
    static Usage usage(JsonObject u) {
        long prompt = add(u.optLong("promptTokenCount").orElse(0), u.optLong("toolUsePromptTokenCount").orElse(0));
        long thoughts = u.optLong("thoughtsTokenCount").orElse(0);
        long output = add(u.optLong("candidatesTokenCount").orElse(0), thoughts);
        long total = u.optLong("totalTokenCount").orElse(add(prompt, output));
        long cached = Math.min(u.optLong("cachedContentTokenCount").orElse(0), prompt);
        return new Usage(prompt, output, total, cached, 0, thoughts);
    }

    private static long add(long a, long b) {
        long sum = a + b;
        if (((a ^ sum) & (b ^ sum)) < 0) {
            throw new IllegalArgumentException("usage: token counts too large to add up (" + a + " + " + b + ")");
        }
        return sum;
    }

    /**
     * {@return the vectors of a {@code batchEmbedContents} body, or the one of an
     * {@code embedContent} body}, each number read as the nearest {@code float} to its decimal text
     *
     * @param body     the body
     * @param expected the number of inputs, which must equal the number of vectors
     */
    static List<Embedding> embeddings(JsonObject body, int expected) {
        JsonObject single = body.optObject("embedding").orElse(null);
        JsonArray array = single != null ? JsonArray.of(single) : body.array("embeddings");
        if (array.size() != expected) {
            throw new JsonAccessException("embeddings", "expected " + expected + " vectors, one per input, got " + array.size());
        }
        List<Embedding> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonArray numbers = array.object(i).array("values");
            float[] vector = new float[numbers.size()];
            for (int k = 0; k < vector.length; k++) {
                JsonNumber n = numbers.number(k);
                float f = Float.parseFloat(n.toString());
                if (Float.isInfinite(f)) {
                    throw new JsonAccessException("embeddings[" + i + "].values[" + k + "]",
                            "number " + n + " is too large for a float");
                }
                vector[k] = f;
            }
            out.add(new Embedding(i, vector));
        }
        return out;
    }

    /**
     * {@return the models of one page of {@code GET /models}}, named without the
     * {@code models/} prefix (as requests name them)
     */
    static List<ModelInfo> models(JsonObject page) {
        JsonArray models = page.optArray("models").orElse(JsonArray.of());
        List<ModelInfo> out = new ArrayList<>(models.size());
        for (int i = 0; i < models.size(); i++) {
            JsonObject m = models.object(i);
            String name = m.string("name");
            out.add(new ModelInfo(name.startsWith("models/") ? name.substring(7) : name, null, 0, m));
        }
        return out;
    }
}
