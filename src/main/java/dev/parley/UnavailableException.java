package dev.parley;

/**
 * The provider is overloaded or unavailable (HTTP 503, 529), or its circuit breaker is open. Retryable, and a reason to fall back to another provider.
 */
public final class UnavailableException extends LlmException {

    private static final long serialVersionUID = 1L;

    UnavailableException(Builder b) {
        super(b);
    }
}
