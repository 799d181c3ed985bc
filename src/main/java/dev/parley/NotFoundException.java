package dev.parley;

/**
 * The model or endpoint does not exist (HTTP 404). Not retryable.
 */
public final class NotFoundException extends LlmException {

    private static final long serialVersionUID = 1L;

    NotFoundException(Builder b) {
        super(b);
    }
}
