package dev.parley;

/**
 * The account's quota or balance is used up (HTTP 402, or a 429 with code {@code insufficient_quota}). Retrying will not help.
 */
public final class QuotaExceededException extends LlmException {

    private static final long serialVersionUID = 1L;

    QuotaExceededException(Builder b) {
        super(b);
    }
}
