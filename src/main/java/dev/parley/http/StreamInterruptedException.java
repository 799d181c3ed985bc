package dev.parley.http;

import java.io.IOException;

/**
 * Signals that a streamed response ended before it was complete: the connection failed, or the
 * body ended in the middle of an event or line, or without the end-of-stream marker the protocol
 * requires (OpenAI's {@code data: [DONE]}, Anthropic's {@code message_stop}, Ollama's
 * {@code "done": true}).
 *
 * <p>When the stream failed because of an I/O error, that error is the {@linkplain #getCause()
 * cause}. It stays inside Parley: {@code StreamCall} turns it into an
 * {@link dev.parley.LlmException} of kind {@link dev.parley.LlmException.Kind#STREAM_INTERRUPTED}
 * with the same message and this exception as the cause, which is what a caller catches.
 * Instances are immutable and safe to share between threads.
 */
public class StreamInterruptedException extends IOException {

    /**
     * Creates an exception for a stream that was cut off without an underlying error.
     *
     * @param message how the stream ended
     */
    public StreamInterruptedException(String message) {
        super(message);
    }

    /**
     * Creates an exception for a stream that failed with an underlying error.
     *
     * @param message how the stream ended
     * @param cause the error reported by the transport
     */
    public StreamInterruptedException(String message, Throwable cause) {
        super(message, cause);
    }
}
