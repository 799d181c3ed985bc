package dev.parley;

import java.util.Map;

/**
 * The counters of an {@link Llm} client at one moment.
 *
 * @param calls            calls started
 * @param succeeded        calls that succeeded
 * @param errors           calls that failed
 * @param errorsByKind     failed calls by kind (kinds with none are left out)
 * @param attempts         requests sent to providers, retries included
 * @param cacheHits        calls that succeeded without calling a provider (answered by the cache)
 * @param chunks           stream chunks delivered
 * @param inputTokens      prompt tokens reported by providers
 * @param outputTokens     generated tokens reported by providers
 * @param costUsd          the cost of the calls, at list prices, in US dollars
 * @param latencyBuckets   how many calls took at most 5, 10, 25, 50, 100, 250, 500 ms, 1, 2.5, 5,
 *                         10, 30, 60, 120 s, and longer (not cumulative)
 * @param latencyMicrosSum the sum of all call latencies, in microseconds
 */
public record MetricsSnapshot(long calls, long succeeded, long errors, Map<LlmException.Kind, Long> errorsByKind,
                              long attempts, long cacheHits, long chunks, long inputTokens, long outputTokens,
                              double costUsd, long[] latencyBuckets, long latencyMicrosSum) {

    /** Copies the map and array. */
    public MetricsSnapshot {
        errorsByKind = Map.copyOf(errorsByKind);
        latencyBuckets = latencyBuckets.clone();
    }

    /** {@return retries: attempts beyond the first of each call that reached a provider} */
    public long retries() {
        return Math.max(0, attempts - (succeeded - cacheHits) - errors);
    }
}
