package dev.parley;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import dev.parley.cost.CostTracker;
import dev.parley.internal.PrometheusText;

/**
 * Counters of one {@link Llm} client: calls, errors by kind, attempts, chunks, tokens, cost,
 * cache hits and a latency histogram. Lock-free and thread-safe; read a consistent-enough
 * picture with {@link #snapshot()}, or Prometheus text with {@link #toPrometheus()}.
 */
public final class LlmMetrics {

    private final LongAdder calls = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final EnumMap<LlmException.Kind, LongAdder> errors = new EnumMap<>(LlmException.Kind.class);
    private final LongAdder attempts = new LongAdder();
    private final LongAdder withoutAttempt = new LongAdder();
    private final LongAdder chunks = new LongAdder();
    private final LongAdder inputTokens = new LongAdder();
    private final LongAdder outputTokens = new LongAdder();
    private final LongAdder[] latency = new LongAdder[PrometheusText.latencyBuckets()];
    private final LongAdder latencyMicrosSum = new LongAdder();
    private final CostTracker costs;

    LlmMetrics(CostTracker costs) {
        this.costs = costs;
        for (LlmException.Kind k : LlmException.Kind.values()) {
            errors.put(k, new LongAdder());
        }
        for (int i = 0; i < latency.length; i++) {
            latency[i] = new LongAdder();
        }
    }

    void started() {
        calls.increment();
    }

    void attempted() {
        attempts.increment();
    }

    void chunk() {
        chunks.increment();
    }

    void succeeded(Usage usage, long nanos, int attemptCount) {
        succeeded.increment();
        if (attemptCount == 0) {
            withoutAttempt.increment();
        }
        if (usage != null) {
            inputTokens.add(usage.inputTokens());
            outputTokens.add(usage.outputTokens());
        }
        recordLatency(nanos);
    }

    void failed(LlmException.Kind kind, long nanos) {
        errors.get(kind).increment();
        recordLatency(nanos);
    }

    private void recordLatency(long nanos) {
        latency[PrometheusText.latencyBucket(nanos / 1_000_000)].increment();
        latencyMicrosSum.add(nanos / 1_000);
    }

    /** {@return the counters now} */
    public MetricsSnapshot snapshot() {
        Map<LlmException.Kind, Long> errorCounts = new EnumMap<>(LlmException.Kind.class);
        long errorTotal = 0;
        for (Map.Entry<LlmException.Kind, LongAdder> e : errors.entrySet()) {
            long n = e.getValue().sum();
            if (n > 0) {
                errorCounts.put(e.getKey(), n);
                errorTotal += n;
            }
        }
        long[] buckets = new long[latency.length];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = latency[i].sum();
        }
        return new MetricsSnapshot(calls.sum(), succeeded.sum(), errorTotal, errorCounts, attempts.sum(),
                withoutAttempt.sum(), chunks.sum(), inputTokens.sum(), outputTokens.sum(),
                costs == null ? 0 : costs.totalCost(), buckets, latencyMicrosSum.sum());
    }

    /** {@return the counters in the Prometheus text exposition format, with names prefixed {@code parley_}} */
    public String toPrometheus() {
        PrometheusText text = new PrometheusText();
        text.add(snapshot(), null, null);
        return text.text();
    }

}
