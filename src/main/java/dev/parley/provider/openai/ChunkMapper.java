package dev.parley.provider.openai;

import java.net.http.HttpHeaders;
import dev.parley.ApiKey;
import dev.parley.ChatChunk;
import dev.parley.internal.JsonCursor;
import dev.parley.json.JsonAccessException;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;
import dev.parley.http.FrameMapper;
import dev.parley.http.HttpErrors;
import dev.parley.http.SseEvent;

/**
 * Turns the events of a streamed chat completion into {@link ChatChunk}s: {@code data: [DONE]}
 * ends the stream, an event holding an {@code error} fails it with the provider's error, and
 * events that carry nothing (the role-only first chunk) produce no chunk. SSE comments such as
 * DeepSeek's {@code : keep-alive} never reach a mapper.
 *
 * <p>One instance per stream, called by one thread at a time: it keeps a {@link ChunkReader}.
 */
final class ChunkMapper implements FrameMapper<SseEvent, ChatChunk> {

    private final Dialect dialect;
    private final String provider;
    private final String requestId;
    private final HttpHeaders headers;
    private final ApiKey key;
    /** Reads the events without a JSON tree when it can. */
    private final ChunkReader reader;

    ChunkMapper(Dialect dialect, String provider, HttpHeaders headers, ApiKey key) {
        this.dialect = dialect;
        this.provider = provider;
        this.requestId = HttpErrors.requestId(headers);
        this.headers = headers;
        this.key = key;
        this.reader = new ChunkReader(dialect, requestId, headers, provider);
    }

    @Override
    public void map(SseEvent event, Output<ChatChunk> out) {
        if (isDone(event)) {
            out.end();
            return;
        }
        byte[] utf8 = event.utf8();
        if (utf8 != null && !event.type().equals("error")) {
            ChatChunk chunk;
            try {
                chunk = reader.read(utf8);
            } catch (JsonCursor.Bail | JsonException e) {
                chunk = tree(event);
            }
            emit(chunk, out);
            return;
        }
        emit(tree(event), out);
    }

    private static void emit(ChatChunk chunk, Output<ChatChunk> out) {
        if (chunk != null) {
            out.emit(chunk);
        }
    }

    /** {@return the chunk of an event, or null}, read from a tree of the event; throws for an error event */
    private ChatChunk tree(SseEvent event) {
        JsonValue value = event.parseJson();
        if (!(value instanceof JsonObject o)) {
            throw new JsonAccessException("", "expected a chat.completion.chunk object, got " + value.kind());
        }
        if (isError(event, o)) {
            throw HttpErrors.fromStreamError(provider, o, requestId, key);
        }
        return ChatDecoder.chunk(dialect, o, requestId, headers, provider);
    }

    /** {@return whether the event is the end marker {@code [DONE]}, perhaps with spaces around it} */
    private static boolean isDone(SseEvent event) {
        return event.dataShorterThan(16) && event.data().strip().equals("[DONE]");
    }

    /**
     * {@return whether the event reports an error}: {@code {"error": ...}} (OpenAI, DeepSeek,
     * most servers), {@code {"object": "error", ...}} (vLLM), or an {@code event: error}.
     */
    private static boolean isError(SseEvent event, JsonObject o) {
        JsonValue error = o.get("error").orElse(null);
        if (error instanceof JsonObject || error instanceof JsonString) {
            return true;
        }
        return event.type().equals("error") || o.get("object").orElse(null) instanceof JsonString s
                && s.value().equals("error");
    }
}
