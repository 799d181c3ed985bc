package dev.parley.http;

import java.io.IOException;

/**
 * Signals that a response body stream is malformed at the framing level, for example an SSE event
 * or an NDJSON line larger than the configured maximum size.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public class StreamFormatException extends IOException {

    /**
     * Creates an exception with the given detail message.
     *
     * @param message what was wrong with the stream
     */
    public StreamFormatException(String message) {
        super(message);
    }
}
