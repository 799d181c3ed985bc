package dev.parley;

import java.time.Duration;

/**
 * Options for one call that are not part of the request sent to the provider.
 *
 * {@snippet :
 * llm.chat(request, CallOptions.defaults().withTimeout(Duration.ofSeconds(20)).withoutCache());
 * }
 *
 * @param timeout the overall deadline of the call, covering retries and waiting for rate-limit
 *                permits; null for the client's default
 * @param cache   whether the cache may answer, and store, this call
 */
public record CallOptions(Duration timeout, boolean cache) {

    private static final CallOptions DEFAULTS = new CallOptions(null, true);

    /** Validates the options. */
    public CallOptions {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /** {@return the client's default timeout, cache enabled} */
    public static CallOptions defaults() {
        return DEFAULTS;
    }

    /**
     * {@return a copy with this overall timeout}
     *
     * @param timeout the overall deadline of the call, retries included
     */
    public CallOptions withTimeout(Duration timeout) {
        return new CallOptions(timeout, cache);
    }

    /** {@return a copy that bypasses the cache} */
    public CallOptions withoutCache() {
        return new CallOptions(timeout, false);
    }
}
