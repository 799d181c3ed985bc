package dev.parley.http;

/**
 * Turns one decoded frame (an {@link SseEvent}, or an NDJSON line as {@code byte[]}) into zero or
 * more items, and says which frame ends the stream.
 *
 * <p>For example an OpenAI mapper calls {@link Output#end()} for {@code data: [DONE]}, an Anthropic
 * mapper for the {@code message_stop} event, an Ollama mapper for the line with
 * {@code "done": true} (after emitting that line's item). An exception thrown by the mapper fails
 * the stream with that exception, after the items already emitted have been delivered.
 *
 * <p>Thread-safety: a {@link DecodingPublisher} calls its mapper from one thread at a time, with
 * happens-before between calls, so a mapper may keep unsynchronized state for one stream.
 *
 * @param <F> the frame type
 * @param <T> the item type
 */
@FunctionalInterface
public interface FrameMapper<F, T> {

    /**
     * Maps one frame.
     *
     * @param frame the decoded frame
     * @param output where to put the items and the end-of-stream mark; valid only during this call
     * @throws Exception to fail the stream
     */
    void map(F frame, Output<T> output) throws Exception;

    /**
     * Receives what a mapper produces for one frame. Not thread-safe; valid only during
     * {@link FrameMapper#map}.
     *
     * @param <T> the item type
     */
    interface Output<T> {

        /**
         * Adds an item, delivered after the items of earlier frames.
         *
         * @param item the item, not null
         * @throws NullPointerException if {@code item} is null
         */
        void emit(T item);

        /**
         * Marks this frame as the last one of the stream: items emitted for it are still delivered,
         * later frames are ignored, and the stream completes normally.
         */
        void end();
    }
}
