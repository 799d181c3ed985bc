package dev.parley.provider.openai;

import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

import dev.parley.ApiKey;
import dev.parley.ChatResponse;
import dev.parley.FinishReason;
import dev.parley.LlmException;
import dev.parley.ReasoningBlock;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.http.HttpErrors;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Reads OpenAI Responses API objects ({@code "object": "response"}) into Parley's
 * {@link ChatResponse}, and the pieces the stream mapper shares: usage, finish reasons, reasoning
 * items and errors.
 *
 * <p>Output items: {@code message} items give the text ({@code output_text} parts) and the
 * refusal ({@code refusal} parts); {@code function_call} items give tool calls, by their
 * {@code call_id}; {@code reasoning} items give {@link ReasoningBlock}s (see
 * {@link #reasoningBlock}). Other items (web search, file search, code interpreter, image
 * generation calls...) are left in {@link ChatResponse#raw()}.
 *
 * <p>Shapes it does not expect fail with a {@link dev.parley.json.JsonAccessException} naming
 * the path, which the adapter reports as a provider error. Stateless and thread-safe.
 */
final class ResponsesDecoder {

    private ResponsesDecoder() {
    }

    /**
     * {@return the response for a Responses API body}
     *
     * @param provider      the provider's name
     * @param body          the body
     * @param fallbackModel the requested model, for a body that does not name one
     * @param headers       the response headers
     * @param requestId     the request id from the headers, or null
     * @param key           the key to scrub from error messages, or null
     * @throws LlmException for a response whose status is {@code failed}
     */
    static ChatResponse response(String provider, JsonObject body, String fallbackModel, HttpHeaders headers,
                                 String requestId, ApiKey key) {
        if ("failed".equals(body.optString("status").orElse(null))) {
            throw failure(provider, body, requestId, key);
        }
        StringBuilder text = new StringBuilder();
        StringBuilder refusal = null;
        List<ToolCall> calls = new ArrayList<>();
        List<ReasoningBlock> reasoning = new ArrayList<>();
        JsonArray output = body.optArray("output").orElse(JsonArray.of());
        for (int i = 0; i < output.size(); i++) {
            JsonObject item = output.object(i);
            switch (item.stringOr("type", "")) {
                case "message" -> {
                    JsonArray content = item.optArray("content").orElse(JsonArray.of());
                    for (int j = 0; j < content.size(); j++) {
                        JsonObject part = content.object(j);
                        switch (part.stringOr("type", "")) {
                            case "output_text" -> text.append(part.optString("text").orElse(""));
                            case "refusal" -> (refusal == null ? refusal = new StringBuilder() : refusal)
                                    .append(part.optString("refusal").orElse(""));
                            default -> { }
                        }
                    }
                }
                case "function_call" -> calls.add(new ToolCall(item.optString("call_id").orElse("call_" + calls.size()),
                        item.string("name"), item.optString("arguments").orElse("")));
                case "reasoning" -> reasoning.add(reasoningBlock(item));
                default -> { }
            }
        }
        String raw = rawFinishReason(body);
        return ChatResponse.newBuilder()
                .id(body.optString("id").orElse(null))
                .model(body.optString("model").orElse(fallbackModel))
                .provider(provider)
                .text(text.toString())
                .reasoning(reasoning)
                .toolCalls(calls)
                .refusal(refusal == null ? null : refusal.toString())
                .finishReason(raw)
                .finishReason(finishReason(raw, !calls.isEmpty()))
                .usage(usage(body.optObject("usage").orElse(null)))
                .requestId(requestId)
                .headers(headers)
                .raw(body)
                .build();
    }

    /**
     * {@return the reasoning block for a {@code reasoning} output item}: its text is the
     * item's summary texts (or, where there is no summary, its {@code reasoning_text} content),
     * joined by blank lines; its signature is the whole item as JSON, which
     * {@link ResponsesEncoder} sends back unchanged (id, summary and {@code encrypted_content})
     */
    static ReasoningBlock reasoningBlock(JsonObject item) {
        StringBuilder text = new StringBuilder();
        appendTexts(text, item.optArray("summary").orElse(JsonArray.of()));
        if (text.isEmpty()) {
            appendTexts(text, item.optArray("content").orElse(JsonArray.of()));
        }
        return new ReasoningBlock(text.toString(), Json.write(item), null);
    }

    private static void appendTexts(StringBuilder text, JsonArray parts) {
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i) instanceof JsonObject p && p.get("text").orElse(null) instanceof JsonString s) {
                if (!text.isEmpty()) {
                    text.append("\n\n");
                }
                text.append(s.value());
            }
        }
    }

    /**
     * {@return the provider's word for how the response ended}: the reason in
     * {@code incomplete_details} (such as {@code max_output_tokens} or {@code content_filter})
     * for an incomplete response, else its status (such as {@code completed}), or null
     */
    static String rawFinishReason(JsonObject response) {
        if ("incomplete".equals(response.optString("status").orElse(null))) {
            String reason = response.optObject("incomplete_details").flatMap(d -> d.optString("reason")).orElse(null);
            if (reason != null) {
                return reason;
            }
        }
        return response.optString("status").orElse(null);
    }

    /** {@return the normalized finish reason for a raw one} */
    static FinishReason finishReason(String raw, boolean toolCalls) {
        if (raw == null) {
            return null;
        }
        return switch (raw) {
            case "completed" -> toolCalls ? FinishReason.TOOL_CALLS : FinishReason.STOP;
            case "max_output_tokens" -> FinishReason.LENGTH;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            case "failed" -> FinishReason.ERROR;
            default -> FinishReason.OTHER;
        };
    }

    /** {@return the token counts of a Responses {@code usage} object, or zero for null} */
    static Usage usage(JsonObject u) {
        if (u == null) {
            return Usage.ZERO;
        }
        long input = u.optLong("input_tokens").orElse(0);
        long output = u.optLong("output_tokens").orElse(0);
        long total = u.optLong("total_tokens").orElseGet(() -> Usage.of(input, output).totalTokens());
        long cached = u.optObject("input_tokens_details").map(d -> d.optLong("cached_tokens").orElse(0)).orElse(0L);
        long reasoning = u.optObject("output_tokens_details").map(d -> d.optLong("reasoning_tokens").orElse(0)).orElse(0L);
        return new Usage(input, output, total, cached, 0, reasoning);
    }

    /**
     * {@return the error for a failed response}, from its {@code error} object
     * ({@code {"code","message"}}); the code doubles as the error type that decides the kind
     * (so {@code rate_limit_exceeded} is a rate limit, {@code server_error} a server error)
     */
    static LlmException failure(String provider, JsonObject response, String requestId, ApiKey key) {
        JsonObject error = response.optObject("error").orElse(JsonObject.of());
        return error(provider, error.optString("code").orElse(null), error.optString("message").orElse(null),
                requestId, key).toBuilder().message("the provider reported that the response failed").build();
    }

    /** {@return the error for an error code and message reported inside a stream or a failed response} */
    static LlmException error(String provider, String code, String message, String requestId, ApiKey key) {
        JsonObject.Builder e = JsonObject.newBuilder();
        if (code != null) {
            e.put("type", code).put("code", code);
        }
        e.put("message", message != null ? message : "the response failed");
        return HttpErrors.fromStreamError(provider, JsonObject.of("error", e.build()), requestId, key);
    }

    /** {@return a string member, or null when missing, null or another kind} */
    static String text(JsonObject o, String name) {
        JsonValue v = o.get(name).orElse(null);
        return v instanceof JsonString s ? s.value() : null;
    }
}
