package dev.parley;

/**
 * The API key may not use this model or resource (HTTP 403). Not retryable.
 */
public final class PermissionDeniedException extends LlmException {

    private static final long serialVersionUID = 1L;

    PermissionDeniedException(Builder b) {
        super(b);
    }
}
