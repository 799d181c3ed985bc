package dev.parley.provider.bedrock;

import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

import dev.parley.ChatResponse;
import dev.parley.FinishReason;
import dev.parley.ReasoningBlock;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.json.JsonAccessException;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/**
 * Reads Converse responses: the message, the stop reason and the usage.
 *
 * <p>Stop reasons: {@code end_turn} and {@code stop_sequence} are {@link FinishReason#STOP},
 * {@code max_tokens} and {@code model_context_window_exceeded} {@link FinishReason#LENGTH},
 * {@code tool_use} {@link FinishReason#TOOL_CALLS}, {@code guardrail_intervened} (a guardrail
 * blocked the input or the output; the text is then the guardrail's message) and
 * {@code content_filtered} {@link FinishReason#CONTENT_FILTER}; the raw word is kept.
 *
 * <p>Usage: Bedrock's {@code inputTokens} counts only the prompt tokens that were neither read
 * from nor written to the prompt cache. Parley's {@link Usage#inputTokens()} is the whole prompt,
 * so it is {@code inputTokens + cacheReadInputTokens + cacheWriteInputTokens}; the two cache
 * counts are also kept apart, in {@link Usage#cachedInputTokens()} and
 * {@link Usage#cacheWriteTokens()}. The total is input plus output.
 *
 * <p>Stateless and thread-safe. Methods throw {@link JsonAccessException} (naming the path) for a
 * body of an unexpected shape.
 */
final class ConverseDecoder {

    private ConverseDecoder() {
    }

    /** {@return {@code value} as an object} @throws JsonAccessException if it is another kind */
    static JsonObject object(JsonValue value) {
        if (value instanceof JsonObject o) {
            return o;
        }
        throw new JsonAccessException("", "expected an object, got " + value.kind());
    }

    /**
     * {@return the response for a Converse body}: text blocks joined, {@code reasoningContent}
     * as reasoning, {@code toolUse} as tool calls with their input as compact JSON; other blocks
     * (citations, documents ...) are left in {@link ChatResponse#raw()}
     *
     * @param provider  the provider's name
     * @param model     the model asked for (Converse does not repeat it)
     * @param body      the body
     * @param headers   the response headers
     * @param requestId the request id
     */
    static ChatResponse response(String provider, String model, JsonObject body, HttpHeaders headers,
                                 String requestId) {
        StringBuilder text = new StringBuilder();
        List<ReasoningBlock> reasoning = new ArrayList<>();
        List<ToolCall> calls = new ArrayList<>();
        JsonArray content = body.object("output").object("message").array("content");
        for (int i = 0; i < content.size(); i++) {
            JsonObject block = content.object(i);
            if (block.has("text")) {
                text.append(block.string("text"));
            } else if (block.has("reasoningContent")) {
                JsonObject r = block.object("reasoningContent");
                if (r.has("redactedContent")) {
                    reasoning.add(new ReasoningBlock("", null, r.string("redactedContent")));
                } else {
                    JsonObject t = r.object("reasoningText");
                    reasoning.add(new ReasoningBlock(t.string("text"), t.optString("signature").orElse(null), null));
                }
            } else if (block.has("toolUse")) {
                JsonObject use = block.object("toolUse");
                calls.add(new ToolCall(use.string("toolUseId"), use.string("name"), Json.write(use.object("input"))));
            }
        }
        String stop = body.optString("stopReason").orElse(null);
        return ChatResponse.newBuilder()
                .provider(provider)
                .model(model)
                .text(text.toString())
                .reasoning(reasoning)
                .toolCalls(calls)
                .finishReason(stop)
                .finishReason(finishReason(stop))
                .usage(usage(body.optObject("usage").orElse(null)))
                .requestId(requestId)
                .headers(headers)
                .raw(body)
                .build();
    }

    /** {@return the normalized stop reason, null for null} */
    static FinishReason finishReason(String raw) {
        if (raw == null) {
            return null;
        }
        return switch (raw) {
            case "guardrail_intervened", "content_filtered" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.fromWire(raw);
        };
    }

    /** {@return Parley's usage for a Converse {@code usage} object; null for null} */
    static Usage usage(JsonObject usage) {
        if (usage == null) {
            return null;
        }
        long input = usage.optLong("inputTokens").orElse(0);
        long output = usage.optLong("outputTokens").orElse(0);
        long read = usage.optLong("cacheReadInputTokens").orElse(0);
        long write = usage.optLong("cacheWriteInputTokens").orElse(0);
        long prompt = Math.addExact(Math.addExact(input, read), write);
        return new Usage(prompt, output, Math.addExact(prompt, output), read, write, 0);
    }
}
