package dev.parley.gateway;

import java.util.Base64;

import dev.parley.ChatResponse;
import dev.parley.FinishReason;
import dev.parley.ReasoningBlock;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonBoolean;
import dev.parley.json.JsonException;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Writes Parley's results in the shapes of OpenAI's Responses API: the {@code response} object
 * and its output items ({@code reasoning}, {@code message}, {@code function_call}). The streamed
 * events are in {@link ResponsesStream}. Stateless and thread-safe.
 */
final class ResponsesWire {

    private ResponsesWire() {
    }

    /** The identity of one response: its id, creation time, model and the request it answers. */
    record Head(String id, long createdAt, String model, JsonObject request) {
    }

    /**
     * {@return a {@code response} object}, echoing the request's settings as OpenAI does
     *
     * @param head   the response's identity
     * @param status {@code in_progress}, {@code completed} or {@code incomplete}
     * @param finish why the model stopped, for the incomplete details; may be null
     * @param output the output items
     * @param usage  the usage, or null while in progress
     */
    static JsonObject response(Head head, String status, FinishReason finish, JsonArray output, Usage usage) {
        JsonObject q = head.request();
        JsonValue incomplete = JsonNull.INSTANCE;
        if (status.equals("incomplete")) {
            incomplete = JsonObject.of("reason", JsonString.of(finish == FinishReason.CONTENT_FILTER
                    ? "content_filter" : "max_output_tokens"));
        }
        return JsonObject.newBuilder()
                .put("id", head.id())
                .put("object", "response")
                .put("created_at", head.createdAt())
                .put("status", status)
                .put("background", false)
                .put("error", JsonNull.INSTANCE)
                .put("incomplete_details", incomplete)
                .put("instructions", echo(q, "instructions"))
                .put("max_output_tokens", echo(q, "max_output_tokens"))
                .put("model", head.model())
                .put("output", output)
                .put("parallel_tool_calls", q.get("parallel_tool_calls").orElse(JsonBoolean.TRUE))
                .put("previous_response_id", JsonNull.INSTANCE)
                .put("reasoning", q.optObject("reasoning").orElse(JsonObject.of("effort", JsonNull.INSTANCE,
                        "summary", JsonNull.INSTANCE)))
                .put("store", false)
                .put("temperature", echo(q, "temperature"))
                .put("text", q.optObject("text").orElse(JsonObject.of("format",
                        JsonObject.of("type", JsonString.of("text")))))
                .put("tool_choice", q.get("tool_choice").orElse(JsonString.of("auto")))
                .put("tools", q.optArray("tools").orElse(JsonArray.of()))
                .put("top_p", echo(q, "top_p"))
                .put("truncation", "disabled")
                .put("usage", usage == null ? JsonNull.INSTANCE : usage(usage))
                .put("user", echo(q, "user"))
                .put("metadata", q.optObject("metadata").orElse(JsonObject.of()))
                .build();
    }

    private static JsonValue echo(JsonObject request, String name) {
        return request.get(name).orElse(JsonNull.INSTANCE);
    }

    /** {@return the whole answer to a non-streamed request} */
    static JsonObject response(Head head, ChatResponse r) {
        JsonArray.Builder output = JsonArray.newBuilder();
        for (ReasoningBlock b : r.reasoning()) {
            output.add(reasoningItem(b, OpenAiWire.newId("rs_")));
        }
        if (!r.text().isEmpty() || r.refusal() != null) {
            output.add(messageItem(OpenAiWire.newId("msg_"), r.text(), r.refusal()));
        }
        for (ToolCall c : r.toolCalls()) {
            output.add(functionCallItem(OpenAiWire.newId("fc_"), c.id(), c.name(), c.arguments(), true));
        }
        return response(head, status(r.finishReason()), r.finishReason(), output.build(), r.usage());
    }

    /** {@return {@code incomplete} when the model was cut short, else {@code completed}} */
    static String status(FinishReason finish) {
        return finish == FinishReason.LENGTH || finish == FinishReason.CONTENT_FILTER ? "incomplete" : "completed";
    }

    /** {@return the Responses usage object} */
    static JsonObject usage(Usage u) {
        long total = u.totalTokens() > 0 ? u.totalTokens() : u.inputTokens() + u.outputTokens();
        return JsonObject.newBuilder()
                .put("input_tokens", u.inputTokens())
                .put("input_tokens_details", JsonObject.of("cached_tokens", JsonNumber.of(u.cachedInputTokens())))
                .put("output_tokens", u.outputTokens())
                .put("output_tokens_details", JsonObject.of("reasoning_tokens", JsonNumber.of(u.reasoningTokens())))
                .put("total_tokens", total)
                .build();
    }

    /**
     * {@return the reasoning item for a block}: an OpenAI Responses item the block carries
     * (from a Responses-mode upstream), exactly as it came; else a new item whose summary is the
     * block's text and whose {@code encrypted_content} is the whole block, so that a client
     * sending the item back gives the upstream the same block (Anthropic's signed thinking, say)
     *
     * @param block the block
     * @param id    the id for a new item
     */
    static JsonObject reasoningItem(ReasoningBlock block, String id) {
        JsonObject carried = carried(block);
        if (carried != null) {
            return carried;
        }
        JsonObject.Builder whole = JsonObject.newBuilder().put("text", block.text());
        if (block.signature() != null) {
            whole.put("signature", block.signature());
        }
        if (block.redactedData() != null) {
            whole.put("redactedData", block.redactedData());
        }
        String encrypted = ResponsesRequests.OWN + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(Json.writeBytes(whole.build()));
        return JsonObject.newBuilder()
                .put("id", id)
                .put("type", "reasoning")
                .put("summary", block.text().isEmpty() ? JsonArray.of() : JsonArray.of(summaryPart(block.text())))
                .put("encrypted_content", encrypted)
                .build();
    }

    /** {@return a {@code summary_text} part} */
    static JsonObject summaryPart(String text) {
        return JsonObject.of("type", JsonString.of("summary_text"), "text", JsonString.of(text));
    }

    /** {@return the OpenAI reasoning item a block's signature holds, or null} */
    static JsonObject carried(ReasoningBlock block) {
        String s = block.signature();
        if (s == null || !s.startsWith("{")) {
            return null;
        }
        try {
            return Json.parse(s) instanceof JsonObject o && "reasoning".equals(o.stringOr("type", "")) ? o : null;
        } catch (JsonException e) {
            return null;
        }
    }

    /** {@return a completed assistant {@code message} item with an output text part and, if any, a refusal part} */
    static JsonObject messageItem(String id, String text, String refusal) {
        JsonArray.Builder content = JsonArray.newBuilder();
        if (!text.isEmpty() || refusal == null) {
            content.add(textPart(text));
        }
        if (refusal != null) {
            content.add(refusalPart(refusal));
        }
        return JsonObject.newBuilder()
                .put("id", id)
                .put("type", "message")
                .put("status", "completed")
                .put("content", content.build())
                .put("role", "assistant")
                .build();
    }

    /** {@return an {@code output_text} part} */
    static JsonObject textPart(String text) {
        return JsonObject.newBuilder().put("type", "output_text").put("annotations", JsonArray.of())
                .put("logprobs", JsonArray.of()).put("text", text).build();
    }

    /** {@return a {@code refusal} part} */
    static JsonObject refusalPart(String refusal) {
        return JsonObject.of("type", JsonString.of("refusal"), "refusal", JsonString.of(refusal));
    }

    /** {@return a {@code function_call} item} */
    static JsonObject functionCallItem(String id, String callId, String name, String arguments, boolean completed) {
        return JsonObject.newBuilder()
                .put("id", id)
                .put("type", "function_call")
                .put("status", completed ? "completed" : "in_progress")
                .put("arguments", arguments)
                .put("call_id", callId)
                .put("name", name)
                .build();
    }
}
