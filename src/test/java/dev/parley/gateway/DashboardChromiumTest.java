package dev.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;
import dev.parley.route.CircuitBreaker;
import dev.parley.retry.RetryPolicy;
import dev.parley.support.HeadlessChromium;
import dev.parley.testing.ScriptedProvider;

/**
 * The dashboard in a real headless Chromium (the OS package), against a running gateway with
 * traffic: what it displays must be what {@code /metrics} reports. A screenshot is kept in
 * {@code target/dashboard-screenshot.png}.
 */
class DashboardChromiumTest extends GatewayTestBase {

    static final Path SCREENSHOT = Path.of("target", "dashboard-screenshot.png");

    /** What the page shows, read from its stable ids and data attributes. */
    static final String READ = """
            JSON.stringify((() => {
              if (!document.getElementById('requests-total')) return {loaded: 'not yet: ' + location.href};
              const v = (id) => document.getElementById(id).dataset.value;
              const t = (id) => document.getElementById(id).textContent;
              const rows = (id) => [...document.querySelectorAll('#' + id + ' tbody tr')];
              return {
                loaded: document.body.dataset.loaded,
                updates: Number(document.body.dataset.updates),
                href: location.href,
                status: t('status'),
                total: v('requests-total'), totalText: t('requests-total'),
                errors: v('errors-total'), inFlight: v('requests-in-flight'),
                spend: v('spend-total'), spendText: t('spend-total'),
                rate: v('request-rate'), lastMinute: v('requests-last-minute'),
                p50: t('latency-p50'), p99: t('latency-p99'), ttft50: t('ttft-p50'),
                keys: rows('spend-by-key').map(r => ({key: r.dataset.key,
                    total: r.querySelector('[data-field=total]').dataset.value,
                    text: r.querySelector('[data-field=total]').textContent})),
                models: rows('spend-by-model').map(r => r.dataset.model),
                upstreams: rows('upstreams').map(r => ({route: r.dataset.route,
                    breaker: r.querySelector('[data-field=breaker]').dataset.value})),
                recent: rows('recent-requests').length
              };
            })())""";

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void theDashboard_inHeadlessChromium_showsTheRequestCountAndSpendThatMetricsReports() throws Exception {
        Optional<Path> binary = HeadlessChromium.find();
        Assumptions.assumeTrue(binary.isPresent(),
                "chromium is not installed (apt-get install chromium): the dashboard's browser test is skipped");

        CircuitBreaker breaker = CircuitBreaker.newBuilder().failureThreshold(2).coolDown(Duration.ofMinutes(10)).build();
        Llm broken = Llm.newBuilder().provider(ScriptedProvider.newBuilder("broken").fail(LlmException
                        .newBuilder(LlmException.Kind.SERVER_ERROR).provider("broken").message("boom").build()).build())
                .defaultModel("b").circuitBreaker(breaker).retry(RetryPolicy.newBuilder().maxAttempts(1).build()).build();
        start(Gateway.newBuilder().defaultRoute(llm(AdminApiTest.upstream(), "m")).route("alt", broken)
                .configFile(AdminApiTest.config(dir)).prices(AdminApiTest.PRICES)
                .accessLog(java.io.OutputStream.nullOutputStream()).adminKey(AdminApiTest.ADMIN));

        AtomicInteger sent = new AtomicInteger();
        traffic(sent, 10);
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(10)));

        try (HeadlessChromium chromium = HeadlessChromium.start(binary.get(), 1280, 1700)) {
            HeadlessChromium.Page page = chromium.page();
            page.navigate(gateway.uri().resolve("/dashboard#key=" + AdminApiTest.ADMIN));
            JsonObject first = page.poll(READ, s -> s.string("loaded").equals("true"), Duration.ofSeconds(30));
            assertFalse(first.string("href").contains(AdminApiTest.ADMIN), "the key leaves the address bar: " + first);
            checkAgainstMetrics(page);

            // More traffic while the page is open and refreshing; it catches up by itself.
            Thread sender = Thread.ofVirtual().start(() -> traffic(sent, 25));
            sender.join(Duration.ofSeconds(60));
            assertFalse(sender.isAlive(), "the traffic ended");
            assertTrue(gateway.awaitIdle(Duration.ofSeconds(10)));
            JsonObject shown = checkAgainstMetrics(page);

            String metrics = http.get("/metrics", "Authorization", "Bearer " + AdminApiTest.ADMIN).body();
            Matcher models = Pattern.compile("(?m)^parley_gateway_key_cost_usd_total\\{key=\"[^\"]*\",model=\"([^\"]*)\"}").matcher(metrics);
            java.util.Set<String> expectedModels = new java.util.TreeSet<>();
            while (models.find()) {
                expectedModels.add(models.group(1));
            }
            assertTrue(expectedModels.containsAll(List.of("m", "fast")), metrics);
            assertEquals(expectedModels, new java.util.TreeSet<>(shown.array("models").values().stream()
                    .map(v -> ((dev.parley.json.JsonString) v).value()).toList()), "spend per model");
            JsonObject alt = shown.array("upstreams").values().stream().map(v -> (JsonObject) v)
                    .filter(u -> u.string("route").equals("alt")).findFirst().orElseThrow();
            assertEquals("open", alt.string("breaker"), "the failing upstream's breaker opened: " + shown);
            assertEquals(Math.min(50, sent.get()), shown.longValue("recent"), "the last requests table");
            assertTrue(shown.string("p50").matches("[0-9.]+"), shown.toString());
            assertTrue(shown.string("ttft50").matches("[0-9.]+"), shown.toString());
            List<JsonObject> problems = page.events().stream().filter(e -> e.string("method").equals("Runtime.exceptionThrown")
                    || e.string("method").equals("Log.entryAdded") && e.toString().contains("Content Security Policy")).toList();
            assertEquals(List.of(), problems, "no script error, nothing the page's policy had to block");

            page.screenshot(SCREENSHOT);
            assertTrue(Files.size(SCREENSHOT) > 10_000, "a screenshot with something on it: " + SCREENSHOT.toAbsolutePath());
        }
    }

    /** Sends {@code n} requests of every kind: plain and streamed, two keys, an alias, failures and refusals. */
    private void traffic(AtomicInteger sent, int n) {
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = switch (i % 6) {
                case 0 -> http.post("/v1/chat/completions", AdminApiTest.chat("m", true), "Authorization", "Bearer " + AdminApiTest.KEY);
                case 1 -> http.post("/v1/chat/completions", AdminApiTest.chat("m", false), "Authorization", "Bearer " + AdminApiTest.KEY);
                case 2 -> http.post("/v1/chat/completions", AdminApiTest.chat("fast", i % 4 == 0), "Authorization",
                        "Bearer " + AdminApiTest.OTHER_KEY);
                case 3 -> http.post("/v1/chat/completions", AdminApiTest.chat("alt", false), "Authorization", "Bearer " + AdminApiTest.KEY);
                case 4 -> http.post("/v1/chat/completions", AdminApiTest.chat("nope", false), "Authorization", "Bearer " + AdminApiTest.KEY);
                default -> http.post("/v1/chat/completions", AdminApiTest.chat("m", false));
            };
            assertTrue(r.statusCode() == 200 || r.statusCode() >= 400, r.toString());
            sent.incrementAndGet();
        }
    }

    /** Waits until the page shows the request count, errors and spend of {@code /metrics}, per key too. @return what it shows */
    private JsonObject checkAgainstMetrics(HeadlessChromium.Page page) {
        String metrics = http.get("/metrics", "Authorization", "Bearer " + AdminApiTest.ADMIN).body();
        long requests = 0;
        long errors = 0;
        Matcher m = Pattern.compile("(?m)^parley_gateway_requests_total\\{path=\"/v1/[^\"]*\",status=\"(\\d+)\"} (\\d+)$").matcher(metrics);
        while (m.find()) {
            requests += Long.parseLong(m.group(2));
            errors += Integer.parseInt(m.group(1)) >= 400 ? Long.parseLong(m.group(2)) : 0;
        }
        Map<String, Double> perKey = new TreeMap<>();
        Matcher c = Pattern.compile("(?m)^parley_gateway_key_cost_usd_total\\{key=\"([^\"]*)\",model=\"[^\"]*\"} (\\S+)$").matcher(metrics);
        while (c.find()) {
            perKey.merge(c.group(1), Double.parseDouble(c.group(2)), Double::sum);
        }
        double spend = perKey.values().stream().mapToDouble(Double::doubleValue).sum();
        assertTrue(requests > 0 && spend > 0, metrics);
        long expectedRequests = requests;
        JsonObject shown = page.poll(READ, s -> s.string("total").equals(Long.toString(expectedRequests))
                && Math.abs(Double.parseDouble(s.string("spend")) - spend) < 1e-9, Duration.ofSeconds(30));

        assertEquals(Long.toString(requests), shown.string("totalText"), "the count as displayed");
        assertEquals(String.format(Locale.ROOT, "$%.4f", spend), shown.string("spendText"), "the spend as displayed");
        assertEquals(Long.toString(errors), shown.string("errors"));
        assertEquals("0", shown.string("inFlight"), "the gateway is idle; the page's own requests are not traffic");
        for (JsonValue v : shown.array("keys").values()) {
            JsonObject row = (JsonObject) v;
            double expected = perKey.getOrDefault(row.string("key"), 0.0);
            assertEquals(expected, Double.parseDouble(row.string("total")), 1e-9, "spend of " + row);
            if (expected > 0) {
                assertEquals(String.format(Locale.ROOT, "$%.4f", expected), row.string("text"));
            }
        }
        assertEquals(perKey.keySet(), shown.array("keys").values().stream().map(v -> ((JsonObject) v).string("key"))
                .filter(perKey::containsKey).collect(java.util.stream.Collectors.toSet()), "every key that spent is shown");
        return shown;
    }
}
