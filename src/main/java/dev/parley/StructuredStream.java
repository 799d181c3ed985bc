package dev.parley;

import java.util.Iterator;
import java.util.NoSuchElementException;

import dev.parley.json.JsonObject;

/**
 * A streamed structured answer: the object so far as its fields complete, then the typed value.
 *
 * {@snippet :
 * try (StructuredStream<Recipe> stream = llm.stream(request, Recipe.class)) {
 *     for (JsonObject partial : stream) {
 *         render(partial);                 // {"title":"Soup"}, then {"title":"Soup","steps":["Boil"]} ...
 *     }
 *     Recipe recipe = stream.value();
 * }
 * }
 *
 * <p>Each partial object holds the members whose values are complete, and the objects and
 * arrays still being written with what they hold so far; a string or number still being written
 * is left out, so a value never shows half-written. A partial comes only when it differs from the
 * one before. The answer's text is read again as it grows, at most once per 1/32 of its length,
 * so the work stays proportional to the length of the answer; the answer's length is bounded by
 * the response limits of the provider.
 *
 * <p>There is no repair turn: if the finished answer does not fit the type, {@link #value()}
 * throws a {@link StructuredOutputException}.
 *
 * <p>Not thread-safe: one thread iterates and then asks for the value. Iterate at most once.
 *
 * @param <T> the type of the answer
 */
public final class StructuredStream<T> implements Iterable<JsonObject>, AutoCloseable {

    private final ChatStream stream;
    private final Class<T> type;
    private final ChunkCollector collector;
    private final StringBuilder text = new StringBuilder();
    private Iterator<ChatChunk> chunks;
    private int parsedLength = -1;
    private JsonObject last;
    private ChatResponse response;
    private T value;

    StructuredStream(ChatStream stream, Class<T> type) {
        this.stream = stream;
        this.type = type;
        this.collector = new ChunkCollector(stream.provider());
    }

    /**
     * {@return an iterator over the partial objects} It sends the request; {@code hasNext()} and
     * {@code next()} throw the stream's {@link LlmException}. Can be called once.
     *
     * @throws IllegalStateException if called a second time, or after {@link #value()}
     */
    @Override
    public Iterator<JsonObject> iterator() {
        if (chunks != null) {
            throw new IllegalStateException("a structured stream can be iterated once");
        }
        chunks = stream.iterator();
        return new Iterator<>() {
            private JsonObject next;
            private boolean ended;

            @Override
            public boolean hasNext() {
                while (next == null && !ended) {
                    if (chunks.hasNext()) {
                        next = partial(chunks.next(), false);
                    } else {
                        ended = true;
                        next = partial(null, true);
                    }
                }
                return next != null;
            }

            @Override
            public JsonObject next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                JsonObject out = next;
                next = null;
                return out;
            }
        };
    }

    /** Adds a chunk (none at the end); {@return the object so far when it changed, else null} */
    private JsonObject partial(ChatChunk chunk, boolean end) {
        if (chunk != null) {
            collector.add(chunk);
            text.append(chunk.textDelta());
        }
        int grown = text.length() - parsedLength;
        if (grown == 0 || (!end && grown < text.length() / 32)) {
            return null;
        }
        parsedLength = text.length();
        JsonObject now = PartialJson.read(text);
        if (now == null || now.equals(last)) {
            return null;
        }
        last = now;
        return now;
    }

    /**
     * {@return the answer as a {@code T}}, once the stream has ended; reads the rest of the stream
     * first if it was not iterated to the end.
     *
     * @throws StructuredOutputException if the finished answer is not JSON or does not fit the type
     * @throws LlmException if the stream fails
     */
    public T value() {
        if (value == null) {
            if (chunks == null) {
                chunks = stream.iterator();
            }
            while (chunks.hasNext()) {
                collector.add(chunks.next());
            }
            response = collector.result();
            value = StructuredCalls.bind(response, type, 1);
        }
        return value;
    }

    /**
     * {@return the whole response, for its usage, model and request id}; reads the rest of the
     * stream first, like {@link #value()}
     *
     * @throws StructuredOutputException if the finished answer is not JSON or does not fit the type
     * @throws LlmException if the stream fails
     */
    public ChatResponse response() {
        value();
        return response;
    }

    /** Cancels the stream, aborting the HTTP exchange; safe to call at any time, more than once. */
    @Override
    public void close() {
        stream.close();
    }
}
