package dev.parley;

/**
 * The provider failed (HTTP 500, 502, 504 and other server errors). Retryable.
 */
public final class ServerException extends LlmException {

    private static final long serialVersionUID = 1L;

    ServerException(Builder b) {
        super(b);
    }
}
