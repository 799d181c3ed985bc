package dev.parley.provider.openai;

import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.parley.ApiKey;
import dev.parley.ChatChunk;
import dev.parley.ReasoningBlock;
import dev.parley.ToolCallDelta;
import dev.parley.http.FrameMapper;
import dev.parley.http.HttpErrors;
import dev.parley.http.SseEvent;
import dev.parley.json.JsonAccessException;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/**
 * Turns the events of a streamed OpenAI Responses API call into {@link ChatChunk}s. The event's
 * {@code type} field names it (the SSE {@code event:} line when the field is missing):
 *
 * <ul>
 * <li>{@code response.output_text.delta}, {@code response.refusal.delta}: text and refusal deltas.</li>
 * <li>{@code response.output_item.added} of a {@code function_call}: a tool-call delta with its
 *     {@code call_id} and name; {@code response.function_call_arguments.delta}: more of its
 *     arguments. Calls are numbered densely from 0. When a call's arguments arrive only whole
 *     ({@code .done} or the item's {@code output_item.done}, as some servers send them), they are
 *     sent then.</li>
 * <li>{@code response.reasoning_summary_text.delta} and {@code response.reasoning_text.delta}:
 *     reasoning deltas (a blank line between summary parts); {@code response.output_item.done}
 *     of a {@code reasoning} item: a chunk whose {@link ChatChunk#reasoningSignature()} is the
 *     item's JSON, which closes the reasoning block as {@link ResponsesDecoder#reasoningBlock}
 *     makes it, so that it travels back on the next turn.</li>
 * <li>{@code response.completed} and {@code response.incomplete}: the last chunk, with the finish
 *     reason and usage; they end the stream. {@code response.failed} and {@code error} fail it
 *     with the provider's error.</li>
 * <li>Lifecycle events that carry nothing for a chunk ({@code response.created},
 *     {@code response.in_progress}, {@code .added}/{@code .done} of parts, {@code .done} of
 *     texts...) give no chunk. Any other event (web search, file search, code interpreter or
 *     image generation progress, text annotations such as citations, or a type this code does
 *     not know) gives an otherwise empty
 *     chunk that keeps the event in {@link ChatChunk#raw()}: nothing is lost, nothing fails.</li>
 * </ul>
 * There is no {@code [DONE]}: a body that ends before {@code response.completed},
 * {@code response.incomplete} or {@code response.failed} is a cut stream.
 *
 * <p>One instance per stream, called by one thread at a time.
 */
final class ResponsesStreamMapper implements FrameMapper<SseEvent, ChatChunk> {

    /** Events that carry nothing a chunk holds. */
    private static final Set<String> QUIET = Set.of(
            "response.created", "response.in_progress", "response.queued",
            "response.content_part.added", "response.content_part.done",
            "response.output_text.done", "response.refusal.done",
            "response.reasoning_summary_part.done", "response.reasoning_summary_text.done",
            "response.reasoning_text.done");

    private final String provider;
    private final String requestId;
    private final HttpHeaders headers;
    private final ApiKey key;
    private final List<Call> calls = new ArrayList<>();
    private String id;
    private String model;

    /**
     * A function call of this stream: its dense index, where it is in the output, and whether any
     * of its arguments were sent.
     */
    private static final class Call {
        final int index;
        final Integer outputIndex;
        final String itemId;
        boolean argumentsSent;

        Call(int index, Integer outputIndex, String itemId) {
            this.index = index;
            this.outputIndex = outputIndex;
            this.itemId = itemId;
        }
    }

    ResponsesStreamMapper(String provider, HttpHeaders headers, ApiKey key) {
        this.provider = provider;
        this.requestId = HttpErrors.requestId(headers);
        this.headers = headers;
        this.key = key;
    }

    @Override
    public void map(SseEvent event, Output<ChatChunk> out) {
        JsonValue value = event.parseJson();
        if (!(value instanceof JsonObject e)) {
            throw new JsonAccessException("", "expected a Responses stream event object, got " + value.kind());
        }
        String type = e.optString("type").orElse(event.type());
        switch (type) {
            case "response.output_text.delta" -> out.emit(chunk(e).textDelta(e.optString("delta").orElse("")).build());
            case "response.refusal.delta" -> out.emit(chunk(e).refusalDelta(e.optString("delta").orElse("")).build());
            case "response.reasoning_summary_text.delta", "response.reasoning_text.delta" ->
                    out.emit(chunk(e).reasoningDelta(e.optString("delta").orElse("")).build());
            case "response.reasoning_summary_part.added" -> {
                if (e.optInt("summary_index").orElse(0) > 0) {
                    out.emit(chunk(e).reasoningDelta("\n\n").build());
                }
            }
            case "response.output_item.added" -> itemAdded(e, out);
            case "response.function_call_arguments.delta" -> {
                Call call = call(e);
                String delta = e.optString("delta").orElse("");
                if (call != null && !delta.isEmpty()) {
                    call.argumentsSent = true;
                    out.emit(chunk(e).toolCalls(List.of(new ToolCallDelta(call.index, null, null, delta))).build());
                }
            }
            case "response.function_call_arguments.done" -> wholeArguments(call(e), e.optString("arguments").orElse(""), e, out);
            case "response.output_item.done" -> itemDone(e, out);
            case "response.completed", "response.incomplete" -> {
                JsonObject response = e.optObject("response").orElse(JsonObject.of());
                remember(response);
                String raw = ResponsesDecoder.rawFinishReason(response);
                out.emit(chunk(e).rawFinishReason(raw)
                        .finishReason(ResponsesDecoder.finishReason(raw, !calls.isEmpty()))
                        .usage(ResponsesDecoder.usage(response.optObject("usage").orElse(null)))
                        .build());
                out.end();
            }
            case "response.failed" -> throw ResponsesDecoder.error(provider,
                    e.optObject("response").flatMap(r -> r.optObject("error")).flatMap(x -> x.optString("code")).orElse(null),
                    e.optObject("response").flatMap(r -> r.optObject("error")).flatMap(x -> x.optString("message")).orElse(null),
                    requestId, key);
            case "error" -> {
                JsonObject error = e.optObject("error").orElse(e);
                throw ResponsesDecoder.error(provider, ResponsesDecoder.text(error, "code"),
                        ResponsesDecoder.text(error, "message"), requestId, key);
            }
            default -> {
                if (type.equals("response.created") || type.equals("response.in_progress")) {
                    remember(e.optObject("response").orElse(JsonObject.of()));
                } else if (!QUIET.contains(type)) {
                    out.emit(chunk(e).build());
                }
            }
        }
    }

    private void remember(JsonObject response) {
        id = response.optString("id").orElse(id);
        model = response.optString("model").orElse(model);
    }

    private void itemAdded(JsonObject e, Output<ChatChunk> out) {
        JsonObject item = e.optObject("item").orElse(JsonObject.of());
        if (!"function_call".equals(item.optString("type").orElse(null))) {
            return;
        }
        String arguments = item.optString("arguments").orElse("");
        Call call = new Call(calls.size(), e.optInt("output_index").isPresent() ? e.optInt("output_index").getAsInt() : null,
                item.optString("id").orElse(null));
        call.argumentsSent = !arguments.isEmpty();
        calls.add(call);
        out.emit(chunk(e).toolCalls(List.of(new ToolCallDelta(call.index,
                item.optString("call_id").orElse(item.optString("id").orElse(null)),
                item.optString("name").orElse(""), arguments))).build());
    }

    private void itemDone(JsonObject e, Output<ChatChunk> out) {
        JsonObject item = e.optObject("item").orElse(JsonObject.of());
        switch (item.optString("type").orElse("")) {
            case "reasoning" -> {
                ReasoningBlock block = ResponsesDecoder.reasoningBlock(item);
                out.emit(chunk(e).reasoningSignature(block.signature()).build());
            }
            case "function_call" -> wholeArguments(call(e), item.optString("arguments").orElse(""), e, out);
            default -> { }
        }
    }

    /** Sends a call's arguments when they arrive whole and none were sent in pieces. */
    private void wholeArguments(Call call, String arguments, JsonObject e, Output<ChatChunk> out) {
        if (call != null && !call.argumentsSent && !arguments.isEmpty()) {
            call.argumentsSent = true;
            out.emit(chunk(e).toolCalls(List.of(new ToolCallDelta(call.index, null, null, arguments))).build());
        }
    }

    /** {@return the call an event is about, by its {@code output_index} or else its {@code item_id}, or null} */
    private Call call(JsonObject e) {
        Integer index = e.optInt("output_index").isPresent() ? e.optInt("output_index").getAsInt() : null;
        String itemId = e.optString("item_id").orElse(null);
        if (itemId == null) {
            itemId = e.optObject("item").flatMap(i -> i.optString("id")).orElse(null);
        }
        for (Call c : calls) {
            if (index != null && index.equals(c.outputIndex)) {
                return c;
            }
        }
        for (Call c : calls) {
            if (itemId != null && itemId.equals(c.itemId)) {
                return c;
            }
        }
        return null;
    }

    private ChatChunk.Builder chunk(JsonObject event) {
        return ChatChunk.newBuilder().id(id).model(model).requestId(requestId).headers(headers)
                .provider(provider).raw(event);
    }
}
