package dev.parley.http;

import java.util.Objects;

/**
 * How a {@link DecodingPublisher} treats its stream.
 *
 * <p>Records are immutable and safe to share between threads.
 *
 * @param requireEndMarker whether the stream must end with a frame the mapper marked with
 *     {@link FrameMapper.Output#end()}; if {@code true}, a body that ends without one fails with
 *     {@link StreamInterruptedException}
 * @param maxFrameSize the largest SSE event or NDJSON line accepted, in bytes; a larger one fails
 *     the stream with {@link StreamFormatException}
 * @param listener observes chunks, comments and frames
 */
public record StreamOptions(boolean requireEndMarker, int maxFrameSize, StreamListener listener) {

    /** The default maximum frame size: 16 MiB. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;

    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException if {@code maxFrameSize} is not positive
     * @throws NullPointerException if {@code listener} is null
     */
    public StreamOptions {
        if (maxFrameSize <= 0) {
            throw new IllegalArgumentException("maxFrameSize must be positive: " + maxFrameSize);
        }
        Objects.requireNonNull(listener, "listener");
    }

    /**
     * Returns the defaults: no end marker required, 16 MiB frames, no listener.
     *
     * @return the default options
     */
    public static StreamOptions defaults() {
        return new StreamOptions(false, DEFAULT_MAX_FRAME_SIZE, StreamListener.NONE);
    }

    /**
     * Returns a copy with {@code requireEndMarker} changed.
     *
     * @param required whether an end marker is required
     * @return the new options
     */
    public StreamOptions withRequireEndMarker(boolean required) {
        return new StreamOptions(required, maxFrameSize, listener);
    }

    /**
     * Returns a copy with {@code maxFrameSize} changed.
     *
     * @param bytes the largest frame accepted
     * @return the new options
     */
    public StreamOptions withMaxFrameSize(int bytes) {
        return new StreamOptions(requireEndMarker, bytes, listener);
    }

    /**
     * Returns a copy with {@code listener} changed.
     *
     * @param newListener the listener
     * @return the new options
     */
    public StreamOptions withListener(StreamListener newListener) {
        return new StreamOptions(requireEndMarker, maxFrameSize, newListener);
    }
}
