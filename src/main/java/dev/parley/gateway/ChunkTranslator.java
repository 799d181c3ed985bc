package dev.parley.gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.parley.ChatChunk;
import dev.parley.FinishReason;
import dev.parley.ToolCallDelta;
import dev.parley.Usage;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Turns one upstream stream of {@link ChatChunk}s into OpenAI {@code chat.completion.chunk}
 * objects, in the order OpenAI sends them: a first chunk with the role, then content,
 * {@code reasoning_content}, refusal and {@code tool_calls} deltas, a finish chunk with an empty
 * delta, then (when the client asked for {@code stream_options.include_usage}) a usage chunk
 * with {@code "choices": []}. With include_usage every other chunk carries
 * {@code "usage": null}, as OpenAI's do.
 *
 * <p>Tool-call indexes are renumbered densely from 0 in order of first appearance: providers
 * number them their own way (Anthropic counts content blocks, so a tool call after text is
 * index 1) and OpenAI clients index an array with them.
 *
 * <p>Not thread-safe: one instance per stream, fed by one thread.
 */
final class ChunkTranslator {

    private final String id;
    private final long created;
    private final String model;
    private final boolean includeUsage;
    private final Map<Integer, Integer> toolIndexes = new HashMap<>();
    private boolean started;
    private boolean finished;
    private FinishReason finishReason;
    private String rawFinishReason;
    private Usage usage;

    ChunkTranslator(String id, long created, String model, boolean includeUsage) {
        this.id = id;
        this.created = created;
        this.model = model;
        this.includeUsage = includeUsage;
    }

    /** {@return the chunks to send for one upstream chunk; possibly none} */
    List<JsonObject> translate(ChatChunk c) {
        List<JsonObject> out = new ArrayList<>(3);
        start(out);
        if (c.usage() != null) {
            usage = c.usage();
        }
        JsonObject.Builder delta = JsonObject.newBuilder();
        if (!c.reasoningDelta().isEmpty()) {
            delta.put("reasoning_content", c.reasoningDelta());
        }
        if (!c.textDelta().isEmpty()) {
            delta.put("content", c.textDelta());
        }
        if (!c.refusalDelta().isEmpty()) {
            delta.put("refusal", c.refusalDelta());
        }
        if (!c.toolCalls().isEmpty()) {
            JsonArray.Builder calls = JsonArray.newBuilder();
            for (ToolCallDelta d : c.toolCalls()) {
                calls.add(toolCall(d));
            }
            delta.put("tool_calls", calls.build());
        }
        JsonObject d = delta.build();
        if (!d.isEmpty() && !finished) {
            out.add(chunk(d, null));
        }
        if (c.finishReason() != null || c.rawFinishReason() != null) {
            finishReason = c.finishReason();
            rawFinishReason = c.rawFinishReason();
            finish(out);
        }
        return out;
    }

    /** {@return the chunks that end the stream: the finish chunk if not yet sent, and the usage chunk if asked for} */
    List<JsonObject> end() {
        List<JsonObject> out = new ArrayList<>(3);
        start(out);
        finish(out);
        if (includeUsage) {
            out.add(JsonObject.newBuilder()
                    .put("id", id)
                    .put("object", "chat.completion.chunk")
                    .put("created", created)
                    .put("model", model)
                    .put("choices", JsonArray.of())
                    .put("usage", OpenAiWire.usage(usage != null ? usage : Usage.ZERO))
                    .build());
        }
        return out;
    }

    private void start(List<JsonObject> out) {
        if (!started) {
            started = true;
            out.add(chunk(JsonObject.newBuilder().put("role", "assistant").put("content", "")
                    .put("refusal", JsonNull.INSTANCE).build(), null));
        }
    }

    private void finish(List<JsonObject> out) {
        if (!finished) {
            finished = true;
            out.add(chunk(JsonObject.of(), OpenAiWire.finishReason(finishReason, rawFinishReason, !toolIndexes.isEmpty())));
        }
    }

    private JsonObject toolCall(ToolCallDelta d) {
        Integer index = toolIndexes.get(d.index());
        JsonObject.Builder call = JsonObject.newBuilder();
        JsonObject.Builder fn = JsonObject.newBuilder();
        if (index == null) {
            index = toolIndexes.size();
            toolIndexes.put(d.index(), index);
            call.put("index", index);
            call.put("id", d.id() != null ? d.id() : "call_" + index);
            call.put("type", "function");
            fn.put("name", d.name() != null ? d.name() : "");
        } else {
            call.put("index", index);
            if (d.id() != null) {
                call.put("id", d.id());
            }
            if (d.name() != null) {
                fn.put("name", d.name());
            }
        }
        fn.put("arguments", d.argumentsDelta());
        return call.put("function", fn.build()).build();
    }

    private JsonObject chunk(JsonObject delta, String finish) {
        JsonObject choice = JsonObject.newBuilder()
                .put("index", 0)
                .put("delta", delta)
                .put("logprobs", JsonNull.INSTANCE)
                .put("finish_reason", finish == null ? JsonNull.INSTANCE : (JsonValue) JsonString.of(finish))
                .build();
        JsonObject.Builder b = JsonObject.newBuilder()
                .put("id", id)
                .put("object", "chat.completion.chunk")
                .put("created", created)
                .put("model", model)
                .put("choices", JsonArray.of(choice));
        if (includeUsage) {
            b.put("usage", JsonNull.INSTANCE);
        }
        return b.build();
    }

    /** {@return the usage the upstream reported so far, or null if it reported none} */
    Usage usage() {
        return usage;
    }
}
