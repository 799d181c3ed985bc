package dev.parley.provider.openai;

import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

import dev.parley.ChatChunk;
import dev.parley.ChatResponse;
import dev.parley.FinishReason;
import dev.parley.ReasoningBlock;
import dev.parley.ToolCall;
import dev.parley.ToolCallDelta;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.json.JsonAccessException;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Reads chat completions and stream chunks. Shapes it does not expect fail with a
 * {@link JsonAccessException} naming the path, which the adapter reports as a provider error.
 * Stateless and thread-safe.
 */
final class ChatDecoder {

    private ChatDecoder() {
    }

    /**
     * {@return the response for a {@code chat.completion} body}; only the first choice is read
     *
     * @param dialect       the server family
     * @param provider      the provider's name
     * @param body          the body
     * @param fallbackModel the requested model, for a body that does not name one
     * @param headers       the response headers
     * @param requestId     the request id from the headers, or null
     */
    static ChatResponse response(Dialect dialect, String provider, JsonObject body, String fallbackModel,
                                 HttpHeaders headers, String requestId) {
        JsonArray choices = body.array("choices");
        if (choices.isEmpty()) {
            throw new JsonAccessException("choices", "empty: the response has no answer");
        }
        JsonObject choice = choices.object(0);
        JsonObject message = choice.object("message");
        String reasoning = reasoning(dialect, message);
        return ChatResponse.newBuilder()
                .id(body.optString("id").orElse(null))
                .model(body.optString("model").orElse(fallbackModel))
                .provider(provider)
                .text(message.stringOr("content", ""))
                .reasoning(reasoning == null || reasoning.isEmpty() ? List.of() : List.of(ReasoningBlock.of(reasoning)))
                .toolCalls(toolCalls(message.optArray("tool_calls").orElse(JsonArray.of())))
                .refusal(message.optString("refusal").orElse(null))
                .finishReason(choice.optString("finish_reason").orElse(null))
                .usage(usage(body, Usage.ZERO))
                .requestId(requestId)
                .headers(headers)
                .raw(body)
                .build();
    }

    /**
     * {@return the chunk for a {@code chat.completion.chunk} event, or null when it carries
     * nothing (the role-only first chunk, say)}; only the choice with index 0 is read
     */
    static ChatChunk chunk(Dialect dialect, JsonObject event, String requestId) {
        return chunk(dialect, event, requestId, null, null);
    }

    /** Like {@link #chunk(Dialect, JsonObject, String)}, with the stream's HTTP response headers and the provider's name. */
    static ChatChunk chunk(Dialect dialect, JsonObject event, String requestId, HttpHeaders headers, String provider) {
        String text = null;
        String reasoning = null;
        String refusal = null;
        String finish = null;
        List<ToolCallDelta> deltas = List.of();
        JsonArray choices = event.optArray("choices").orElse(JsonArray.of());
        for (int i = 0; i < choices.size(); i++) {
            JsonObject choice = choices.object(i);
            if (choice.optInt("index").orElse(0) != 0) {
                continue;
            }
            JsonObject delta = choice.optObject("delta").orElse(JsonObject.of());
            text = delta.optString("content").orElse(null);
            reasoning = reasoning(dialect, delta);
            refusal = delta.optString("refusal").orElse(null);
            deltas = toolCallDeltas(delta.optArray("tool_calls").orElse(JsonArray.of()));
            finish = choice.optString("finish_reason").orElse(null);
            break;
        }
        Usage usage = usage(event, null);
        ChatChunk chunk = ChatChunk.newBuilder().textDelta(text).reasoningDelta(reasoning).toolCalls(deltas)
                .finishReason(FinishReason.fromWire(finish)).rawFinishReason(finish).refusalDelta(refusal).usage(usage)
                .id(event.optString("id").orElse(null)).model(event.optString("model").orElse(null))
                .requestId(requestId).headers(headers).provider(provider).raw(event).build();
        return chunk.isEmpty() ? null : chunk;
    }

    /**
     * {@return the token counts}: cached prompt tokens from DeepSeek's
     * {@code prompt_cache_hit_tokens} when present (it is DeepSeek's own count, and may differ
     * from the {@code prompt_tokens_details.cached_tokens} it also sends), else from
     * {@code prompt_tokens_details.cached_tokens}; reasoning tokens from
     * {@code completion_tokens_details.reasoning_tokens}
     */
    static Usage usage(JsonObject u) {
        long input = u.optLong("prompt_tokens").orElse(0);
        long output = u.optLong("completion_tokens").orElse(0);
        long total = u.optLong("total_tokens").orElseGet(() -> Usage.of(input, output).totalTokens());
        JsonObject promptDetails = u.optObject("prompt_tokens_details").orElse(null);
        long cached = u.optLong("prompt_cache_hit_tokens")
                .orElse(promptDetails == null ? 0 : promptDetails.optLong("cached_tokens").orElse(0));
        JsonObject completionDetails = u.optObject("completion_tokens_details").orElse(null);
        long reasoning = completionDetails == null ? 0 : completionDetails.optLong("reasoning_tokens").orElse(0);
        return new Usage(input, output, total, cached, 0, reasoning);
    }

    /** {@return the usage of a response or chunk, or {@code absent} when it has none} */
    private static Usage usage(JsonObject body, Usage absent) {
        JsonObject u = body.optObject("usage").orElse(null);
        return u == null ? absent : usage(u);
    }

    /**
     * {@return the reasoning text of a message or delta, or null}: DeepSeek's
     * {@code reasoning_content}, which vLLM, llama.cpp and LM Studio also use; for other
     * compatible servers also {@code reasoning} (OpenRouter, Ollama), when it is a string
     */
    private static String reasoning(Dialect dialect, JsonObject o) {
        String r = o.optString("reasoning_content").orElse(null);
        if (r == null && dialect == Dialect.COMPATIBLE && o.get("reasoning").orElse(null) instanceof JsonString s) {
            r = s.value();
        }
        return r;
    }

    private static List<ToolCall> toolCalls(JsonArray calls) {
        List<ToolCall> out = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            JsonObject call = calls.object(i);
            JsonObject function = call.object("function");
            out.add(new ToolCall(call.optString("id").orElse("call_" + i), function.string("name"),
                    arguments(function)));
        }
        return out;
    }

    static List<ToolCallDelta> toolCallDeltas(JsonArray calls) {
        if (calls.isEmpty()) {
            return List.of(); // nearly every chunk
        }
        List<ToolCallDelta> out = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            JsonObject call = calls.object(i);
            JsonObject function = call.optObject("function").orElse(JsonObject.of());
            out.add(new ToolCallDelta(call.optInt("index").orElse(i), call.optString("id").orElse(null),
                    function.optString("name").orElse(null), arguments(function)));
        }
        return out;
    }

    /** {@return the arguments text; an object (as a few compatible servers send) is written as JSON} */
    private static String arguments(JsonObject function) {
        JsonValue v = function.get("arguments").orElse(null);
        if (v instanceof JsonObject o) {
            return Json.write(o);
        }
        return function.stringOr("arguments", "");
    }
}
