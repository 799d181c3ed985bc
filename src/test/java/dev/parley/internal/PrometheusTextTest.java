package dev.parley.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.LlmException;
import dev.parley.MetricsSnapshot;

/** The exposition is written from the snapshots directly: one client's, or several under a label. */
class PrometheusTextTest {

    private static MetricsSnapshot snapshot(long calls) {
        long[] buckets = new long[PrometheusText.latencyBuckets()];
        buckets[0] = calls - 1;
        buckets[buckets.length - 1] = 1;
        return new MetricsSnapshot(calls, calls - 1, 1, Map.of(LlmException.Kind.TIMEOUT, 1L), calls + 2, 0, 4,
                10, 20, 0.5, buckets, 1_500_000);
    }

    @Test
    void oneSource_hasNoSourceLabel_andCumulativeBuckets() {
        PrometheusText t = new PrometheusText();
        t.add(snapshot(3), null, null);
        String text = t.text();
        assertTrue(text.startsWith("# HELP parley_requests_total Calls started.\n# TYPE parley_requests_total counter\n"
                + "parley_requests_total 3\n"), text);
        assertTrue(text.contains("parley_errors_total{kind=\"timeout\"} 1\n"), text);
        assertTrue(text.contains("parley_errors_total{kind=\"network\"} 0\n"), text);
        assertTrue(text.contains("parley_tokens_total{direction=\"output\"} 20\n"), text);
        assertTrue(text.contains("parley_request_duration_seconds_bucket{le=\"0.005\"} 2\n"
                + "parley_request_duration_seconds_bucket{le=\"0.010\"} 2\n"), text);
        assertTrue(text.contains("parley_request_duration_seconds_bucket{le=\"+Inf\"} 3\n"
                + "parley_request_duration_seconds_sum 1.500000\nparley_request_duration_seconds_count 3\n"), text);
    }

    @Test
    void severalSources_shareEachFamily_withTheirLabelFirst_escaped() {
        PrometheusText t = new PrometheusText();
        t.add(snapshot(3), "route", "a");
        t.add(snapshot(5), "route", "b\"\\\n");
        t.sample("parley_gateway_streams_open", "gauge", "Streams.", "parley_gateway_streams_open 0");
        String text = t.text();
        assertTrue(text.contains("# TYPE parley_requests_total counter\nparley_requests_total{route=\"a\"} 3\n"
                + "parley_requests_total{route=\"b\\\"\\\\\\n\"} 5\n"), text);
        assertTrue(text.contains("parley_errors_total{route=\"a\",kind=\"timeout\"} 1\n"), text);
        assertTrue(text.contains("parley_request_duration_seconds_count{route=\"a\"} 3\n"
                + "parley_request_duration_seconds_bucket{route=\"b\\\"\\\\\\n\",le=\"0.005\"} 4\n"), text);
        for (String family : List.of("parley_requests_total", "parley_errors_total", "parley_request_duration_seconds",
                "parley_gateway_streams_open")) {
            assertEquals(1, text.split("# TYPE " + family + " ", -1).length - 1, family + " declared once: " + text);
        }
        assertTrue(text.endsWith("# TYPE parley_gateway_streams_open gauge\nparley_gateway_streams_open 0\n"), text);
    }

    @Test
    void latencyBuckets_boundsAreInclusive() {
        assertEquals(0, PrometheusText.latencyBucket(5));
        assertEquals(1, PrometheusText.latencyBucket(6));
        assertEquals(PrometheusText.latencyBuckets() - 1, PrometheusText.latencyBucket(120_001));
    }
}
