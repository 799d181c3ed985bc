package dev.parley.http;

/**
 * Observes the liveness of a streamed response, so callers can implement idle timeouts and
 * measure the time to the first chunk or frame.
 *
 * <p>Comments ({@code : keep-alive}) show that the connection is alive but are not data: they are
 * reported to {@link #onComment(String)} only, although their bytes are also counted by
 * {@link #onBytes(long)}.
 *
 * <p>Callbacks run on the threads that move the stream (the HTTP client's, or the subscriber's),
 * so they must be fast and must not block. A callback that throws fails the stream with that
 * exception. Implementations must be thread-safe: calls are not concurrent with each other for one
 * stream, but may come from different threads.
 */
public interface StreamListener {

    /** A listener that does nothing. */
    StreamListener NONE = new StreamListener() {};

    /**
     * Called when a chunk of the body arrives from the network, before it is decoded.
     *
     * @param byteCount the number of bytes in the chunk
     */
    default void onBytes(long byteCount) {}

    /**
     * Called for each SSE comment line, such as {@code : keep-alive} or {@code : ping}.
     *
     * @param text the comment text, without the colon and one following space
     */
    default void onComment(String text) {}

    /**
     * Called for each decoded frame (SSE event or NDJSON line), before it is mapped to items.
     */
    default void onFrame() {}
}
