package dev.parley;

/**
 * The API key is missing, wrong or revoked (HTTP 401). Not retryable.
 */
public final class AuthenticationException extends LlmException {

    private static final long serialVersionUID = 1L;

    AuthenticationException(Builder b) {
        super(b);
    }
}
