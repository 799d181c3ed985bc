package dev.parley;

/**
 * The request is invalid (HTTP 400, 413, 422), or failed Parley's validation before it was sent. Not retryable.
 */
public final class InvalidRequestException extends LlmException {

    private static final long serialVersionUID = 1L;

    InvalidRequestException(Builder b) {
        super(b);
    }
}
