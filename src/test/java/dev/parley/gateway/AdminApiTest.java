package dev.parley.gateway;

import static dev.parley.gateway.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.ChatResponse;
import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.Usage;
import dev.parley.cost.ModelPrice;
import dev.parley.cost.PriceTable;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.limit.RateLimitPolicy;
import dev.parley.route.CircuitBreaker;
import dev.parley.testing.ManualTicker;
import dev.parley.testing.ScriptedProvider;

/** The admin key, the admin API, the labelled histograms and the dashboard's files. */
class AdminApiTest extends GatewayTestBase {

    static final String ADMIN = "adm-canary-admin-key-0123456789";
    static final String KEY = "sk-canary-virtual-key-0123456789";
    static final String OTHER_KEY = "sk-canary-second-key-9876543210";
    static final String PROMPT = "canary prompt text that must never be shown";
    /** 1000 input and 1000 output tokens at $10 per million each: $0.02 a call. */
    static final PriceTable PRICES = PriceTable.empty().withPrice("fake", "m", ModelPrice.of(10, 10));

    @TempDir
    Path dir;

    private final ManualTicker ticker = new ManualTicker();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    static String chat(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":10," + (stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}";
    }

    static Path config(Path dir) throws IOException {
        Path file = dir.resolve("gateway.json");
        Files.writeString(file, "{\"keys\":["
                + "{\"name\":\"app-1\",\"hash\":\"" + KeysConfig.hash(KEY) + "\",\"owner\":\"ana\",\"team\":\"search\","
                + "\"limits\":{\"rpm\":600},\"budget\":{\"daily\":5.0}},"
                + "{\"name\":\"app-2\",\"hash\":\"" + KeysConfig.hash(OTHER_KEY) + "\"}],"
                + "\"aliases\":{\"fast\":\"m\"}}");
        return file;
    }

    static ScriptedProvider upstream() {
        return ScriptedProvider.newBuilder("fake").answer(r -> {
            if (!r.model().equals("m")) {
                throw LlmException.newBuilder(LlmException.Kind.NOT_FOUND).provider("fake")
                        .message("no such model").build();
            }
            return ChatResponse.newBuilder().provider("fake").model("m").text("hi").finishReason("stop")
                    .usage(Usage.of(1000, 1000)).build();
        }).build();
    }

    private void startKeyed(Llm llm) throws IOException {
        start(Gateway.newBuilder().defaultRoute(llm).configFile(config(dir)).prices(PRICES).ticker(ticker)
                .accessLog(log).adminKey(ADMIN));
    }

    private HttpResponse<String> admin(String path) {
        return http.get(path, "Authorization", "Bearer " + ADMIN);
    }

    private static double metric(String metrics, String line) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(line) + " (\\S+)$").matcher(metrics);
        assertTrue(m.find(), "no " + line + " in\n" + metrics);
        return Double.parseDouble(m.group(1));
    }

    // ---- the admin key

    @Test
    void withoutAnAdminKey_metricsStayOpen_andAdminAndDashboardAre404SayingHowToEnableThem() {
        start(Gateway.newBuilder().defaultRoute(llm(upstream(), "m")));

        assertEquals(200, http.get("/metrics").statusCode());
        for (String path : List.of("/admin/summary", "/admin/keys", "/dashboard", "/dashboard/dashboard.js")) {
            HttpResponse<String> r = http.get(path);
            assertEquals(404, r.statusCode(), path);
            JsonObject error = json(r).object("error");
            assertEquals("admin_disabled", error.string("code"), path);
            assertTrue(error.string("message").contains("PARLEY_GATEWAY_ADMIN_KEY"), error.string("message"));
        }
    }

    @Test
    void withAnAdminKey_metricsAndAdminNeedIt_clientKeysGet403_wrongOrMissingKeys401() throws IOException {
        startKeyed(llm(upstream(), "m"));

        for (String path : List.of("/metrics", "/admin/summary", "/admin/keys", "/admin/requests", "/admin/upstreams")) {
            HttpResponse<String> none = http.get(path);
            assertEquals(401, none.statusCode(), path);
            assertEquals("Bearer", none.headers().firstValue("www-authenticate").orElseThrow());
            assertNotNull(json(none).object("error").string("message"));

            HttpResponse<String> wrong = http.get(path, "Authorization", "Bearer adm-not-the-admin-key-000000");
            assertEquals(401, wrong.statusCode(), path);
            assertEquals("invalid_api_key", json(wrong).object("error").string("code"));

            HttpResponse<String> client = http.get(path, "Authorization", "Bearer " + KEY);
            assertEquals(403, client.statusCode(), path + " must not open with a virtual key");
            assertEquals("permission_error", json(client).object("error").string("type"));

            assertEquals(200, admin(path).statusCode(), path);
        }
        HttpResponse<String> asClient = http.post("/v1/chat/completions", chat("m", false), "Authorization", "Bearer " + ADMIN);
        assertEquals(401, asClient.statusCode(), "the admin key is not a client key");
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(5)));
        gateway.stop();
        String lines = log.toString(StandardCharsets.UTF_8);
        assertFalse(lines.contains(ADMIN) || lines.contains("adm-not-the"), "keys are never logged: " + lines);
        assertTrue(lines.contains("\"path\":\"/admin/keys\",\"status\":403"), "refused admin requests are logged: " + lines);
        assertFalse(lines.contains("\"status\":200"), "successful admin requests and scrapes are not: " + lines);
    }

    @Test
    void withPlainApiKeys_aClientKeyGets403_andTheAdminKeyIsNoClientKey() {
        start(Gateway.newBuilder().defaultRoute(llm(upstream(), "m")).apiKeys(Set.of(KEY)).adminKey(ADMIN));

        assertEquals(403, http.get("/admin/summary", "Authorization", "Bearer " + KEY).statusCode());
        assertEquals(200, admin("/admin/summary").statusCode());
        assertEquals(401, http.post("/v1/chat/completions", chat("m", false), "Authorization", "Bearer " + ADMIN).statusCode());
    }

    @Test
    void anAdminKeyThatIsShortHasWhitespaceOrIsAClientKey_isRefused() throws IOException {
        Gateway.Builder b = Gateway.newBuilder().defaultRoute(llm(upstream(), "m"));
        assertThrows(IllegalArgumentException.class, () -> b.adminKey("short"));
        assertThrows(IllegalArgumentException.class, () -> b.adminKey("a key with spaces in it"));
        assertThrows(IllegalArgumentException.class, () -> b.adminKey(null));
        IllegalStateException plain = assertThrows(IllegalStateException.class,
                () -> Gateway.newBuilder().defaultRoute(llm(upstream(), "m")).apiKeys(Set.of(ADMIN)).adminKey(ADMIN).build());
        assertFalse(plain.getMessage().contains(ADMIN));
        Path file = config(dir);
        assertThrows(IllegalStateException.class,
                () -> Gateway.newBuilder().defaultRoute(llm(upstream(), "m")).configFile(file).adminKey(KEY).build());
        assertFalse(Gateway.newBuilder().defaultRoute(llm(upstream(), "m")).adminKey(ADMIN).build().toString().contains(ADMIN));
    }

    /** A reloaded file that makes the admin key a client key is refused whole: the keys in use stay. */
    @Test
    void aReloadThatMakesTheAdminKeyAClientKey_isRefused() throws IOException {
        Path file = config(dir);
        start(Gateway.newBuilder().defaultRoute(llm(upstream(), "m")).configFile(file).adminKey(ADMIN));
        Files.writeString(file, "{\"keys\":[{\"name\":\"app-1\",\"hash\":\"" + KeysConfig.hash(KEY) + "\"},"
                + "{\"name\":\"sneaky\",\"hash\":\"" + KeysConfig.hash(ADMIN) + "\"}]}");

        assertFalse(gateway.reloadConfig(), "the file is refused");
        assertEquals(401, http.post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "Authorization", "Bearer " + ADMIN).statusCode(), "the admin key opens no /v1 endpoint");
        assertEquals(200, http.get("/admin/summary", "Authorization", "Bearer " + ADMIN).statusCode());
    }

    // ---- histograms

    @Test
    void histograms_labelledByRouteModelAndKey_withTtftForStreams_andNoLabelForModelsNobodyKnows() throws IOException {
        startKeyed(llm(upstream(), "m"));

        assertEquals(200, http.post("/v1/chat/completions", chat("m", false), "Authorization", "Bearer " + KEY).statusCode());
        assertEquals(200, http.post("/v1/chat/completions", chat("m", true), "Authorization", "Bearer " + KEY).statusCode());
        assertEquals(200, http.post("/v1/chat/completions", chat("fast", false), "Authorization", "Bearer " + OTHER_KEY).statusCode());
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = http.post("/v1/chat/completions", chat("made-up-" + i, false), "Authorization", "Bearer " + KEY);
            assertEquals(404, r.statusCode(), r.body());
        }
        assertEquals(401, http.post("/v1/chat/completions", chat("m", false)).statusCode());
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(5)));

        String metrics = admin("/metrics").body();
        String app1 = "{route=\"default\",model=\"m\",key=\"app-1\"";
        assertEquals(2, metric(metrics, "parley_gateway_request_duration_seconds_count" + app1 + "}"));
        assertEquals(2, metric(metrics, "parley_gateway_request_duration_seconds_bucket" + app1 + ",le=\"+Inf\"}"));
        assertEquals(1, metric(metrics, "parley_gateway_time_to_first_token_seconds_count" + app1 + "}"), "only the stream");
        assertEquals(2, metric(metrics, "parley_gateway_output_tokens_per_second_count" + app1 + "}"));
        assertEquals(1, metric(metrics, "parley_gateway_request_duration_seconds_count{route=\"default\",model=\"fast\",key=\"app-2\"}"),
                "an alias of the configuration file is a known name");
        assertEquals(3, metric(metrics, "parley_gateway_request_duration_seconds_count{route=\"default\",model=\"other\",key=\"app-1\"}"),
                "models no upstream answered share one label value");
        assertEquals(1, metric(metrics, "parley_gateway_request_duration_seconds_count{route=\"-\",model=\"-\",key=\"-\"}"),
                "a request refused before routing");
        assertTrue(metrics.lines().filter(l -> l.startsWith("parley_gateway_request_duration")
                || l.startsWith("parley_gateway_time_to_first") || l.startsWith("parley_gateway_output_tokens"))
                .noneMatch(l -> l.contains("made-up")), metrics);
        assertTrue(metrics.contains("# TYPE parley_gateway_request_duration_seconds histogram\n"), metrics);
        assertTrue(metrics.contains("# TYPE parley_request_duration_seconds histogram\n"), "the routes' metrics keep their names");
        assertEquals(1, metrics.split("# TYPE parley_gateway_request_duration_seconds ", -1).length - 1, "one family header");
        long buckets = metrics.lines().filter(l -> l.startsWith("parley_gateway_request_duration_seconds_bucket" + app1)).count();
        assertEquals(15, buckets, "14 bounds and +Inf");
    }

    @Test
    void modelLabels_areBoundedEvenWhenTheUpstreamAnswersEveryName() {
        ScriptedProvider any = ScriptedProvider.newBuilder("fake").reply("ok").build();
        start(Gateway.newBuilder().route("r", llm(any, "m")));
        ModelLabels labels = new ModelLabels(new Router(java.util.Map.of("r", llm(any, "m")), null), m -> m);

        assertEquals("r", labels.label("r", "r", 500), "a route's name");
        assertEquals("m", labels.label("r", "m", 500), "a route's default model");
        assertEquals("-", labels.label(null, "x", 404), "unrouted");
        assertEquals("other", labels.label("r", "x", 404), "unknown and never answered");
        for (int i = 0; i < ModelLabels.MAX_LEARNED; i++) {
            assertEquals("x" + i, labels.label("r", "x" + i, 200));
        }
        assertEquals("x0", labels.label("r", "x0", 500), "learned names stay");
        assertEquals("other", labels.label("r", "one-too-many", 200), "at most " + ModelLabels.MAX_LEARNED + " learned");
    }

    // ---- the admin API

    @Test
    void keys_listMetadataLimitsBudgetsUsageAndSpend_inEveryWindow() throws IOException {
        startKeyed(llm(upstream(), "m"));
        for (int i = 0; i < 3; i++) {
            assertEquals(200, http.post("/v1/chat/completions", chat("m", i == 1), "Authorization", "Bearer " + KEY).statusCode());
        }
        ticker.advance(Duration.ofDays(1)); // 2025-01-02: yesterday's spend is this month's, not today's
        assertEquals(200, http.post("/v1/chat/completions", chat("m", false), "Authorization", "Bearer " + KEY).statusCode());
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(5)));

        JsonObject body = json(admin("/admin/keys"));
        assertTrue(body.booleanValue("virtual_keys"));
        JsonArray keys = body.array("keys");
        assertEquals(2, keys.size());
        JsonObject app1 = (JsonObject) keys.get(0);
        assertEquals("app-1", app1.string("name"));
        assertEquals("ana", app1.string("owner"));
        assertEquals("search", app1.string("team"));
        assertEquals(600, app1.object("limits").longValue("rpm"));
        assertEquals(5.0, app1.object("budget").doubleValue("daily"), 1e-12);
        assertTrue(app1.object("budget").get("monthly").orElseThrow() instanceof dev.parley.json.JsonNull);
        assertEquals(4, app1.object("usage").longValue("requests"));
        assertEquals(4000, app1.object("usage").longValue("output_tokens"));
        assertEquals(0.02, app1.object("spend").doubleValue("today_usd"), 1e-9);
        assertEquals(0.08, app1.object("spend").doubleValue("month_usd"), 1e-9);
        assertEquals(0.08, app1.object("spend").doubleValue("total_usd"), 1e-9);
        JsonObject app2 = (JsonObject) keys.get(1);
        assertEquals(0, app2.object("usage").longValue("requests"));
        assertFalse(body.toString().contains(KEY) || body.toString().contains(KeysConfig.hash(KEY)), "no key, no hash");
    }

    @Test
    void requests_areTheLastAccessLogLines_newestFirst_withoutPrompts_andTheLimitIsChecked() throws IOException {
        startKeyed(llm(upstream(), "m"));
        for (int i = 0; i < 4; i++) {
            assertEquals(200, http.post("/v1/chat/completions", chat("m", false), "Authorization", "Bearer " + KEY).statusCode());
        }
        assertEquals(404, http.get("/nowhere").statusCode());
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(5)));

        HttpResponse<String> r = admin("/admin/requests?limit=3");
        JsonArray requests = json(r).array("requests");
        assertEquals(3, requests.size());
        assertEquals("/nowhere", ((JsonObject) requests.get(0)).string("path"));
        JsonObject chat = (JsonObject) requests.get(1);
        assertEquals("app-1", chat.string("key"));
        assertEquals("default", chat.string("route"));
        assertEquals(200, chat.longValue("status"));
        assertEquals(0.02, chat.doubleValue("cost_usd"), 1e-9);
        assertFalse(r.body().contains("canary prompt"), r.body());
        assertEquals(5, json(admin("/admin/requests")).array("requests").size());
        for (String bad : List.of("0", "1001", "x", "-1")) {
            HttpResponse<String> b = admin("/admin/requests?limit=" + bad);
            assertEquals(400, b.statusCode(), bad);
            assertEquals("limit", json(b).object("error").string("param"));
        }
        assertEquals(405, http.post("/admin/requests", "{}", "Authorization", "Bearer " + ADMIN).statusCode());
        assertEquals(404, admin("/admin/nothing").statusCode());
    }

    @Test
    void upstreams_showEachRoutesBreakerLimitsAndMetrics() throws IOException {
        CircuitBreaker breaker = CircuitBreaker.newBuilder().failureThreshold(2).coolDown(Duration.ofMinutes(5)).build();
        ScriptedProvider failing = ScriptedProvider.newBuilder("broken")
                .fail(LlmException.newBuilder(LlmException.Kind.SERVER_ERROR).provider("broken").message("boom").build()).build();
        Llm broken = Llm.newBuilder().provider(failing).defaultModel("b").circuitBreaker(breaker)
                .retry(dev.parley.retry.RetryPolicy.newBuilder().maxAttempts(1).build()).build();
        Llm limited = Llm.newBuilder().provider(upstream()).defaultModel("m")
                .rateLimit(RateLimitPolicy.newBuilder().requestsPerWindow(100, Duration.ofMinutes(1)).build()).build();
        start(Gateway.newBuilder().route("broken", broken).route("limited", limited).route("alias", limited).adminKey(ADMIN));
        for (int i = 0; i < 3; i++) {
            http.post("/v1/chat/completions", chat("broken", false));
        }
        assertEquals(200, http.post("/v1/chat/completions", chat("limited", false)).statusCode());
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(5)));

        JsonArray ups = json(admin("/admin/upstreams")).array("upstreams");
        assertEquals(2, ups.size(), "a client under two names is one upstream");
        JsonObject b = (JsonObject) ups.get(0);
        assertEquals("broken", b.string("route"));
        assertEquals("broken", b.string("provider"));
        assertEquals("open", b.object("breaker").string("state"));
        assertEquals(1, b.object("breaker").longValue("rejected"), "the third call never reached the provider");
        assertTrue(b.get("rate_limit").orElseThrow() instanceof dev.parley.json.JsonNull);
        assertEquals(3, b.object("metrics").longValue("errors"));
        JsonObject l = (JsonObject) ups.get(1);
        assertEquals(List.of("limited", "alias"), l.array("names").values().stream().map(v -> ((dev.parley.json.JsonString) v).value()).toList());
        assertTrue(l.get("breaker").orElseThrow() instanceof dev.parley.json.JsonNull);
        assertEquals(1, l.object("rate_limit").longValue("granted"));
        assertTrue(l.object("rate_limit").string("limits").contains("100"), l.toString());
        assertEquals(1, l.object("metrics").longValue("succeeded"));
    }

    @Test
    void summary_countsWhatMetricsCounts_lastMinuteRates_percentiles_andSpendPerKeyAndModel() throws IOException {
        startKeyed(llm(upstream(), "m"));
        for (int i = 0; i < 4; i++) {
            assertEquals(200, http.post("/v1/chat/completions", chat("m", i % 2 == 1), "Authorization", "Bearer " + KEY).statusCode());
        }
        assertEquals(200, http.post("/v1/chat/completions", chat("fast", false), "Authorization", "Bearer " + OTHER_KEY).statusCode());
        assertEquals(404, http.post("/v1/chat/completions", chat("nope", false), "Authorization", "Bearer " + KEY).statusCode());
        assertEquals(401, http.post("/v1/chat/completions", chat("m", false)).statusCode());
        assertEquals(404, http.get("/not-the-api").statusCode());
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(5)));

        String metrics = admin("/metrics").body();
        JsonObject s = json(admin("/admin/summary"));
        long fromMetrics = metrics.lines().filter(l -> l.startsWith("parley_gateway_requests_total{path=\"/v1/"))
                .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertEquals(7, fromMetrics);
        JsonObject requests = s.object("requests");
        assertEquals(fromMetrics, requests.longValue("total"));
        assertEquals(2, requests.longValue("errors"));
        assertEquals(0, requests.longValue("server_errors"));
        assertEquals(0, requests.longValue("in_flight"), "the summary's own request is not counted");
        assertEquals(7, s.object("last_minute").longValue("requests"));
        assertEquals(2, s.object("last_minute").longValue("errors"));
        assertEquals(7 / 60.0, s.object("last_minute").doubleValue("requests_per_second"), 1e-9);
        assertEquals(60, s.object("last_minute").array("per_second").size());
        assertEquals(7, s.object("latency_ms").longValue("samples"));
        assertEquals(2, s.object("ttft_ms").longValue("samples"), "the two streams");
        assertTrue(s.object("latency_ms").doubleValue("p50") <= s.object("latency_ms").doubleValue("p99"));

        JsonObject spend = s.object("spend");
        double keyCost = metrics.lines().filter(l -> l.startsWith("parley_gateway_key_cost_usd_total{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertEquals(0.10, keyCost, 1e-9);
        assertEquals(keyCost, spend.doubleValue("total_usd"), 1e-9);
        JsonObject byKey = (JsonObject) spend.array("by_key").get(0);
        assertEquals("app-1", byKey.string("key"));
        assertEquals(0.08, byKey.doubleValue("total_usd"), 1e-9);
        List<String> models = spend.array("by_model").values().stream().map(v -> ((JsonObject) v).string("model")).toList();
        assertTrue(models.contains("fast") && models.contains("m"), models.toString());

        ticker.advance(Duration.ofSeconds(61));
        JsonObject later = json(admin("/admin/summary"));
        assertEquals(0, later.object("last_minute").longValue("requests"), "a minute later, the minute is empty");
        assertEquals(7, later.object("requests").longValue("total"));
        ticker.advance(Duration.ofMinutes(5));
        assertEquals(0, json(admin("/admin/summary")).object("latency_ms").longValue("samples"), "percentiles cover five minutes");
    }

    // ---- the dashboard's files

    @Test
    void dashboard_servedWithoutData_andWithAPolicyThatForbidsOtherOrigins() throws IOException {
        startKeyed(llm(upstream(), "m"));

        for (String path : List.of("/dashboard", "/dashboard/", "/dashboard/dashboard.js", "/dashboard/dashboard.css")) {
            HttpResponse<String> r = http.get(path);
            assertEquals(200, r.statusCode(), path);
            String csp = r.headers().firstValue("content-security-policy").orElseThrow();
            assertTrue(csp.startsWith("default-src 'none'; script-src 'self'"), csp);
            assertFalse(csp.contains("unsafe") || csp.contains("http"), csp);
            assertEquals("nosniff", r.headers().firstValue("x-content-type-options").orElseThrow());
            assertFalse(r.body().contains("http://") || r.body().contains("https://") || r.body().contains("//cdn"),
                    path + " loads nothing from elsewhere");
        }
        HttpResponse<String> page = http.get("/dashboard");
        assertTrue(page.headers().firstValue("content-type").orElseThrow().startsWith("text/html"));
        assertFalse(page.body().contains("<script>") || page.body().contains("style="), "no inline script or style");
        assertTrue(page.body().contains("id=\"requests-total\"") && page.body().contains("id=\"spend-total\""));
        assertTrue(http.get("/dashboard/dashboard.js").headers().firstValue("content-type").orElseThrow()
                .startsWith("text/javascript"));
        assertEquals(404, http.get("/dashboard/../admin/keys").statusCode());
        assertEquals(404, http.get("/dashboard/secret.txt").statusCode());
        assertEquals(405, http.post("/dashboard", "{}").statusCode());
    }

    @Test
    void theRecentRing_keepsTheLastThousand() {
        RecentRequests recent = new RecentRequests(ticker);
        for (int i = 0; i < RecentRequests.CAPACITY + 5; i++) {
            recent.add(new RecentRequests.Done(ticker.nanos(), true, i % 10 == 0 ? 500 : 200, i * 1000L, -1,
                    JsonObject.of("n", dev.parley.json.JsonNumber.of(i))));
        }
        List<JsonObject> last = recent.last(RecentRequests.CAPACITY + 100);
        assertEquals(RecentRequests.CAPACITY, last.size());
        assertEquals(RecentRequests.CAPACITY + 4, last.get(0).longValue("n"));
        assertEquals(5, last.get(last.size() - 1).longValue("n"));
        RecentRequests.Percentiles p = recent.latency();
        assertEquals(RecentRequests.CAPACITY, p.samples());
        assertEquals(504.0, p.p50(), 1e-9, "nearest rank over 5..1004 ms");
        assertEquals(1004.0, p.max(), 1e-9);
        assertEquals(RecentRequests.CAPACITY + 5, recent.lastMinute().requests());
        assertEquals(101, recent.lastMinute().errors());
    }
}
