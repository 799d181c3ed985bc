package dev.parley.provider.anthropic;

import java.net.http.HttpHeaders;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import dev.parley.ApiKey;
import dev.parley.ChatChunk;
import dev.parley.FinishReason;
import dev.parley.ToolCallDelta;
import dev.parley.Usage;
import dev.parley.http.FrameMapper;
import dev.parley.http.HttpErrors;
import dev.parley.http.SseEvent;
import dev.parley.http.StreamInterruptedException;
import dev.parley.internal.JsonCursor;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;

/**
 * Turns the events of one Messages stream into chunks.
 *
 * <ul>
 * <li>{@code message_start}: a chunk with the id, model and usage so far (the input counts).</li>
 * <li>{@code content_block_start}: for {@code tool_use}, a tool-call fragment with the id and
 *     name, indexed by the content block index (stable per call; text blocks count too); for
 *     {@code redacted_thinking}, a chunk with its data; initial text or thinking, if any.</li>
 * <li>{@code content_block_delta}: {@code text_delta} → text, {@code thinking_delta} →
 *     reasoning, {@code signature_delta} → the reasoning signature (closing the block),
 *     {@code input_json_delta} → more arguments.</li>
 * <li>{@code content_block_stop}: for a tool call that got no argument text at all, {@code "{}"},
 *     as the non-streaming response would say.</li>
 * <li>{@code message_delta}: the stop reason, and the full usage so far (its counts combined
 *     with those of {@code message_start}).</li>
 * <li>{@code message_stop}: the end of the stream. {@code error}: fails the stream, after the
 *     chunks before it. {@code ping} and unknown events or delta types: ignored.</li>
 * </ul>
 *
 * <p>With an answer tool (a JSON-schema response format, see {@link MessagesEncoder#answerTool}),
 * the first call of that tool is the answer: its argument fragments are text, it is no tool call,
 * and a {@code tool_use} stop reason reads as {@code end_turn}, as in {@link MessagesDecoder}.
 *
 * <p>Every chunk carries the id, model (once known) and request id, and the event as raw JSON.
 *
 * <p>Holds the state of one stream: not thread-safe, and used by one stream only (a
 * {@link dev.parley.http.DecodingPublisher} calls it from one thread at a time).
 */
final class MessagesStreamMapper implements FrameMapper<SseEvent, ChatChunk> {

    private final String provider;
    private final String requestId;
    private final HttpHeaders headers;
    private final ApiKey key;
    private final BooleanSupplier bodyEnded;
    /** Tool-use blocks by content block index: whether any argument text arrived yet. */
    private final Map<Integer, Boolean> toolBlocks = new HashMap<>();
    /** The tool that carries the answer, or null. */
    private final String answerTool;
    /** The content block index of the answer tool's call, or -1 before it starts. */
    private int answerBlock = -1;
    /** Whether the answer tool's call got any argument text. */
    private boolean answerText;
    /** Whether a tool other than the answer tool was called. */
    private boolean otherCalls;
    /** Reads text and thinking deltas without a JSON tree. */
    private final JsonCursor cursor = new JsonCursor();
    private String id;
    private String model;
    private MessagesDecoder.UsageCounts usage = MessagesDecoder.UsageCounts.NONE;

    /**
     * Creates the mapper of one stream.
     *
     * @param provider  the provider's name
     * @param headers   the response headers
     * @param key       the key to scrub from error messages
     * @param bodyEnded whether the body has ended, so that a last event that fails to parse is
     *                  reported as a cut stream
     */
    MessagesStreamMapper(String provider, HttpHeaders headers, ApiKey key, BooleanSupplier bodyEnded) {
        this(provider, headers, key, bodyEnded, null);
    }

    /**
     * Creates the mapper of one stream whose answer comes as the input of {@code answerTool}.
     *
     * @param provider   the provider's name
     * @param headers    the response headers
     * @param key        the key to scrub from error messages
     * @param bodyEnded  whether the body has ended
     * @param answerTool the tool that carries a JSON-schema answer; null for none
     */
    MessagesStreamMapper(String provider, HttpHeaders headers, ApiKey key, BooleanSupplier bodyEnded, String answerTool) {
        this.answerTool = answerTool;
        this.provider = provider;
        this.requestId = HttpErrors.requestId(headers);
        this.headers = headers;
        this.key = key;
        this.bodyEnded = bodyEnded;
    }

    @Override
    public void map(SseEvent event, Output<ChatChunk> out) throws Exception {
        if ("content_block_delta".equals(event.type()) && event.utf8() != null) {
            ChatChunk fast = textDelta(event.utf8());
            if (fast != null) {
                out.emit(fast);
                return;
            }
        }
        JsonObject data;
        try {
            data = MessagesDecoder.object(event.parseJson());
        } catch (JsonException e) {
            if (bodyEnded.getAsBoolean()) {
                throw new StreamInterruptedException("stream ended before it was complete: it stopped in the"
                        + " middle of a " + event.type() + " event", e);
            }
            throw e;
        }
        switch (data.stringOr("type", event.type())) {
            case "message_start" -> {
                JsonObject message = data.object("message");
                id = message.optString("id").orElse(null);
                model = message.optString("model").orElse(null);
                usage = MessagesDecoder.usage(message.optObject("usage").orElse(JsonObject.of()), usage);
                out.emit(chunk(null, null, null, null, null, null, usage.toUsage(), data));
            }
            case "content_block_start" -> blockStart(data.intValue("index"), data.object("content_block"), data, out);
            case "content_block_delta" -> blockDelta(data.intValue("index"), data.object("delta"), data, out);
            case "content_block_stop" -> {
                int index = data.intValue("index");
                if (index == answerBlock && !answerText) {
                    answerText = true;
                    out.emit(chunk("{}", null, null, null, null, null, null, data));
                } else if (Boolean.FALSE.equals(toolBlocks.get(index))) {
                    out.emit(chunk(null, null, null, null, new ToolCallDelta(index, null, null, "{}"), null, null, data));
                }
            }
            case "message_delta" -> {
                usage = MessagesDecoder.usage(data.optObject("usage").orElse(JsonObject.of()), usage);
                String stop = data.optObject("delta").flatMap(d -> d.optString("stop_reason")).orElse(null);
                if ("tool_use".equals(stop) && answerBlock >= 0 && !otherCalls) {
                    stop = "end_turn";
                }
                out.emit(chunk(null, null, null, null, null, stop, usage.toUsage(), data));
            }
            case "message_stop" -> out.end();
            case "error" -> throw HttpErrors.fromStreamError(provider, data, requestId, key);
            default -> {
                // "ping", and event types added after this was written.
            }
        }
    }

    private void blockStart(int index, JsonObject block, JsonObject data, Output<ChatChunk> out) {
        switch (block.string("type")) {
            case "text" -> {
                String text = block.stringOr("text", "");
                if (!text.isEmpty()) {
                    out.emit(chunk(text, null, null, null, null, null, null, data));
                }
            }
            case "thinking" -> {
                String thinking = block.stringOr("thinking", "");
                String signature = block.optString("signature").filter(s -> !s.isEmpty()).orElse(null);
                if (!thinking.isEmpty() || signature != null) {
                    out.emit(chunk(null, thinking, signature, null, null, null, null, data));
                }
            }
            case "redacted_thinking" -> out.emit(chunk(null, null, null, block.string("data"), null, null, null, data));
            case "tool_use" -> {
                if (answerBlock < 0 && block.string("name").equals(answerTool)) {
                    answerBlock = index;
                    return;
                }
                otherCalls = true;
                toolBlocks.put(index, false);
                out.emit(chunk(null, null, null, null,
                        new ToolCallDelta(index, block.string("id"), block.string("name"), ""), null, null, data));
            }
            default -> {
                // Server tool use and other blocks the application does not act on.
            }
        }
    }

    private void blockDelta(int index, JsonObject delta, JsonObject data, Output<ChatChunk> out) {
        switch (delta.string("type")) {
            case "text_delta" -> out.emit(chunk(delta.string("text"), null, null, null, null, null, null, data));
            case "thinking_delta" -> out.emit(chunk(null, delta.string("thinking"), null, null, null, null, null, data));
            case "signature_delta" -> out.emit(chunk(null, null, delta.string("signature"), null, null, null, null, data));
            case "input_json_delta" -> {
                String partial = delta.string("partial_json");
                if (index == answerBlock) {
                    if (!partial.isEmpty()) {
                        answerText = true;
                        out.emit(chunk(partial, null, null, null, null, null, null, data));
                    }
                    return;
                }
                // Only the input of a tool_use block (not a server tool's); empty fragments add nothing.
                if (toolBlocks.containsKey(index) && !partial.isEmpty()) {
                    toolBlocks.put(index, true);
                    out.emit(chunk(null, null, null, null, new ToolCallDelta(index, null, null, partial), null, null, data));
                }
            }
            default -> {
                // citations_delta and delta types added after this was written.
            }
        }
    }

    /**
     * {@return the chunk of a text or thinking delta, read without a JSON tree (most events of a
     * stream are these), or null to leave the event to the tree reader} The chunk is the one the
     * tree reader makes, its {@code raw()} parsed from the event's bytes when asked for.
     */
    private ChatChunk textDelta(byte[] utf8) {
        String deltaType = null;
        String text = null;
        String thinking = null;
        try {
            cursor.reset(utf8);
            cursor.beginObject();
            if (!cursor.closed('}')) {
                do {
                    cursor.key();
                    if (cursor.keyIs("type")) {
                        if (!cursor.stringIs("content_block_delta")) {
                            return null;
                        }
                    } else if (cursor.keyIs("delta")) {
                        cursor.beginObject();
                        if (!cursor.closed('}')) {
                            do {
                                cursor.key();
                                if (cursor.keyIs("type")) {
                                    deltaType = cursor.string();
                                } else if (cursor.keyIs("text")) {
                                    text = cursor.string();
                                } else if (cursor.keyIs("thinking")) {
                                    thinking = cursor.string();
                                } else {
                                    cursor.skip();
                                }
                            } while (cursor.next('}'));
                        }
                    } else {
                        cursor.skip(); // index, and fields added later
                    }
                } while (cursor.next('}'));
            }
            cursor.end();
        } catch (JsonCursor.Bail | JsonException e) {
            return null;
        }
        ChatChunk.Builder b = ChatChunk.newBuilder();
        if ("text_delta".equals(deltaType) && text != null) {
            b.textDelta(text);
        } else if ("thinking_delta".equals(deltaType) && thinking != null) {
            b.reasoningDelta(thinking);
        } else {
            return null;
        }
        return b.id(id).model(model).requestId(requestId).headers(headers).provider(provider).rawJson(utf8).build();
    }

    private ChatChunk chunk(String text, String reasoning, String signature, String redacted, ToolCallDelta call,
                            String stopReason, Usage usage, JsonObject raw) {
        return ChatChunk.newBuilder().textDelta(text).reasoningDelta(reasoning).reasoningSignature(signature)
                .redactedReasoning(redacted).toolCalls(call == null ? null : List.of(call))
                .finishReason(stopReason == null ? null : FinishReason.fromWire(stopReason)).rawFinishReason(stopReason)
                .usage(usage).id(id).model(model).requestId(requestId).headers(headers).provider(provider).raw(raw).build();
    }
}
