package dev.parley.gateway;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

import dev.parley.internal.PrometheusText;

/**
 * The gateway's histograms of {@code /v1} requests, labelled by route, model and key: how long
 * a request took, how long a stream took to its first token, and how many output tokens per
 * second it produced. Label values are bounded by the caller ({@link ModelLabels}; key names come
 * from the configuration file; routes from the builder), so the series stay few. Written in the
 * Prometheus text format with cumulative buckets, {@code _sum} and {@code _count}. Lock-free and
 * thread-safe; a scrape that races an observation may see it in some buckets and not yet in
 * others, as with any Prometheus client.
 */
final class RequestHistograms {

    /** The label value for "none": a request without a key, a route or a model. */
    static final String NONE = "-";

    static final String DURATION = "parley_gateway_request_duration_seconds";
    static final String TTFT = "parley_gateway_time_to_first_token_seconds";
    static final String TOKENS_PER_SECOND = "parley_gateway_output_tokens_per_second";

    /** Upper bounds of the time buckets, in seconds: as {@code parley_request_duration_seconds}. */
    private static final double[] SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
    /** Upper bounds of the throughput buckets, in output tokens per second. */
    private static final double[] RATES = {1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};

    /** One series' labels. */
    record Labels(String route, String model, String key) {
        String text() {
            return "route=\"" + PrometheusText.escape(route) + "\",model=\"" + PrometheusText.escape(model)
                    + "\",key=\"" + PrometheusText.escape(key) + "\"";
        }
    }

    /** One series: a count per bucket (not cumulative; the last is unbounded) and the sum. */
    private static final class Series {
        final LongAdder[] buckets;
        final DoubleAdder sum = new DoubleAdder();

        Series(int n) {
            buckets = new LongAdder[n + 1];
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }
    }

    private final Map<Labels, Series> duration = new ConcurrentHashMap<>();
    private final Map<Labels, Series> ttft = new ConcurrentHashMap<>();
    private final Map<Labels, Series> rate = new ConcurrentHashMap<>();

    /**
     * Counts one request.
     *
     * @param labels          its route, model and key label values
     * @param durationNanos   from its arrival to the end of its answer
     * @param ttftNanos       from its arrival to a stream's first chunk, or negative for none
     * @param tokensPerSecond its output tokens per second, or negative when unknown
     */
    void observe(Labels labels, long durationNanos, long ttftNanos, double tokensPerSecond) {
        observe(duration, SECONDS, labels, durationNanos / 1e9);
        if (ttftNanos >= 0) {
            observe(ttft, SECONDS, labels, ttftNanos / 1e9);
        }
        if (tokensPerSecond >= 0 && Double.isFinite(tokensPerSecond)) {
            observe(rate, RATES, labels, tokensPerSecond);
        }
    }

    private static void observe(Map<Labels, Series> family, double[] bounds, Labels labels, double value) {
        Series s = family.computeIfAbsent(labels, l -> new Series(bounds.length));
        int i = 0;
        while (i < bounds.length && value > bounds[i]) {
            i++;
        }
        s.buckets[i].increment();
        s.sum.add(value);
    }

    /** {@return how many requests were counted with these labels, for tests} */
    long count(Labels labels) {
        Series s = duration.get(labels);
        if (s == null) {
            return 0;
        }
        long n = 0;
        for (LongAdder b : s.buckets) {
            n += b.sum();
        }
        return n;
    }

    /** Adds the three histograms to {@code text}. */
    void write(PrometheusText text) {
        write(text, DURATION, "Time from a /v1 request's arrival to the end of its answer, by route, model and key.",
                duration, SECONDS);
        write(text, TTFT, "Time from a streamed request's arrival to its first chunk from upstream, by route, model and key.",
                ttft, SECONDS);
        write(text, TOKENS_PER_SECOND, "Output tokens per second of each answer (a stream's from its first chunk), "
                + "by route, model and key.", rate, RATES);
    }

    private static void write(PrometheusText text, String name, String help, Map<Labels, Series> family, double[] bounds) {
        text.sample(name, "histogram", help, null);
        Map<String, Series> sorted = new TreeMap<>();
        family.forEach((l, s) -> sorted.put(l.text(), s));
        sorted.forEach((labels, s) -> {
            long cumulative = 0;
            for (int i = 0; i < s.buckets.length; i++) {
                cumulative += s.buckets[i].sum();
                String le = i < bounds.length ? number(bounds[i]) : "+Inf";
                text.sample(name, null, null, name + "_bucket{" + labels + ",le=\"" + le + "\"} " + cumulative);
            }
            text.sample(name, null, null, name + "_sum{" + labels + "} " + String.format(Locale.ROOT, "%.6f", s.sum.sum()));
            text.sample(name, null, null, name + "_count{" + labels + "} " + cumulative);
        });
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
