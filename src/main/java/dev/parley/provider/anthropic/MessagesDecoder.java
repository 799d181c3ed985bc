package dev.parley.provider.anthropic;

import java.net.http.HttpHeaders;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import dev.parley.ChatResponse;
import dev.parley.ModelInfo;
import dev.parley.ReasoningBlock;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.json.JsonAccessException;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/**
 * Reads Messages API responses: a message, its usage, and the models list.
 *
 * <p>Usage: Anthropic's {@code input_tokens} counts only the prompt tokens that were neither read
 * from nor written to the prompt cache. Parley's {@link Usage#inputTokens()} is the whole prompt,
 * so it is {@code input_tokens + cache_read_input_tokens + cache_creation_input_tokens}; the two
 * cache counts are also kept apart, in {@link Usage#cachedInputTokens()} and
 * {@link Usage#cacheWriteTokens()}, for cost accounting (they are priced differently). The
 * total is input plus output. Anthropic does not report thinking tokens separately, so
 * {@link Usage#reasoningTokens()} is 0 (they are part of the output tokens).
 *
 * <p>Stateless and thread-safe. Methods throw {@link JsonAccessException} (naming the path) for
 * a body of an unexpected shape.
 */
final class MessagesDecoder {

    private MessagesDecoder() {
    }

    /** {@return {@code value} as an object} @throws JsonAccessException if it is another kind */
    static JsonObject object(JsonValue value) {
        if (value instanceof JsonObject o) {
            return o;
        }
        throw new JsonAccessException("", "expected an object, got " + value.kind());
    }

    /**
     * {@return the response for a message body}: all text blocks joined, thinking and redacted
     * thinking blocks as reasoning, {@code tool_use} blocks as tool calls with their input as
     * compact JSON; other block types (server tools, citations ...) are left in {@link ChatResponse#raw()}
     */
    static ChatResponse response(String provider, JsonObject body, HttpHeaders headers, String requestId) {
        return response(provider, body, headers, requestId, null);
    }

    /**
     * {@return the response for a message body, as {@link #response(String, JsonObject, HttpHeaders, String)}},
     * except that a call of {@code answerTool} is the answer: its input is the text (replacing any
     * text before it), it is not a tool call, and the stop reason {@code tool_use} reads as
     * {@code end_turn}.
     *
     * @param answerTool the tool that carries a JSON-schema answer ({@link MessagesEncoder#answerTool}); null for none
     */
    static ChatResponse response(String provider, JsonObject body, HttpHeaders headers, String requestId,
                                 String answerTool) {
        StringBuilder text = new StringBuilder();
        boolean answered = false;
        List<ReasoningBlock> reasoning = new ArrayList<>();
        List<ToolCall> calls = new ArrayList<>();
        JsonArray content = body.array("content");
        for (int i = 0; i < content.size(); i++) {
            JsonObject block = content.object(i);
            switch (block.string("type")) {
                case "text" -> {
                    if (!answered) {
                        text.append(block.string("text"));
                    }
                }
                case "thinking" -> reasoning.add(new ReasoningBlock(block.string("thinking"),
                        block.optString("signature").orElse(null), null));
                case "redacted_thinking" -> reasoning.add(new ReasoningBlock("", null, block.string("data")));
                case "tool_use" -> {
                    if (!answered && block.string("name").equals(answerTool)) {
                        answered = true;
                        text.setLength(0);
                        text.append(Json.write(block.object("input")));
                    } else {
                        calls.add(new ToolCall(block.string("id"), block.string("name"),
                                Json.write(block.object("input"))));
                    }
                }
                default -> {
                    // Server tools, web search results and future block types: kept in raw().
                }
            }
        }
        ChatResponse.Builder b = ChatResponse.newBuilder()
                .provider(provider)
                .id(body.optString("id").orElse(null))
                .model(body.optString("model").orElse(null))
                .text(text.toString())
                .reasoning(reasoning)
                .toolCalls(calls)
                .usage(usage(body.optObject("usage").orElse(JsonObject.of()), UsageCounts.NONE).toUsage())
                .requestId(requestId)
                .headers(headers)
                .raw(body);
        String stop = body.optString("stop_reason").orElse(null);
        if (stop != null) {
            b.finishReason(answered && calls.isEmpty() && stop.equals("tool_use") ? "end_turn" : stop);
        }
        return b.build();
    }

    /** Anthropic's four token counts, as reported so far. */
    record UsageCounts(long input, long output, long cacheRead, long cacheWrite) {
        static final UsageCounts NONE = new UsageCounts(0, 0, 0, 0);

        /** {@return Parley's usage: the whole prompt as input, cache counts kept apart} */
        Usage toUsage() {
            long prompt = add(add(input, cacheRead), cacheWrite);
            return new Usage(prompt, output, add(prompt, output), cacheRead, cacheWrite, 0);
        }

        /** {@return {@code a + b}} @throws IllegalArgumentException if that overflows, as {@link Usage#plus} does */
        private static long add(long a, long b) {
            long sum = a + b;
            if (((a ^ sum) & (b ^ sum)) < 0) {
                throw new IllegalArgumentException("usage: token counts too large to add up (" + a + " + " + b + ")");
            }
            return sum;
        }
    }

    /** {@return the counts in {@code usage}, keeping those of {@code before} that it does not report} */
    static UsageCounts usage(JsonObject usage, UsageCounts before) {
        return new UsageCounts(
                usage.optLong("input_tokens").orElse(before.input()),
                usage.optLong("output_tokens").orElse(before.output()),
                usage.optLong("cache_read_input_tokens").orElse(before.cacheRead()),
                usage.optLong("cache_creation_input_tokens").orElse(before.cacheWrite()));
    }

    /** {@return the models of one page of {@code GET /v1/models}} */
    static List<ModelInfo> models(JsonObject page) {
        JsonArray data = page.array("data");
        List<ModelInfo> models = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            JsonObject m = data.object(i);
            models.add(new ModelInfo(m.string("id"), null, epochSeconds(m.optString("created_at").orElse(null)), m));
        }
        return models;
    }

    private static long epochSeconds(String timestamp) {
        if (timestamp == null) {
            return 0;
        }
        try {
            return OffsetDateTime.parse(timestamp).toEpochSecond();
        } catch (DateTimeParseException e) {
            return 0; // an unreadable date is not worth failing the whole list for
        }
    }
}
