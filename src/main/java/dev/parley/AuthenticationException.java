package dev.parley;

/**
 * The API key is missing, wrong or revoked (HTTP 401): kind
 * {@link LlmException.Kind#AUTHENTICATION}, always. Not retryable.
 *
 * <p>Catch this when a wrong key is something to fix rather than report: ask the user for
 * another key, or rotate to a fresh one, and call again.
 */
public final class AuthenticationException extends LlmException {

    private static final long serialVersionUID = 1L;

    AuthenticationException(Builder b) {
        super(b);
    }
}
