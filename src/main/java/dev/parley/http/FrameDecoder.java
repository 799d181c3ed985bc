package dev.parley.http;

import java.nio.ByteBuffer;

/**
 * An incremental decoder that splits a byte stream into frames (SSE events, NDJSON lines) and
 * hands each complete frame to the sink it was created with.
 *
 * <p>Implementations are not thread-safe: one thread at a time, with happens-before between calls.
 */
interface FrameDecoder {

    /**
     * Decodes the remaining bytes of {@code chunk}, delivering every frame it completes, and
     * consumes them (the buffer's position is advanced to its limit).
     *
     * @param chunk the next bytes of the stream
     * @throws StreamFormatException if a frame exceeds the maximum size; the decoder must not be
     *     used afterwards
     */
    void decode(ByteBuffer chunk) throws StreamFormatException;

    /**
     * Signals the end of the input, delivering a final frame if the format allows one without a
     * terminator.
     *
     * @return {@code true} if the stream ended in the middle of a frame whose bytes were discarded,
     *     so the caller can report that the stream was cut off
     * @throws StreamFormatException if a final frame delivered at the end is malformed
     */
    boolean finish() throws StreamFormatException;
}
