package dev.parley.provider.ollama;

import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

import dev.parley.ApiKey;
import dev.parley.ChatChunk;
import dev.parley.FinishReason;
import dev.parley.ToolCall;
import dev.parley.ToolCallDelta;
import dev.parley.Usage;
import dev.parley.http.FrameMapper;
import dev.parley.http.HttpErrors;
import dev.parley.internal.JsonCursor;
import dev.parley.json.Json;
import dev.parley.json.JsonAccessException;
import dev.parley.json.JsonException;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/**
 * Turns the NDJSON lines of a streamed {@code /api/chat} into chunks: one chunk per line, with
 * the line's {@code message.content} as text, {@code message.thinking} as reasoning and each
 * whole tool call as one {@link ToolCallDelta} (with a fresh index counted across the stream, its
 * id, name and all of its arguments). The line with {@code "done": true} also carries the finish
 * reason and the usage, and ends the stream. A line {@code {"error": "..."}} fails the stream with
 * the provider's message.
 *
 * <p>One mapper serves one stream: it keeps the tool-call count. Not thread-safe, as
 * {@link FrameMapper} allows.
 */
final class OllamaStreamMapper implements FrameMapper<byte[], ChatChunk> {

    private final String provider;
    private final String requestId;
    private final HttpHeaders headers;
    private final ApiKey key;
    private int toolCallCount;
    /** Reads the lines that carry only text or thinking without a JSON tree. */
    private final JsonCursor cursor = new JsonCursor();
    private String lastModel;

    OllamaStreamMapper(String provider, HttpHeaders headers, ApiKey key) {
        this.provider = provider;
        this.requestId = HttpErrors.requestId(headers);
        this.headers = headers;
        this.key = key;
    }

    @Override
    public void map(byte[] line, Output<ChatChunk> output) {
        ChatChunk fast = textLine(line);
        if (fast != null) {
            output.emit(fast);
            return;
        }
        JsonValue value = Json.parse(line);
        if (!(value instanceof JsonObject o)) {
            throw new JsonAccessException("", "expected a JSON object on each line, got " + value.kind());
        }
        JsonValue error = o.get("error").orElse(null);
        if (error != null && !(error instanceof JsonNull)) {
            throw HttpErrors.fromStreamError(provider, o, requestId, key);
        }
        JsonObject message = o.optObject("message").orElse(JsonObject.of());
        List<ToolCall> calls = OllamaResponses.toolCalls(message, toolCallCount);
        List<ToolCallDelta> deltas = new ArrayList<>(calls.size());
        for (ToolCall c : calls) {
            deltas.add(new ToolCallDelta(toolCallCount++, c.id(), c.name(), c.arguments()));
        }
        boolean done = o.optBoolean("done").orElse(false);
        String raw = null;
        FinishReason reason = null;
        Usage usage = null;
        if (done) {
            raw = o.stringOr("done_reason", null);
            reason = OllamaResponses.finishReason(raw, toolCallCount > 0);
            usage = OllamaResponses.usage(o);
        }
        output.emit(ChatChunk.newBuilder().textDelta(message.stringOr("content", ""))
                .reasoningDelta(message.stringOr("thinking", "")).toolCalls(deltas).finishReason(reason)
                .rawFinishReason(raw).usage(usage).model(o.stringOr("model", null)).requestId(requestId).headers(headers).provider(provider).raw(o)
                .build());
        if (done) {
            output.end();
        }
    }

    /**
     * {@return the chunk of a line that is not done and carries only text or thinking (most lines
     * of a stream), read without a JSON tree, or null to leave the line to the tree reader} The
     * chunk is the one the tree reader makes, its {@code raw()} parsed from the line when asked for.
     */
    private ChatChunk textLine(byte[] line) {
        String model = null;
        String content = "";
        String thinking = "";
        boolean notDone = false;
        try {
            cursor.reset(line);
            cursor.beginObject();
            if (!cursor.closed('}')) {
                do {
                    cursor.key();
                    if (cursor.keyIs("model")) {
                        model = cursor.string(lastModel);
                    } else if (cursor.keyIs("done")) {
                        if (cursor.peek() != 'f') {
                            return null; // the last line: the tree reader reads its reason and usage
                        }
                        cursor.skip();
                        notDone = true;
                    } else if (cursor.keyIs("message")) {
                        cursor.beginObject();
                        if (!cursor.closed('}')) {
                            do {
                                cursor.key();
                                if (cursor.keyIs("content")) {
                                    content = nonNull(cursor.string());
                                } else if (cursor.keyIs("thinking")) {
                                    thinking = nonNull(cursor.string());
                                } else if (cursor.keyIs("role")) {
                                    cursor.skip();
                                } else {
                                    return null; // tool calls, images, fields added later
                                }
                            } while (cursor.next('}'));
                        }
                    } else if (cursor.keyIs("error")) {
                        return null;
                    } else {
                        cursor.skip(); // created_at, and fields added later
                    }
                } while (cursor.next('}'));
            }
            cursor.end();
        } catch (JsonCursor.Bail | JsonException e) {
            return null;
        }
        if (!notDone) {
            return null;
        }
        lastModel = model;
        return ChatChunk.newBuilder().textDelta(content).reasoningDelta(thinking).toolCalls(List.of()).model(model)
                .requestId(requestId).headers(headers).provider(provider).rawJson(line).build();
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
