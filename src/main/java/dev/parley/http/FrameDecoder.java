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
    default void decode(ByteBuffer chunk) throws StreamFormatException {
        if (chunk.hasArray()) {
            int position = chunk.position();
            int length = chunk.remaining();
            chunk.position(chunk.limit());
            decode(chunk.array(), chunk.arrayOffset() + position, length);
            return;
        }
        // Read-only (as the JDK's HttpClient hands them out) or direct: copy through a scratch
        // array borrowed for this call, so that a thousand open streams do not each hold one.
        byte[] scratch = ScratchBuffers.take();
        try {
            while (chunk.hasRemaining()) {
                int n = Math.min(chunk.remaining(), scratch.length);
                chunk.get(scratch, 0, n);
                decode(scratch, 0, n);
            }
        } finally {
            ScratchBuffers.give(scratch);
        }
    }

    /**
     * Decodes {@code length} bytes of {@code bytes} starting at {@code offset}, delivering every
     * frame they complete. The array is not retained.
     *
     * @param bytes  the array holding the next bytes of the stream
     * @param offset where the bytes start
     * @param length how many bytes to decode
     * @throws StreamFormatException if a frame exceeds the maximum size; the decoder must not be
     *     used afterwards
     * @throws IndexOutOfBoundsException if the range is outside the array
     */
    void decode(byte[] bytes, int offset, int length) throws StreamFormatException;

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
