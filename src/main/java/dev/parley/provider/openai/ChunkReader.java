package dev.parley.provider.openai;

import java.net.http.HttpHeaders;
import java.util.List;

import dev.parley.ChatChunk;
import dev.parley.FinishReason;
import dev.parley.ToolCallDelta;
import dev.parley.Usage;
import dev.parley.internal.JsonCursor;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;

/**
 * Reads {@code chat.completion.chunk} events into chunks from their bytes, without a JSON tree:
 * the same chunk as {@link ChatDecoder#chunk(Dialect, JsonObject, String)} (its {@code raw} parsed
 * from the bytes when asked for), or null, for every event it reads. An event it does not read
 * throws {@link JsonCursor.Bail} (or a {@link dev.parley.json.JsonException}) and is left to the
 * tree reader: malformed text, an error, a value of an unexpected type.
 *
 * <p>One per stream, used by one thread at a time: it keeps the cursor, the builder and the last
 * id and model (which most events repeat, and are then not made again).
 */
final class ChunkReader {

    private final Dialect dialect;
    private final String requestId;
    private final HttpHeaders headers;
    private final String provider;
    private final JsonCursor c = new JsonCursor();
    private final ChatChunk.Builder b = ChatChunk.newBuilder();
    private String lastId;
    private String lastModel;

    // What the first choice with index 0 says; "found" once there is one.
    private boolean found;
    private String text;
    private String reasoning;
    private String refusal;
    private String finish;
    private List<ToolCallDelta> calls;

    // The choice being read, and its delta.
    private int index;
    private String choiceFinish;
    private String deltaText;
    private String deltaReasoning;
    private String deltaAlternative;
    private String deltaRefusal;
    private List<ToolCallDelta> deltaCalls;

    ChunkReader(Dialect dialect, String requestId) {
        this(dialect, requestId, null, null);
    }

    ChunkReader(Dialect dialect, String requestId, HttpHeaders headers, String provider) {
        this.dialect = dialect;
        this.requestId = requestId;
        this.headers = headers;
        this.provider = provider;
    }

    /**
     * {@return the chunk of the event, or null when it carries nothing}
     *
     * @throws JsonCursor.Bail when the event is left to the tree reader
     */
    ChatChunk read(byte[] utf8) {
        c.reset(utf8);
        String id = null;
        String model = null;
        Usage usage = null;
        noChoice();
        c.beginObject();
        if (!c.closed('}')) {
            do {
                c.key();
                if (c.keyIs("choices")) {
                    choices();
                } else if (c.keyIs("id")) {
                    id = c.string(lastId);
                } else if (c.keyIs("model")) {
                    model = c.string(lastModel);
                } else if (c.keyIs("usage")) {
                    usage = c.isNull() ? null
                            : c.peek() == '{' ? ChatDecoder.usage((JsonObject) c.value()) : JsonCursor.bail();
                } else if (c.keyIs("error")) {
                    if (!c.isNull()) {
                        JsonCursor.bail(); // perhaps an error: the tree reader decides
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
                .toolCalls(calls).finishReason(FinishReason.fromWire(finish)).rawFinishReason(finish)
                .refusalDelta(refusal).usage(usage).id(id).model(model).requestId(requestId).headers(headers).provider(provider).rawJson(utf8).build();
        lastId = id != null ? id : lastId;
        lastModel = model != null ? model : lastModel;
        return chunk.isEmpty() ? null : chunk;
    }

    private void noChoice() {
        found = false;
        text = reasoning = refusal = finish = null;
        calls = List.of();
    }

    /** Reads {@code choices} (a repeated key replaces what the earlier one said). */
    private void choices() {
        noChoice();
        if (c.isNull()) {
            return;
        }
        c.beginArray();
        if (c.closed(']')) {
            return;
        }
        do {
            choice();
            if (index == 0 && !found) {
                found = true;
                text = deltaText;
                reasoning = deltaReasoning != null ? deltaReasoning : deltaAlternative;
                refusal = deltaRefusal;
                calls = deltaCalls;
                finish = choiceFinish;
            }
        } while (c.next(']'));
    }

    private void choice() {
        index = 0;
        choiceFinish = null;
        noDelta();
        c.beginObject();
        if (c.closed('}')) {
            return;
        }
        do {
            c.key();
            if (c.keyIs("delta")) {
                delta();
            } else if (c.keyIs("index")) {
                index = c.intOr(0);
            } else if (c.keyIs("finish_reason")) {
                choiceFinish = c.string();
            } else {
                c.skip();
            }
        } while (c.next('}'));
    }

    private void noDelta() {
        deltaText = deltaReasoning = deltaAlternative = deltaRefusal = null;
        deltaCalls = List.of();
    }

    /** Reads a choice's {@code delta} (a repeated key replaces what the earlier one said). */
    private void delta() {
        noDelta();
        if (c.isNull()) {
            return;
        }
        c.beginObject();
        if (c.closed('}')) {
            return;
        }
        do {
            c.key();
            if (c.keyIs("content")) {
                deltaText = c.string();
            } else if (c.keyIs("reasoning_content")) {
                deltaReasoning = c.string();
            } else if (c.keyIs("refusal")) {
                deltaRefusal = c.string();
            } else if (c.keyIs("reasoning")) {
                // Read only from a string, and only for compatible servers (see ChatDecoder.reasoning).
                boolean read = dialect == Dialect.COMPATIBLE && c.peek() == '"';
                deltaAlternative = read ? c.string() : null;
                if (!read) {
                    c.skip();
                }
            } else if (c.keyIs("tool_calls")) {
                deltaCalls = c.isNull() ? List.of() : c.peek() == '['
                        ? ChatDecoder.toolCallDeltas((JsonArray) c.value()) : JsonCursor.bail();
            } else {
                c.skip();
            }
        } while (c.next('}'));
    }
}
