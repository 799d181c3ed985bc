package dev.parley.gateway;

/**
 * Each virtual key's rate limits: requests per minute, tokens per minute and requests at once.
 * The gateway asks before each upstream call and settles after it; an implementation may keep
 * its counts in this process ({@link LocalKeyLimits}) or share them between gateways.
 * Implementations are thread-safe.
 */
interface KeyLimits {

    /**
     * Admits one request of {@code key}, or refuses it.
     *
     * @param key the key, whose current limits apply
     * @param tokens the tokens the request may use, estimated before the call
     * @return the permit, to {@linkplain Permit#release release} exactly once when the call ends
     * @throws ApiError 429 {@code rate_limit_exceeded} with {@code Retry-After} when a limit is reached
     */
    Permit acquire(VirtualKey key, long tokens);

    /** An admitted request. */
    interface Permit {

        /** A permit for a key without limits. */
        Permit NONE = actual -> { };

        /**
         * Ends the request: frees its concurrency slot and replaces its token estimate by what it used.
         *
         * @param actualTokens the tokens the call used, or -1 to keep the estimate (usage unknown)
         */
        void release(long actualTokens);
    }
}
