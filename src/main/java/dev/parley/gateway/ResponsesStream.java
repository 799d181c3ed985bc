package dev.parley.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.parley.ChatChunk;
import dev.parley.FinishReason;
import dev.parley.ReasoningBlock;
import dev.parley.ToolCallDelta;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Writes one upstream stream of {@link ChatChunk}s as the Responses API's typed Server-Sent
 * Events, in the order OpenAI sends them: {@code response.created} and
 * {@code response.in_progress}; then per output item {@code response.output_item.added}, its
 * parts and deltas ({@code response.reasoning_summary_part.added} and
 * {@code response.reasoning_summary_text.delta}; {@code response.content_part.added} and
 * {@code response.output_text.delta} or {@code response.refusal.delta};
 * {@code response.function_call_arguments.delta}) and their {@code .done} events; and last
 * {@code response.completed} (or {@code response.incomplete} when the model was cut short) with
 * the whole response and its usage. Every event has a {@code sequence_number} from 0; item
 * events carry {@code output_index} and {@code item_id}.
 *
 * <p>Reasoning and message items are closed when the next item begins; function calls, whose
 * fragments a provider may interleave, are closed at the end. A failure after the stream began
 * is an {@code error} event, as OpenAI sends it.
 *
 * <p>Not thread-safe: one instance per stream, fed by one thread.
 */
final class ResponsesStream implements ChatHandler.StreamFormat {

    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ResponsesWire.Head head;
    private final List<Item> items = new ArrayList<>();
    private final Map<Integer, Item> calls = new HashMap<>();
    private Item current;
    private OutputStream out;
    private int sequence;
    private boolean started;
    private FinishReason finish;
    private Usage usage;

    /** One output item being streamed. */
    private static final class Item {
        final int index;
        final String id;
        final String type;
        final StringBuilder text = new StringBuilder();
        StringBuilder refusal;
        int textPart = -1;
        int refusalPart = -1;
        int parts;
        String callId;
        String name;
        /** A reasoning item's final form, once its block is known. */
        JsonObject done;
        boolean closed;

        Item(int index, String id, String type) {
            this.index = index;
            this.id = id;
            this.type = type;
        }
    }

    ResponsesStream(ResponsesWire.Head head) {
        this.head = head;
    }

    /** {@return the usage the stream reported, or null if none came} */
    Usage usage() {
        return usage;
    }

    @Override
    public void chunk(ChatChunk c, OutputStream out) throws IOException {
        this.out = out;
        start();
        if (c.usage() != null) {
            usage = c.usage();
        }
        if (c.finishReason() != null) {
            finish = c.finishReason();
        }
        if (!c.reasoningDelta().isEmpty()) {
            Item r = reasoning(c);
            if (r.text.isEmpty()) {
                emit("response.reasoning_summary_part.added", itemEvent(r).put("summary_index", 0)
                        .put("part", ResponsesWire.summaryPart("")));
            }
            r.text.append(c.reasoningDelta());
            emit("response.reasoning_summary_text.delta", itemEvent(r).put("summary_index", 0)
                    .put("delta", c.reasoningDelta()));
        }
        if (c.reasoningSignature() != null) {
            Item r = reasoning(c);
            closeReasoning(r, new ReasoningBlock(r.text.toString(), c.reasoningSignature(), null));
        }
        if (c.redactedReasoning() != null) {
            closeCurrent();
            Item r = reasoning(c);
            closeReasoning(r, new ReasoningBlock("", null, c.redactedReasoning()));
        }
        if (!c.textDelta().isEmpty()) {
            Item m = message();
            if (m.textPart < 0) {
                m.textPart = m.parts++;
                emit("response.content_part.added", itemEvent(m).put("content_index", m.textPart)
                        .put("part", ResponsesWire.textPart("")));
            }
            m.text.append(c.textDelta());
            emit("response.output_text.delta", itemEvent(m).put("content_index", m.textPart)
                    .put("delta", c.textDelta()).put("logprobs", JsonArray.of()));
        }
        if (!c.refusalDelta().isEmpty()) {
            Item m = message();
            if (m.refusalPart < 0) {
                m.refusalPart = m.parts++;
                m.refusal = new StringBuilder();
                emit("response.content_part.added", itemEvent(m).put("content_index", m.refusalPart)
                        .put("part", ResponsesWire.refusalPart("")));
            }
            m.refusal.append(c.refusalDelta());
            emit("response.refusal.delta", itemEvent(m).put("content_index", m.refusalPart)
                    .put("delta", c.refusalDelta()));
        }
        for (ToolCallDelta d : c.toolCalls()) {
            Item call = calls.get(d.index());
            if (call == null) {
                closeCurrent();
                call = add("function_call", OpenAiWire.newId("fc_"));
                call.callId = d.id() != null ? d.id() : "call_" + calls.size();
                call.name = d.name() != null ? d.name() : "";
                calls.put(d.index(), call);
                emit("response.output_item.added", JsonObject.newBuilder().put("output_index", call.index)
                        .put("item", ResponsesWire.functionCallItem(call.id, call.callId, call.name, "", false)));
            }
            if (!d.argumentsDelta().isEmpty()) {
                call.text.append(d.argumentsDelta());
                emit("response.function_call_arguments.delta", itemEvent(call).put("delta", d.argumentsDelta()));
            }
        }
    }

    @Override
    public void complete(OutputStream out) throws IOException {
        this.out = out;
        start();
        closeCurrent();
        for (Item item : items) {
            if (!item.closed && item.type.equals("function_call")) {
                item.closed = true;
                emit("response.function_call_arguments.done", itemEvent(item).put("arguments", item.text.toString()));
                emit("response.output_item.done", JsonObject.newBuilder().put("output_index", item.index)
                        .put("item", finalItem(item)));
            }
        }
        JsonArray.Builder output = JsonArray.newBuilder();
        items.forEach(i -> output.add(finalItem(i)));
        String status = ResponsesWire.status(finish);
        emit(status.equals("completed") ? "response.completed" : "response.incomplete", JsonObject.newBuilder()
                .put("response", ResponsesWire.response(head, status, finish, output.build(),
                        usage != null ? usage : Usage.ZERO)));
    }

    @Override
    public void fail(ApiError error, OutputStream out) throws IOException {
        this.out = out;
        emit("error", JsonObject.newBuilder()
                .put("code", error.code != null ? JsonString.of(error.code) : orNull(error.type))
                .put("message", error.getMessage())
                .put("param", orNull(error.param)));
    }

    private static JsonValue orNull(String s) {
        return s == null ? JsonNull.INSTANCE : JsonString.of(s);
    }

    private void start() throws IOException {
        if (!started) {
            started = true;
            JsonObject response = ResponsesWire.response(head, "in_progress", null, JsonArray.of(), null);
            emit("response.created", JsonObject.newBuilder().put("response", response));
            emit("response.in_progress", JsonObject.newBuilder().put("response", response));
        }
    }

    /** {@return the open reasoning item, or a new one}: its id is the upstream's own when a Responses upstream names it */
    private Item reasoning(ChatChunk c) throws IOException {
        if (current != null && current.type.equals("reasoning")) {
            return current;
        }
        closeCurrent();
        Item r = add("reasoning", upstreamReasoningId(c));
        current = r;
        emit("response.output_item.added", JsonObject.newBuilder().put("output_index", r.index)
                .put("item", JsonObject.newBuilder().put("id", r.id).put("type", "reasoning")
                        .put("summary", JsonArray.of()).build()));
        return r;
    }

    /**
     * {@return the id of the reasoning item a Responses-mode upstream is streaming}, from the
     * chunk's raw event ({@code item_id}, or {@code item.id}), so that the added and done events
     * name the item the upstream will want back; else a new id
     */
    private static String upstreamReasoningId(ChatChunk c) {
        JsonObject raw = c.raw();
        if (raw != null && raw.optString("type").orElse("").startsWith("response.")) {
            JsonValue id = raw.get("item_id").orElse(null);
            if (id == null) {
                id = raw.optObject("item").flatMap(i -> i.get("id")).orElse(null);
            }
            if (id instanceof JsonString s && s.value().startsWith("rs_")) {
                return s.value();
            }
        }
        return OpenAiWire.newId("rs_");
    }

    private void closeReasoning(Item r, ReasoningBlock block) throws IOException {
        r.done = ResponsesWire.reasoningItem(block, r.id);
        close(r);
    }

    private Item message() throws IOException {
        if (current != null && current.type.equals("message")) {
            return current;
        }
        closeCurrent();
        Item m = add("message", OpenAiWire.newId("msg_"));
        current = m;
        emit("response.output_item.added", JsonObject.newBuilder().put("output_index", m.index)
                .put("item", JsonObject.newBuilder().put("id", m.id).put("type", "message").put("status", "in_progress")
                        .put("content", JsonArray.of()).put("role", "assistant").build()));
        return m;
    }

    private Item add(String type, String id) {
        Item item = new Item(items.size(), id, type);
        items.add(item);
        return item;
    }

    private void closeCurrent() throws IOException {
        if (current != null) {
            Item c = current;
            if (c.type.equals("reasoning") && c.done == null) {
                c.done = ResponsesWire.reasoningItem(ReasoningBlock.of(c.text.toString()), c.id);
            }
            close(c);
        }
    }

    /** Sends the done events of a reasoning or message item. */
    private void close(Item item) throws IOException {
        if (item.closed) {
            return;
        }
        item.closed = true;
        if (current == item) {
            current = null;
        }
        if (item.type.equals("reasoning") && !item.text.isEmpty()) {
            emit("response.reasoning_summary_text.done", itemEvent(item).put("summary_index", 0)
                    .put("text", item.text.toString()));
            emit("response.reasoning_summary_part.done", itemEvent(item).put("summary_index", 0)
                    .put("part", ResponsesWire.summaryPart(item.text.toString())));
        }
        if (item.type.equals("message")) {
            if (item.textPart >= 0) {
                emit("response.output_text.done", itemEvent(item).put("content_index", item.textPart)
                        .put("text", item.text.toString()).put("logprobs", JsonArray.of()));
                emit("response.content_part.done", itemEvent(item).put("content_index", item.textPart)
                        .put("part", ResponsesWire.textPart(item.text.toString())));
            }
            if (item.refusalPart >= 0) {
                emit("response.refusal.done", itemEvent(item).put("content_index", item.refusalPart)
                        .put("refusal", item.refusal.toString()));
                emit("response.content_part.done", itemEvent(item).put("content_index", item.refusalPart)
                        .put("part", ResponsesWire.refusalPart(item.refusal.toString())));
            }
        }
        emit("response.output_item.done", JsonObject.newBuilder().put("output_index", item.index)
                .put("item", finalItem(item)));
    }

    private static JsonObject finalItem(Item item) {
        return switch (item.type) {
            case "reasoning" -> item.done != null ? item.done
                    : ResponsesWire.reasoningItem(ReasoningBlock.of(item.text.toString()), item.id);
            case "message" -> messageItem(item);
            default -> ResponsesWire.functionCallItem(item.id, item.callId, item.name, item.text.toString(), true);
        };
    }

    /** {@return the message item with its parts in the order they began} */
    private static JsonObject messageItem(Item m) {
        JsonObject[] parts = new JsonObject[m.parts];
        if (m.textPart >= 0) {
            parts[m.textPart] = ResponsesWire.textPart(m.text.toString());
        }
        if (m.refusalPart >= 0) {
            parts[m.refusalPart] = ResponsesWire.refusalPart(m.refusal.toString());
        }
        return JsonObject.newBuilder().put("id", m.id).put("type", "message").put("status", "completed")
                .put("content", JsonArray.of(parts)).put("role", "assistant").build();
    }

    private static JsonObject.Builder itemEvent(Item item) {
        return JsonObject.newBuilder().put("item_id", item.id).put("output_index", item.index);
    }

    /** Writes one event: its type first in the data, then the sequence number, then the fields. */
    private void emit(String type, JsonObject.Builder fields) throws IOException {
        JsonObject.Builder data = JsonObject.newBuilder().put("type", type).put("sequence_number", sequence++);
        for (Map.Entry<String, JsonValue> e : fields.build().members().entrySet()) {
            data.put(e.getKey(), e.getValue());
        }
        out.write(EVENT);
        out.write(type.getBytes(StandardCharsets.US_ASCII));
        out.write(DATA);
        out.write(Json.writeBytes(data.build()));
        out.write(END);
    }
}
