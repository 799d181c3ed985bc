package dev.parley;

/**
 * Too many requests or tokens for now (HTTP 429), or a local rate limit that could not be met
 * before the deadline: kind {@link LlmException.Kind#RATE_LIMITED}, always. Retryable when the
 * provider sent it; {@link #retryAfter()} says how long the provider asked to wait, when it said.
 *
 * <p>Catch this to back off: wait {@link #retryAfter()} (when set) before sending more, or queue
 * the work for later.
 */
public final class RateLimitException extends LlmException {

    private static final long serialVersionUID = 1L;

    RateLimitException(Builder b) {
        super(b);
    }
}
