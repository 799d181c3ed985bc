package dev.parley;

/**
 * Too many requests or tokens for now (HTTP 429), or a local rate limit that could not be met before the deadline. Retryable; {@link #retryAfter()} says how long the provider asked to wait, when it said.
 */
public final class RateLimitException extends LlmException {

    private static final long serialVersionUID = 1L;

    RateLimitException(Builder b) {
        super(b);
    }
}
