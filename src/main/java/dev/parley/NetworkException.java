package dev.parley;

/**
 * The connection failed or was reset before a response arrived. Retryable.
 */
public final class NetworkException extends LlmException {

    private static final long serialVersionUID = 1L;

    NetworkException(Builder b) {
        super(b);
    }
}
