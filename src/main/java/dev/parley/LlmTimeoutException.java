package dev.parley;

/**
 * A deadline passed: connecting, one attempt, the first chunk of a stream, the gap between chunks, or the call's overall deadline. Retryable unless the overall deadline passed.
 */
public final class LlmTimeoutException extends LlmException {

    private static final long serialVersionUID = 1L;

    LlmTimeoutException(Builder b) {
        super(b);
    }
}
