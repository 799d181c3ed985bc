package dev.parley.gateway;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.parley.gateway.Router.Route;
import dev.parley.internal.PrometheusText;
import dev.parley.internal.redis.SharedState;

/**
 * The gateway's own counters, and the {@code /metrics} exposition that merges them with every
 * route's {@code Llm.metrics()}.
 *
 * <p>Route metrics keep their names ({@code parley_requests_total} ...) and gain a
 * {@code route} label; a client configured under several names is reported once, under the
 * first. Gateway metrics are {@code parley_gateway_*}: requests by path and status (paths
 * outside the API are counted as {@code other}, so random paths cannot blow up the label set),
 * client disconnects, rejected keys, requests in flight, streams open, connections open,
 * refused on arrival and closed at a deadline; with Redis, whether it answers and how often each
 * kind of state fell back while it did not; then the {@link RequestHistograms}. Lock-free and
 * thread-safe.
 */
final class GatewayMetrics {

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder disconnects = new LongAdder();
    private final LongAdder authRejected = new LongAdder();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger streams = new AtomicInteger();
    /** Connections refused at once: over the per-address cap, over the gateway's cap. */
    final LongAdder refusedPerAddress = new LongAdder();
    final LongAdder refusedTotal = new LongAdder();
    /** Connections closed at a deadline, by the phase it ended: header, body, idle, drain, write. */
    private final Map<String, LongAdder> timedOut = new ConcurrentHashMap<>();
    /** How many connections are open now; set once the server runs. */
    volatile java.util.function.IntSupplier openConnections = () -> 0;
    /** The histograms of /v1 requests by route, model and key. */
    final RequestHistograms histograms = new RequestHistograms();
    /** How many access-log lines were dropped because the log fell behind; set by the gateway. */
    volatile java.util.function.LongSupplier accessLogDropped = () -> 0;
    /** The health of the state shared through Redis; null without Redis. Set by the gateway. */
    volatile java.util.function.Supplier<SharedState.Health> redis;

    /** Counts a connection closed because the deadline of {@code phase} passed. */
    void timedOut(String phase) {
        timedOut.computeIfAbsent(phase, k -> new LongAdder()).increment();
    }

    /** Counts an answered request. @param path the API path, or anything (counted as "other") @param status the status sent */
    void request(String path, int status) {
        requests.computeIfAbsent(label(path) + "\u0000" + status, k -> new LongAdder()).increment();
    }

    void clientDisconnected() {
        disconnects.increment();
    }

    void authRejected() {
        authRejected.increment();
    }

    /** {@return how many requests to {@code path} were answered with {@code status}} */
    long requests(String path, int status) {
        LongAdder a = requests.get(label(path) + "\u0000" + status);
        return a == null ? 0 : a.sum();
    }

    long clientDisconnects() {
        return disconnects.sum();
    }

    long authRejections() {
        return authRejected.sum();
    }

    private static String label(String path) {
        return switch (path) {
            case "/v1/chat/completions", "/v1/responses", "/v1/embeddings", "/v1/models", "/health", "/health/ready", "/metrics" -> path;
            default -> path.startsWith("/v1/models/") ? "/v1/models/{id}"
                    : AdminApi.owns(path) ? (path.startsWith("/admin") ? "/admin" : "/dashboard") : "other";
        };
    }

    /**
     * {@return the {@code /v1} requests answered so far: in all, those answered with a status of
     * 400 or more, and of 500 or more}; the sum of {@code parley_gateway_requests_total} over the
     * {@code /v1} paths
     */
    long[] apiRequests() {
        long[] t = new long[3];
        requests.forEach((key, count) -> {
            if (key.startsWith("/v1/")) {
                long n = count.sum();
                int status = Integer.parseInt(key.substring(key.indexOf('\u0000') + 1));
                t[0] += n;
                t[1] += status >= 400 ? n : 0;
                t[2] += status >= 500 ? n : 0;
            }
        });
        return t;
    }

    /** {@return the Prometheus text exposition: route metrics labelled by route, then the gateway's} */
    String prometheus(Iterable<Route> clients) {
        return prometheus(clients, List.of());
    }

    /** {@return the metrics text, with what each virtual key used, per model, summed over days} */
    String prometheus(Iterable<Route> clients, List<SpendStore.Spend> spend) {
        PrometheusText text = new PrometheusText();
        for (Route r : clients) {
            text.add(r.llm().metrics().snapshot(), "route", r.name());
        }
        String name = "parley_gateway_requests_total";
        text.sample(name, "counter", "HTTP requests answered by the gateway, by path and status.", null);
        new TreeMap<>(requests).forEach((key, count) -> {
            int sep = key.indexOf('\u0000');
            text.sample(name, null, null, name + "{path=\"" + PrometheusText.escape(key.substring(0, sep))
                    + "\",status=\"" + key.substring(sep + 1) + "\"} " + count.sum());
        });
        text.sample("parley_gateway_client_disconnects_total", "counter",
                "Requests whose client went away before the answer was complete.",
                "parley_gateway_client_disconnects_total " + disconnects.sum());
        text.sample("parley_gateway_connections_open", "gauge",
                "Client connections open now.", "parley_gateway_connections_open " + openConnections.getAsInt());
        String refused = "parley_gateway_connections_refused_total";
        text.sample(refused, "counter", "Connections refused on arrival, over the per-address or the gateway's cap.",
                refused + "{reason=\"per_address\"} " + refusedPerAddress.sum());
        text.sample(refused, null, null, refused + "{reason=\"total\"} " + refusedTotal.sum());
        String timeouts = "parley_gateway_connections_timed_out_total";
        text.sample(timeouts, "counter", "Connections closed because a phase's deadline passed, by phase.", null);
        new TreeMap<>(timedOut).forEach((phase, count) ->
                text.sample(timeouts, null, null, timeouts + "{phase=\"" + phase + "\"} " + count.sum()));
        text.sample("parley_gateway_auth_rejected_total", "counter",
                "Requests refused for a missing or wrong key.", "parley_gateway_auth_rejected_total " + authRejected.sum());
        text.sample("parley_gateway_requests_in_flight", "gauge",
                "Requests being handled now.", "parley_gateway_requests_in_flight " + inFlight.get());
        text.sample("parley_gateway_streams_open", "gauge",
                "Streamed completions being sent now.", "parley_gateway_streams_open " + streams.get());
        text.sample("parley_gateway_access_log_dropped_total", "counter",
                "Access-log lines dropped because writing them fell behind.",
                "parley_gateway_access_log_dropped_total " + accessLogDropped.getAsLong());
        java.util.function.Supplier<SharedState.Health> shared = redis;
        if (shared != null) {
            redis(text, shared.get());
        }
        if (!spend.isEmpty()) {
            Map<String, long[]> tokens = new TreeMap<>();
            Map<String, Double> usd = new TreeMap<>();
            for (SpendStore.Spend s : spend) {
                String labels = "key=\"" + PrometheusText.escape(s.key()) + "\",model=\"" + PrometheusText.escape(s.model()) + "\"";
                long[] t = tokens.computeIfAbsent(labels, k -> new long[3]);
                t[0] += s.requests();
                t[1] += s.inputTokens();
                t[2] += s.outputTokens();
                usd.merge(labels, s.usd(), Double::sum);
            }
            String calls = "parley_gateway_key_requests_total";
            text.sample(calls, "counter", "Upstream calls answered for each virtual key, by model (calls that failed before any output are in parley_gateway_requests_total only).", null);
            tokens.forEach((labels, t) -> text.sample(calls, null, null, calls + "{" + labels + "} " + t[0]));
            String tok = "parley_gateway_key_tokens_total";
            text.sample(tok, "counter", "Tokens used with each virtual key, by model and type.", null);
            tokens.forEach((labels, t) -> {
                text.sample(tok, null, null, tok + "{" + labels + ",type=\"input\"} " + t[1]);
                text.sample(tok, null, null, tok + "{" + labels + ",type=\"output\"} " + t[2]);
            });
            String cost = "parley_gateway_key_cost_usd_total";
            text.sample(cost, "counter", "US dollars spent with each virtual key, by model, at the gateway's prices.", null);
            usd.forEach((labels, d) -> text.sample(cost, null, null, cost + "{" + labels + "} " + d));
        }
        histograms.write(text);
        return text.text();
    }

    private static void redis(PrometheusText text, SharedState.Health h) {
        text.sample("parley_gateway_redis_up", "gauge",
                "Whether Redis, which holds the state gateway instances share, answered the last command (1) or not (0).",
                "parley_gateway_redis_up " + (h.up() ? 1 : 0));
        text.sample("parley_gateway_redis_failures_total", "counter",
                "Redis commands that could not be answered (Redis down, unreachable or too slow).",
                "parley_gateway_redis_failures_total " + h.failures());
        text.sample("parley_gateway_redis_reply_errors_total", "counter",
                "Redis commands Redis refused with an error (a misconfiguration, such as an ACL).",
                "parley_gateway_redis_reply_errors_total " + h.replyErrors());
        String fallbacks = "parley_gateway_redis_fallbacks_total";
        text.sample(fallbacks, "counter", "Decisions made without Redis while it could not be reached, by kind: cache"
                + " reads and writes skipped, limits decided by this instance alone, budget checks refused or allowed untracked,"
                + " circuit-breaker decisions left to this instance's own breaker.", null);
        text.sample(fallbacks, null, null, fallbacks + "{kind=\"budget_refused\"} " + h.budgetRefusals());
        text.sample(fallbacks, null, null, fallbacks + "{kind=\"budget_untracked\"} " + h.budgetUntracked());
        text.sample(fallbacks, null, null, fallbacks + "{kind=\"cache\"} " + h.cacheFailures());
        text.sample(fallbacks, null, null, fallbacks + "{kind=\"circuit\"} " + h.circuitFallbacks());
        text.sample(fallbacks, null, null, fallbacks + "{kind=\"limit\"} " + h.limitFallbacks());
        text.sample("parley_gateway_redis_settlements_pending", "gauge",
                "Spend settled while Redis was down, kept in memory until it answers again.",
                "parley_gateway_redis_settlements_pending " + h.settlementsPending());
        text.sample("parley_gateway_redis_settlements_lost_total", "counter",
                "Spend that could not be recorded because Redis was down too long.",
                "parley_gateway_redis_settlements_lost_total " + h.settlementsLost());
    }
}
