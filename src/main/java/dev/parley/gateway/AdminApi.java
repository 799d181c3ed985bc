package dev.parley.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.MetricsSnapshot;
import dev.parley.gateway.GatewayServer.Exchange;
import dev.parley.internal.CircuitSharing;
import dev.parley.internal.LlmInternals;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;
import dev.parley.limit.RateLimitPolicy;
import dev.parley.limit.RateLimitStats;
import dev.parley.route.CircuitBreaker;
import dev.parley.spi.Ticker;

/**
 * The admin API ({@code GET /admin/keys}, {@code /admin/requests}, {@code /admin/upstreams},
 * {@code /admin/summary}), the dashboard's static files ({@code /dashboard}), and the admin key
 * that guards them and {@code /metrics}. Also what they learn from each finished request: the
 * ring of recent requests and the labelled histograms.
 *
 * <p>Without an admin key, {@code /admin/*} and {@code /dashboard} answer 404 saying how to
 * enable them, and {@code /metrics} is open. With one, {@code /admin/*} and {@code /metrics} need
 * {@code Authorization: Bearer <admin key>}: no key or a wrong one is 401, a client key 403. The
 * dashboard's files hold no data, so they are served to anyone; the page's script asks the admin
 * API, with the key the user gives it. Only the admin key's SHA-256 digest is kept; the presented
 * key's digest is compared with {@link MessageDigest#isEqual}. Thread-safe.
 */
final class AdminApi {

    /** The dashboard's files: name, content type. */
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "dashboard.js", "text/javascript; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8");

    /** Nothing from another origin, no inline script or style, no framing, no form posts. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    static final int DEFAULT_LIMIT = 50;

    private final byte[] adminDigest;
    private final Router router;
    private final ApiKeys keys;
    private final VirtualKeys virtualKeys;
    private final GatewayMetrics metrics;
    private final RecentRequests recent;
    private final ModelLabels modelLabels;
    private final Ticker ticker;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    /** Each route's name in metrics: a client configured under several names is labelled with its first, as its own metrics are. */
    private final Map<String, String> routeLabels = new java.util.HashMap<>();
    private volatile long startNanos;
    /** Admin API, dashboard and metrics requests being handled now: not traffic, left out of the summary's count. */
    final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param adminKey    the admin key, or null for none
     */
    AdminApi(String adminKey, Router router, ApiKeys keys, VirtualKeys virtualKeys, GatewayMetrics metrics, Ticker ticker) {
        this.adminDigest = adminKey == null ? null : KeysConfig.digest(adminKey);
        this.router = router;
        this.keys = keys;
        this.virtualKeys = virtualKeys;
        this.metrics = metrics;
        this.ticker = ticker;
        this.recent = new RecentRequests(ticker);
        this.modelLabels = new ModelLabels(router, virtualKeys::dealias);
        this.startNanos = ticker.nanos();
        Map<Llm, String> first = new IdentityHashMap<>();
        for (Router.Route r : router.distinctClients()) {
            first.put(r.llm(), r.name());
        }
        for (Router.Route r : router.routes()) {
            routeLabels.put(r.name(), first.get(r.llm()));
        }
        if (adminDigest != null) {
            for (String name : FILES.keySet()) {
                files.put(name, resource(name));
            }
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = AdminApi.class.getResourceAsStream("dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's file " + name + " is missing from Parley's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return whether an admin key is set} */
    boolean enabled() {
        return adminDigest != null;
    }

    /** {@return whether one of {@code keys} is the admin key}, compared by digest in constant time */
    boolean isAmong(List<VirtualKey> keys) {
        boolean found = false;
        if (adminDigest != null) {
            for (VirtualKey k : keys) {
                found |= MessageDigest.isEqual(k.digest(), adminDigest);
            }
        }
        return found;
    }

    /** Notes that the gateway started now, for the uptime. */
    void started() {
        startNanos = ticker.nanos();
    }

    /** {@return whether {@code path} is the admin API's or the dashboard's} */
    static boolean owns(String path) {
        return path.equals("/admin") || path.startsWith("/admin/") || path.equals("/dashboard")
                || path.startsWith("/dashboard/");
    }

    /** {@return the recent requests, for tests} */
    RecentRequests recent() {
        return recent;
    }

    // ---- what each finished request teaches

    /**
     * Records a finished request: in the ring of recent requests (its access-log line) and,
     * for a {@code /v1} request, in the labelled histograms and the per-second counts.
     */
    void record(AccessLog.Entry e, JsonObject line) {
        boolean api = e.path != null && e.path.startsWith("/v1/");
        long duration = e.endNanos - e.startNanos;
        long ttft = e.firstTokenNanos >= 0 ? e.firstTokenNanos - e.startNanos : -1;
        if (api) {
            double rate = -1;
            if (e.outputTokens > 0) {
                long generating = e.firstTokenNanos >= 0 ? e.endNanos - e.firstTokenNanos : duration;
                rate = generating > 0 ? e.outputTokens * 1e9 / generating : -1;
            }
            metrics.histograms.observe(new RequestHistograms.Labels(
                    e.route != null ? routeLabels.getOrDefault(e.route, e.route) : RequestHistograms.NONE,
                    modelLabels.label(e.route, e.model, e.status),
                    e.key != null ? e.key.name() : RequestHistograms.NONE), duration, ttft, rate);
        }
        if (line.has("prompt") || line.has("answer")) { // the access log may hold them when asked; the admin API never
            line = line.toBuilder().remove("prompt").remove("answer").build();
        }
        recent.add(new RecentRequests.Done(recent.now(), api, e.status, duration / 1000, ttft < 0 ? -1 : ttft / 1000, line));
    }

    // ---- authorization

    /** Lets a {@code /metrics} scrape through: always without an admin key, else with it. @throws ApiError 401 or 403 */
    void authorizeMetrics(Exchange ex) {
        if (adminDigest != null) {
            authorize(ex);
        }
    }

    private void authorize(Exchange ex) {
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        String presented = ApiKeys.bearer(authorization);
        if (presented != null && MessageDigest.isEqual(KeysConfig.digest(presented), adminDigest)) {
            return;
        }
        metrics.authRejected();
        if (presented == null) {
            throw new ApiError(401, "invalid_request_error", null, null,
                    "This endpoint needs the gateway's admin key. Provide it in an Authorization header using Bearer auth "
                            + "(Authorization: Bearer ADMIN_KEY).")
                    .withHeader("WWW-Authenticate", "Bearer");
        }
        boolean clientKey = virtualKeys.enabled() ? virtualKeys.authenticate(authorization) != null
                : keys.enabled() && keys.accepts(authorization);
        if (clientKey) {
            throw new ApiError(403, "permission_error", "admin_key_required", null,
                    "A client key cannot use this endpoint; it needs the gateway's admin key.");
        }
        throw new ApiError(401, "invalid_request_error", "invalid_api_key", null, "Incorrect admin key provided.")
                .withHeader("WWW-Authenticate", "Bearer");
    }

    // ---- requests

    /** Answers a request for a path that {@link #owns}. @return the status sent @throws IOException if the client goes away */
    int handle(Exchange ex, String path) throws IOException {
        if (adminDigest == null) {
            throw new ApiError(404, "invalid_request_error", "admin_disabled", null,
                    "The admin API and the dashboard are off: start the gateway with an admin key "
                            + "(PARLEY_GATEWAY_ADMIN_KEY for parley serve, Gateway.Builder.adminKey in code) to enable them.");
        }
        if (path.startsWith("/dashboard")) {
            return dashboard(ex, path);
        }
        authorize(ex);
        method(ex);
        return switch (path) {
            case "/admin/keys" -> HttpIo.sendJson(ex, 200, keysJson());
            case "/admin/requests" -> HttpIo.sendJson(ex, 200, JsonObject.of("requests",
                    JsonArray.of(recent.last(limit(ex.getRequestURI().getRawQuery())))));
            case "/admin/upstreams" -> HttpIo.sendJson(ex, 200, upstreamsJson());
            case "/admin/summary" -> HttpIo.sendJson(ex, 200, summaryJson());
            default -> throw new ApiError(404, "invalid_request_error", "unknown_url", null,
                    "Invalid URL (" + ex.getRequestMethod() + " " + path + "). The admin API has GET /admin/keys, "
                            + "/admin/requests, /admin/upstreams and /admin/summary.");
        };
    }

    private int dashboard(Exchange ex, String path) throws IOException {
        String name = switch (path) {
            case "/dashboard", "/dashboard/", "/dashboard/index.html" -> "index.html";
            default -> path.substring("/dashboard/".length());
        };
        byte[] body = files.get(name);
        if (body == null) {
            throw new ApiError(404, "invalid_request_error", "unknown_url", null,
                    "Invalid URL (" + ex.getRequestMethod() + " " + path + "). The dashboard is at /dashboard.");
        }
        String m = ex.getRequestMethod();
        if (!m.equals("GET") && !m.equals("HEAD")) {
            throw new ApiError(405, "invalid_request_error", "method_not_allowed", null,
                    "Method " + m + " is not allowed here; use GET.").withHeader("Allow", "GET, HEAD");
        }
        ex.getResponseHeaders().set("Content-Security-Policy", CSP);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        ex.getResponseHeaders().set("X-Frame-Options", "DENY");
        return HttpIo.sendText(ex, 200, FILES.get(name), new String(body, java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void method(Exchange ex) {
        if (!ex.getRequestMethod().equals("GET")) {
            throw new ApiError(405, "invalid_request_error", "method_not_allowed", null,
                    "Method " + ex.getRequestMethod() + " is not allowed here; use GET.").withHeader("Allow", "GET");
        }
    }

    /** {@return the {@code limit} of a query string: 1 to the ring's size, default 50} @throws ApiError 400 */
    static int limit(String query) {
        if (query == null || query.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("limit=")) {
                String v = pair.substring("limit=".length());
                try {
                    int n = Integer.parseInt(v);
                    if (n >= 1 && n <= RecentRequests.CAPACITY) {
                        return n;
                    }
                } catch (NumberFormatException ignored) {
                    // reported below
                }
                throw ApiError.invalid("limit: expected a whole number from 1 to " + RecentRequests.CAPACITY + ".", "limit");
            }
        }
        return DEFAULT_LIMIT;
    }

    // ---- the answers

    /** What one key (or one model) used: requests, tokens, and spend in three windows. */
    private static final class Used {
        long requests;
        long inputTokens;
        long outputTokens;
        double today;
        double month;
        double total;

        void add(SpendStore.Spend s, LocalDate today, YearMonth month) {
            requests += s.requests();
            inputTokens += s.inputTokens();
            outputTokens += s.outputTokens();
            total += s.usd();
            if (s.day().equals(today)) {
                this.today += s.usd();
            }
            if (YearMonth.from(s.day()).equals(month)) {
                this.month += s.usd();
            }
        }

        JsonObject usage() {
            return JsonObject.newBuilder().put("requests", requests).put("input_tokens", inputTokens)
                    .put("output_tokens", outputTokens).build();
        }

        JsonObject spend() {
            return JsonObject.newBuilder().put("today_usd", today).put("month_usd", month).put("total_usd", total).build();
        }
    }

    /** {@return what each key and each model used, in the spending store's order: keys, then models} */
    private List<Map<String, Used>> used() {
        LocalDate today = LocalDate.ofInstant(ticker.instant(), ZoneOffset.UTC);
        YearMonth month = YearMonth.from(today);
        Map<String, Used> byKey = new TreeMap<>();
        Map<String, Used> byModel = new TreeMap<>();
        for (SpendStore.Spend s : virtualKeys.spend().spend()) {
            byKey.computeIfAbsent(s.key(), k -> new Used()).add(s, today, month);
            byModel.computeIfAbsent(s.model(), k -> new Used()).add(s, today, month);
        }
        return List.of(byKey, byModel);
    }

    JsonObject keysJson() {
        Map<String, Used> byKey = new LinkedHashMap<>(used().get(0));
        JsonArray.Builder out = JsonArray.newBuilder();
        for (VirtualKey k : virtualKeys.keys()) {
            Used u = byKey.remove(k.name());
            if (u == null) {
                u = new Used();
            }
            out.add(JsonObject.newBuilder()
                    .put("name", k.name())
                    .put("configured", true)
                    .put("owner", orNull(k.owner()))
                    .put("team", orNull(k.team()))
                    .put("models", JsonArray.ofStrings(k.models()))
                    .put("limits", JsonObject.newBuilder().put("rpm", k.rpm()).put("tpm", k.tpm())
                            .put("concurrency", k.concurrency()).build())
                    .put("budget", JsonObject.newBuilder().put("daily", orNull(k.daily())).put("monthly", orNull(k.monthly()))
                            .put("total", orNull(k.total())).build())
                    .put("usage", u.usage())
                    .put("spend", u.spend())
                    .build());
        }
        // Keys that spent and are no longer in the file: their spending still counts.
        byKey.forEach((name, u) -> out.add(JsonObject.newBuilder().put("name", name).put("configured", false)
                .put("usage", u.usage()).put("spend", u.spend()).build()));
        return JsonObject.newBuilder().put("virtual_keys", virtualKeys.enabled()).put("keys", out.build()).build();
    }

    JsonObject upstreamsJson() {
        Map<Llm, List<String>> names = new IdentityHashMap<>();
        for (Router.Route r : router.routes()) {
            names.computeIfAbsent(r.llm(), l -> new ArrayList<>()).add(r.name());
        }
        JsonArray.Builder out = JsonArray.newBuilder();
        for (Router.Route r : router.distinctClients()) {
            Llm llm = r.llm();
            LlmInternals.Policies p = LlmInternals.policies(llm);
            out.add(JsonObject.newBuilder()
                    .put("route", r.name())
                    .put("names", JsonArray.ofStrings(names.get(llm)))
                    .put("provider", llm.providerName())
                    .put("default_model", orNull(llm.defaultModel()))
                    .put("breaker", breaker(p.breaker()))
                    .put("rate_limit", rateLimit(p.rateLimit()))
                    .put("metrics", snapshot(llm.metrics().snapshot()))
                    .build());
        }
        return JsonObject.of("upstreams", out.build());
    }

    private static JsonValue breaker(CircuitBreaker b) {
        if (b == null) {
            return JsonNull.INSTANCE;
        }
        CircuitBreaker.Stats s = b.stats();
        return JsonObject.newBuilder()
                .put("state", s.state().name().toLowerCase(Locale.ROOT))
                .put("opened", s.opened())
                .put("half_opened", s.halfOpened())
                .put("closed", s.closed())
                .put("rejected", s.rejected())
                .put("successes", s.successes())
                .put("failures", s.failures())
                .put("shared", shared(CircuitSharing.store(b)))
                .build();
    }

    /**
     * {@return the state a breaker shares with the gateway's other instances, as Redis holds it
     * now: its {@code name} there, {@code state} (null while Redis cannot answer) and, when open,
     * {@code open_for_ms}; null for a breaker of this process alone}
     */
    private static JsonValue shared(CircuitSharing.Store store) {
        if (store == null) {
            return JsonNull.INSTANCE;
        }
        CircuitSharing.View v = store.view();
        JsonObject.Builder out = JsonObject.newBuilder().put("name", store.name())
                .put("state", v == null ? JsonNull.INSTANCE : dev.parley.json.JsonString.of(v.state().name().toLowerCase(Locale.ROOT)));
        if (v != null && v.state() == CircuitBreaker.State.OPEN) {
            out.put("open_for_ms", v.openFor().toMillis());
        }
        return out.build();
    }

    private static JsonValue rateLimit(RateLimitPolicy l) {
        if (l == null) {
            return JsonNull.INSTANCE;
        }
        RateLimitStats s = l.stats();
        String d = l.toString();
        return JsonObject.newBuilder()
                .put("limits", d.startsWith("RateLimitPolicy[") && d.endsWith("]") ? d.substring(16, d.length() - 1) : d)
                .put("granted", s.grantedCount())
                .put("rejected", s.rejectedCount())
                .put("waiting", s.waitingCount())
                .put("in_flight", s.inFlightCount())
                .put("average_wait_ms", s.averageWait().toNanos() / 1e6)
                .build();
    }

    private static JsonObject snapshot(MetricsSnapshot s) {
        JsonObject.Builder kinds = JsonObject.newBuilder();
        new TreeMap<>(s.errorsByKind()).forEach((LlmException.Kind k, Long n) -> kinds.put(k.name().toLowerCase(Locale.ROOT), n));
        long done = s.succeeded() + s.errors();
        return JsonObject.newBuilder()
                .put("calls", s.calls())
                .put("succeeded", s.succeeded())
                .put("errors", s.errors())
                .put("errors_by_kind", kinds.build())
                .put("attempts", s.attempts())
                .put("retries", s.retries())
                .put("cache_hits", s.cacheHits())
                .put("stream_chunks", s.chunks())
                .put("input_tokens", s.inputTokens())
                .put("output_tokens", s.outputTokens())
                .put("cost_usd", s.costUsd())
                .put("mean_latency_ms", done == 0 ? 0 : s.latencyMicrosSum() / 1000.0 / done)
                .build();
    }

    JsonObject summaryJson() {
        long[] totals = metrics.apiRequests();
        RecentRequests.Window w = recent.lastMinute();
        JsonArray.Builder perSecond = JsonArray.newBuilder();
        for (long n : w.perSecond()) {
            perSecond.add(n);
        }
        List<Map<String, Used>> used = used();
        double spent = 0;
        long charged = 0;
        JsonArray.Builder byKey = JsonArray.newBuilder();
        for (Map.Entry<String, Used> e : used.get(0).entrySet()) {
            spent += e.getValue().total;
            charged += e.getValue().requests;
            byKey.add(spendRow("key", e.getKey(), e.getValue()));
        }
        JsonArray.Builder byModel = JsonArray.newBuilder();
        used.get(1).forEach((model, u) -> byModel.add(spendRow("model", model, u)));
        return JsonObject.newBuilder()
                .put("time", Instant.now().toString())
                .put("uptime_seconds", (ticker.nanos() - startNanos) / 1_000_000_000L)
                .put("requests", JsonObject.newBuilder()
                        .put("total", totals[0])
                        .put("errors", totals[1])
                        .put("server_errors", totals[2])
                        .put("in_flight", Math.max(0, metrics.inFlight.get() - inFlight.get()))
                        .put("streams_open", metrics.streams.get())
                        .build())
                .put("last_minute", JsonObject.newBuilder()
                        .put("requests", w.requests())
                        .put("errors", w.errors())
                        .put("requests_per_second", w.requests() / (double) RecentRequests.SECONDS)
                        .put("per_second", perSecond.build())
                        .build())
                .put("latency_ms", percentiles(recent.latency()))
                .put("ttft_ms", percentiles(recent.ttft()))
                .put("spend", JsonObject.newBuilder()
                        .put("virtual_keys", virtualKeys.enabled())
                        .put("total_usd", spent)
                        .put("requests", charged)
                        .put("by_key", byKey.build())
                        .put("by_model", byModel.build())
                        .build())
                .build();
    }

    private static JsonObject spendRow(String label, String name, Used u) {
        return JsonObject.newBuilder().put(label, name).put("requests", u.requests).put("input_tokens", u.inputTokens)
                .put("output_tokens", u.outputTokens).put("today_usd", u.today).put("total_usd", u.total).build();
    }

    private static JsonObject percentiles(RecentRequests.Percentiles p) {
        return JsonObject.newBuilder().put("samples", p.samples()).put("p50", p.p50()).put("p90", p.p90())
                .put("p99", p.p99()).put("max", p.max()).build();
    }

    private static JsonValue orNull(String s) {
        return s == null ? JsonNull.INSTANCE : dev.parley.json.JsonString.of(s);
    }

    private static JsonValue orNull(Double d) {
        return d == null ? JsonNull.INSTANCE : JsonNumber.of(d);
    }
}
