package dev.parley.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.parley.LlmException;
import dev.parley.MetricsSnapshot;
import dev.parley.cost.Money;

/**
 * Writes metrics in the Prometheus text exposition format, from the snapshots themselves: one
 * {@code LlmMetrics.toPrometheus()}, or the gateway's {@code /metrics}, where several clients'
 * snapshots share the metric names and each sample gets a label naming its source
 * ({@code route="anthropic"}). Each metric family is written once, with its HELP and TYPE lines,
 * followed by the samples of every source (repeating a family's HELP/TYPE, or splitting its
 * samples, is invalid in the text format).
 *
 * <p>Not thread-safe: build one per exposition.
 */
public final class PrometheusText {

    /** Upper bounds of the latency histogram's buckets, in milliseconds (the last bucket is unbounded). */
    private static final long[] LATENCY_BUCKETS_MS =
            {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000};

    private static final class Family {
        String help;
        String type;
        final List<String> samples = new ArrayList<>();
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** {@return how many buckets the latency histogram has, the unbounded last one included} */
    public static int latencyBuckets() {
        return LATENCY_BUCKETS_MS.length + 1;
    }

    /** {@return the index of the latency histogram's bucket for {@code millis}} */
    public static int latencyBucket(long millis) {
        int i = 0;
        while (i < LATENCY_BUCKETS_MS.length && millis > LATENCY_BUCKETS_MS[i]) {
            i++;
        }
        return i;
    }

    /**
     * Adds the counters of one client, names prefixed {@code parley_}.
     *
     * @param s     the counters
     * @param label the name of the label that names the source, such as {@code route}; null for none
     * @param value the label's value; escaped as the format requires
     */
    public void add(MetricsSnapshot s, String label, String value) {
        String source = label == null ? "" : label + "=\"" + escape(value) + "\"";
        counter("parley_requests_total", "Calls started.", source, s.calls());
        counter("parley_requests_succeeded_total", "Calls that succeeded.", source, s.succeeded());
        String errors = "parley_errors_total";
        family(errors, "counter", "Calls that failed, by kind.");
        for (LlmException.Kind k : LlmException.Kind.values()) {
            sample(errors, errors, source, "kind=\"" + k.name().toLowerCase(Locale.ROOT) + "\"",
                    Long.toString(s.errorsByKind().getOrDefault(k, 0L)));
        }
        counter("parley_attempts_total", "Requests sent to providers, retries included.", source, s.attempts());
        counter("parley_cache_hits_total", "Calls answered without calling a provider.", source, s.cacheHits());
        counter("parley_stream_chunks_total", "Stream chunks delivered.", source, s.chunks());
        String tokens = "parley_tokens_total";
        family(tokens, "counter", "Tokens reported by providers.");
        sample(tokens, tokens, source, "direction=\"input\"", Long.toString(s.inputTokens()));
        sample(tokens, tokens, source, "direction=\"output\"", Long.toString(s.outputTokens()));
        String cost = "parley_cost_usd_total";
        family(cost, "counter", "Cost of the calls, in US dollars, at list prices.");
        sample(cost, cost, source, "", Money.plain(s.costUsd()));
        String latency = "parley_request_duration_seconds";
        family(latency, "histogram", "Call latency.");
        long cumulative = 0;
        long[] b = s.latencyBuckets();
        for (int i = 0; i < b.length; i++) {
            cumulative += b[i];
            String le = i < LATENCY_BUCKETS_MS.length
                    ? String.format(Locale.ROOT, "%.3f", LATENCY_BUCKETS_MS[i] / 1000.0) : "+Inf";
            sample(latency, latency + "_bucket", source, "le=\"" + le + "\"", Long.toString(cumulative));
        }
        sample(latency, latency + "_sum", source, "", String.format(Locale.ROOT, "%.6f", s.latencyMicrosSum() / 1e6));
        sample(latency, latency + "_count", source, "", Long.toString(cumulative));
    }

    private void counter(String name, String help, String source, long value) {
        family(name, "counter", help);
        sample(name, name, source, "", Long.toString(value));
    }

    private void family(String name, String type, String help) {
        Family f = families.computeIfAbsent(name, n -> new Family());
        f.type = f.type == null ? type : f.type;
        f.help = f.help == null ? help : f.help;
    }

    private void sample(String family, String name, String source, String labels, String value) {
        String all = source.isEmpty() ? labels : labels.isEmpty() ? source : source + "," + labels;
        families.get(family).samples.add(all.isEmpty() ? name + " " + value : name + "{" + all + "} " + value);
    }

    /**
     * Appends one sample of a family (created on first use), for the gateway's own metrics.
     *
     * @param name   the family's name
     * @param type   its type, such as {@code counter}; null to keep the one given before
     * @param help   its description; null to keep the one given before
     * @param sample the whole sample line, or null to only declare the family
     */
    public void sample(String name, String type, String help, String sample) {
        Family f = families.computeIfAbsent(name, n -> new Family());
        f.type = f.type == null ? type : f.type;
        f.help = f.help == null ? help : f.help;
        if (sample != null) {
            f.samples.add(sample);
        }
    }

    /** {@return the exposition} */
    public String text() {
        StringBuilder sb = new StringBuilder(4096);
        families.forEach((name, f) -> {
            if (f.help != null) {
                sb.append("# HELP ").append(name).append(' ').append(f.help).append('\n');
            }
            if (f.type != null) {
                sb.append("# TYPE ").append(name).append(' ').append(f.type).append('\n');
            }
            f.samples.forEach(s -> sb.append(s).append('\n'));
        });
        return sb.toString();
    }

    /** {@return a label value escaped for the text format: backslash, double quote and line feed} */
    public static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
