package dev.parley;

/**
 * A deadline passed: connecting, one attempt, the first chunk of a stream, the gap between chunks,
 * or the call's overall deadline. Kind {@link LlmException.Kind#TIMEOUT}, always. Retryable
 * unless the overall deadline passed.
 *
 * <p>Catch this when a slow answer calls for something other than a failure: a shorter prompt, a
 * faster model, a longer deadline, or telling the user it is taking too long.
 */
public final class LlmTimeoutException extends LlmException {

    private static final long serialVersionUID = 1L;

    LlmTimeoutException(Builder b) {
        super(b);
    }
}
