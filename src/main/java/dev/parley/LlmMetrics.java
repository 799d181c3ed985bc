package dev.parley;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import dev.parley.cost.CostTracker;

/**
 * Counters of one {@link Llm} client: calls, errors by kind, attempts, chunks, tokens, cost,
 * cache hits and a latency histogram. Lock-free and thread-safe; read a consistent-enough
 * picture with {@link #snapshot()}, or Prometheus text with {@link #toPrometheus()}.
 */
public final class LlmMetrics {

    /** Upper bounds of the latency histogram's buckets, in milliseconds (the last bucket is unbounded). */
    static final long[] BUCKETS_MS = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000};

    private final LongAdder calls = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final EnumMap<LlmException.Kind, LongAdder> errors = new EnumMap<>(LlmException.Kind.class);
    private final LongAdder attempts = new LongAdder();
    private final LongAdder withoutAttempt = new LongAdder();
    private final LongAdder chunks = new LongAdder();
    private final LongAdder inputTokens = new LongAdder();
    private final LongAdder outputTokens = new LongAdder();
    private final LongAdder[] latency = new LongAdder[BUCKETS_MS.length + 1];
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
        long ms = nanos / 1_000_000;
        int i = 0;
        while (i < BUCKETS_MS.length && ms > BUCKETS_MS[i]) {
            i++;
        }
        latency[i].increment();
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
        MetricsSnapshot s = snapshot();
        StringBuilder sb = new StringBuilder(2048);
        counter(sb, "parley_requests_total", "Calls started.", s.calls());
        counter(sb, "parley_requests_succeeded_total", "Calls that succeeded.", s.succeeded());
        sb.append("# HELP parley_errors_total Calls that failed, by kind.\n# TYPE parley_errors_total counter\n");
        for (LlmException.Kind k : LlmException.Kind.values()) {
            sb.append("parley_errors_total{kind=\"").append(k.name().toLowerCase(Locale.ROOT)).append("\"} ")
                    .append(s.errorsByKind().getOrDefault(k, 0L)).append('\n');
        }
        counter(sb, "parley_attempts_total", "Requests sent to providers, retries included.", s.attempts());
        counter(sb, "parley_cache_hits_total", "Calls answered without calling a provider.", s.cacheHits());
        counter(sb, "parley_stream_chunks_total", "Stream chunks delivered.", s.chunks());
        sb.append("# HELP parley_tokens_total Tokens reported by providers.\n# TYPE parley_tokens_total counter\n");
        sb.append("parley_tokens_total{direction=\"input\"} ").append(s.inputTokens()).append('\n');
        sb.append("parley_tokens_total{direction=\"output\"} ").append(s.outputTokens()).append('\n');
        sb.append("# HELP parley_cost_usd_total Cost of the calls, in US dollars, at list prices.\n# TYPE parley_cost_usd_total counter\n");
        sb.append("parley_cost_usd_total ").append(dev.parley.cost.Money.plain(s.costUsd())).append('\n');
        sb.append("# HELP parley_request_duration_seconds Call latency.\n# TYPE parley_request_duration_seconds histogram\n");
        long cumulative = 0;
        long[] b = s.latencyBuckets();
        for (int i = 0; i < b.length; i++) {
            cumulative += b[i];
            String le = i < BUCKETS_MS.length ? String.format(Locale.ROOT, "%.3f", BUCKETS_MS[i] / 1000.0) : "+Inf";
            sb.append("parley_request_duration_seconds_bucket{le=\"").append(le).append("\"} ").append(cumulative).append('\n');
        }
        sb.append("parley_request_duration_seconds_sum ").append(String.format(Locale.ROOT, "%.6f", s.latencyMicrosSum() / 1e6)).append('\n');
        sb.append("parley_request_duration_seconds_count ").append(cumulative).append('\n');
        return sb.toString();
    }

    private static void counter(StringBuilder sb, String name, String help, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(value).append('\n');
    }
}
