package dev.parley;

/**
 * A stream ended early or broke after it started. The chunks delivered before it stay delivered.
 */
public final class StreamInterruptedException extends LlmException {

    private static final long serialVersionUID = 1L;

    StreamInterruptedException(Builder b) {
        super(b);
    }
}
