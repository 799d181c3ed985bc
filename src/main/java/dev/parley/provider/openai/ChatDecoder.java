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
import dev.parley.internal.JsonCursor;
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
                .requestId(requestId).raw(event).build();
        return chunk.isEmpty() ? null : chunk;
    }

    /**
     * Like {@link #chunk(Dialect, JsonObject, String)}, from the event's bytes without a tree of
     * them: the same chunk (its {@code raw} parsed from {@code c}'s bytes when asked for), or
     * null, for every event it reads. An event it does not read throws {@link JsonCursor.Bail}
     * and is left to the other method: malformed text, an error, a value of an unexpected type.
     *
     * @param c         a cursor reset to the event's bytes
     * @param b         builds the chunk; every value it has is set again, so one can serve a whole stream
     * @param lastId    the previous chunk's id, returned again if equal; may be null
     * @param lastModel the previous chunk's model, returned again if equal; may be null
     */
    static ChatChunk chunk(Dialect dialect, JsonCursor c, ChatChunk.Builder b, String requestId, String lastId,
                           String lastModel) {
        String id = null;
        String model = null;
        Usage usage = null;
        boolean found = false;
        String text = null;
        String reasoning = null;
        String refusal = null;
        String finish = null;
        List<ToolCallDelta> deltas = List.of();
        c.beginObject();
        if (!c.closed('}')) {
            do {
                c.key();
                if (c.keyIs("choices")) {
                    found = false;
                    text = reasoning = refusal = finish = null;
                    deltas = List.of();
                    if (c.isNull()) {
                        continue;
                    }
                    c.beginArray();
                    if (c.closed(']')) {
                        continue;
                    }
                    do {
                        int index = 0;
                        String t = null;
                        String r = null;
                        String alternative = null;
                        String rf = null;
                        String fin = null;
                        List<ToolCallDelta> ds = List.of();
                        c.beginObject();
                        if (!c.closed('}')) {
                            do {
                                c.key();
                                if (c.keyIs("delta")) {
                                    t = r = alternative = rf = null;
                                    ds = List.of();
                                    if (c.isNull()) {
                                        continue;
                                    }
                                    c.beginObject();
                                    if (c.closed('}')) {
                                        continue;
                                    }
                                    do {
                                        c.key();
                                        if (c.keyIs("content")) {
                                            t = c.string();
                                        } else if (c.keyIs("reasoning_content")) {
                                            r = c.string();
                                        } else if (c.keyIs("refusal")) {
                                            rf = c.string();
                                        } else if (c.keyIs("reasoning")) {
                                            // Read only from a string, and only for compatible servers.
                                            boolean read = dialect == Dialect.COMPATIBLE && c.peek() == '"';
                                            alternative = read ? c.string() : null;
                                            if (!read) {
                                                c.skip();
                                            }
                                        } else if (c.keyIs("tool_calls")) {
                                            ds = c.isNull() ? List.of() : c.peek() == '['
                                                    ? toolCallDeltas((JsonArray) c.value()) : JsonCursor.bail();
                                        } else {
                                            c.skip();
                                        }
                                    } while (c.next('}'));
                                } else if (c.keyIs("index")) {
                                    index = c.intOr(0);
                                } else if (c.keyIs("finish_reason")) {
                                    fin = c.string();
                                } else {
                                    c.skip();
                                }
                            } while (c.next('}'));
                        }
                        if (index == 0 && !found) {
                            found = true;
                            text = t;
                            reasoning = r != null ? r : alternative;
                            refusal = rf;
                            deltas = ds;
                            finish = fin;
                        }
                    } while (c.next(']'));
                } else if (c.keyIs("id")) {
                    id = c.string(lastId);
                } else if (c.keyIs("model")) {
                    model = c.string(lastModel);
                } else if (c.keyIs("usage")) {
                    usage = c.isNull() ? null : c.peek() == '{' ? usage((JsonObject) c.value()) : JsonCursor.bail();
                } else if (c.keyIs("error")) {
                    if (!c.isNull()) {
                        JsonCursor.bail(); // perhaps an error: the tree decides
                    }
                } else if (c.keyIs("object")) {
                    if (c.stringIs("error")) {
                        JsonCursor.bail();
                    }
                } else {
                    c.skip();
                }
            } while (c.next('}'));
        }
        c.end();
        ChatChunk chunk = b.textDelta(text).reasoningDelta(reasoning).reasoningSignature(null).redactedReasoning(null)
                .toolCalls(deltas).finishReason(FinishReason.fromWire(finish)).rawFinishReason(finish)
                .refusalDelta(refusal).usage(usage).id(id).model(model).requestId(requestId).rawJson(c.bytes()).build();
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

    private static List<ToolCallDelta> toolCallDeltas(JsonArray calls) {
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
