package dev.parley;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

import dev.parley.cost.Money;

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

    /** {@return a copy of the latency buckets}: the snapshot stays as it was taken, whatever the caller does with it */
    @Override
    public long[] latencyBuckets() {
        return latencyBuckets.clone();
    }

    /** {@return whether {@code o} is a snapshot with the same counters, the latency buckets compared by content} */
    @Override
    public boolean equals(Object o) {
        return o instanceof MetricsSnapshot m && calls == m.calls && succeeded == m.succeeded && errors == m.errors
                && errorsByKind.equals(m.errorsByKind) && attempts == m.attempts && cacheHits == m.cacheHits
                && chunks == m.chunks && inputTokens == m.inputTokens && outputTokens == m.outputTokens
                && Double.compare(costUsd, m.costUsd) == 0 && Arrays.equals(latencyBuckets, m.latencyBuckets)
                && latencyMicrosSum == m.latencyMicrosSum;
    }

    @Override
    public int hashCode() {
        return Objects.hash(calls, succeeded, errors, errorsByKind, attempts, cacheHits, chunks, inputTokens, outputTokens,
                costUsd, Arrays.hashCode(latencyBuckets), latencyMicrosSum);
    }

    /** {@return the counters, with the cost as {@link Money#format(double)} writes it and the buckets listed} */
    @Override
    public String toString() {
        return "MetricsSnapshot[calls=" + calls + ", succeeded=" + succeeded + ", errors=" + errors + ", errorsByKind="
                + errorsByKind + ", attempts=" + attempts + ", cacheHits=" + cacheHits + ", chunks=" + chunks
                + ", inputTokens=" + inputTokens + ", outputTokens=" + outputTokens + ", costUsd=" + Money.format(costUsd)
                + ", latencyBuckets=" + Arrays.toString(latencyBuckets) + ", latencyMicrosSum=" + latencyMicrosSum + "]";
    }

    /** {@return retries: attempts beyond the first of each call that reached a provider} */
    public long retries() {
        return Math.max(0, attempts - (succeeded - cacheHits) - errors);
    }
}
