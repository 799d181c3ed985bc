package dev.parley.gateway;

import static dev.parley.gateway.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.support.Await;
import dev.parley.internal.CircuitSharing;
import dev.parley.internal.LlmInternals;
import dev.parley.internal.redis.RedisServer;
import dev.parley.json.JsonObject;
import dev.parley.route.CircuitBreaker;

/**
 * A route's circuit breaker shared by two real gateway instances through one real
 * {@code redis-server}, driven over HTTP against one failing upstream: failures seen through one
 * instance open the circuit on both, the half-open probe is one across both, and with Redis
 * killed each instance's own breaker still protects the upstream until Redis is back. The
 * cool-down runs on Redis's clock; the test polls the state Redis reports, with a deadline.
 */
class GatewayRedisCircuitsTest {

    private static final String KEY = "sk-canary-circuit-client-0123456789";
    private static final String UPSTREAM_KEY = "sk-canary-circuit-upstream-0123456789";
    private static final String ADMIN = "adm-canary-circuit-admin-0123456789";
    /** Long enough for the steps between opening and the other instance's refusal, short for the test. */
    private static final Duration COOL_DOWN = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private RedisServer server;
    private final GatedUpstream upstream = new GatedUpstream("upstream");
    private final List<Gateway> gateways = new ArrayList<>();
    private final List<TestHttp> clients = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        upstream.close();
        clients.forEach(TestHttp::close);
        gateways.forEach(Gateway::stop);
        if (server != null) {
            server.close();
        }
    }

    private Path config() throws IOException {
        Path file = dir.resolve("gateway.json");
        Files.writeString(file, """
                {"keys": [{"name": "app", "hash": "%s"}],
                 "routes": {"smart": {"provider": "openai-compatible", "base_url": "%s", "model": "m",
                                      "api_key_env": "UPSTREAM_KEY", "retries": 0,
                                      "circuit_breaker": {"failures": 3, "cool_down": "%dms", "probes": 1}}}}
                """.formatted(KeysConfig.hash(KEY), upstream.baseUrl(), COOL_DOWN.toMillis()));
        return file;
    }

    private TestHttp instance(Path config) {
        Gateway g = Gateway.newBuilder().port(0).shutdownGrace(Duration.ofMillis(200)).configFile(config)
                .environment(Map.of("UPSTREAM_KEY", UPSTREAM_KEY)).adminKey(ADMIN).accessLog(OutputStream.nullOutputStream())
                .redis(server.settings().instances(2).commandTimeout(Duration.ofMillis(300)).connectTimeout(Duration.ofMillis(300))
                        .maxBackoff(Duration.ofMillis(100)).build())
                .build().start();
        gateways.add(g);
        TestHttp http = new TestHttp(g.uri());
        clients.add(http);
        return http;
    }

    private static HttpResponse<String> chat(TestHttp http) {
        return http.post("/v1/chat/completions", "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "Authorization", "Bearer " + KEY);
    }

    /** {@return the route's breaker as {@code /admin/upstreams} shows it} */
    private static JsonObject breaker(TestHttp http) {
        JsonObject up = (JsonObject) json(http.get("/admin/upstreams", "Authorization", "Bearer " + ADMIN)).array("upstreams").get(0);
        assertEquals("smart", up.string("route"));
        return up.object("breaker");
    }

    private static void await(BooleanSupplier condition, String what) {
        Await.until(condition, Duration.ofSeconds(20), what);
    }

    /** Asserts a refusal by an open circuit: 503 with the cool-down left in Retry-After. */
    private static void assertOpen(HttpResponse<String> r) {
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("service_unavailable", json(r).object("error").string("code"));
        long retry = Long.parseLong(r.headers().firstValue("retry-after").orElseThrow(() -> new AssertionError("no Retry-After")));
        assertTrue(retry >= 1 && retry <= COOL_DOWN.toSeconds(), "Retry-After: " + retry);
    }

    @Test
    void failuresThroughOneInstanceOpenTheCircuitOnBoth_oneProbeAcrossBothClosesIt_andEachProtectsAloneWhileRedisIsDown()
            throws Exception {
        server = RedisServer.start();
        Path config = config();
        TestHttp a = instance(config);
        TestHttp b = instance(config);
        upstream.answerWith(500);

        // Three failures in a row, all through A, open the circuit in Redis.
        for (int i = 0; i < 3; i++) {
            assertEquals(502, chat(a).statusCode());
        }
        assertEquals(3, upstream.seen().size());
        // B never saw a failure, and refuses at once.
        assertOpen(chat(b));
        assertOpen(chat(a));
        assertEquals(3, upstream.seen().size(), "refused without an upstream call");
        JsonObject onB = breaker(b);
        assertEquals("open", onB.string("state"), "B's breaker follows the shared state: " + onB);
        assertEquals("smart", onB.object("shared").string("name"));
        assertEquals("open", onB.object("shared").string("state"));
        assertTrue(onB.object("shared").longValue("open_for_ms") <= COOL_DOWN.toMillis());
        assertEquals("open", server.raw("HGET", "parley:circuit:{smart}", "s"), "kept under the route's name");
        assertEquals("[]", server.raw("KEYS", "*sk-canary*"), "never a key in Redis");

        // After the cool-down (on Redis's clock): half-open, and one probe across both instances.
        await(() -> "half_open".equals(breaker(b).object("shared").string("state")), "the cool-down to end in Redis");
        upstream.answerWith(200);
        upstream.hold();
        upstream.arrived = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> probe = threads.submit(() -> chat(a));
            assertTrue(upstream.arrived.await(20, TimeUnit.SECONDS), "A's probe reached the upstream");

            HttpResponse<String> whileProbing = chat(b);
            assertEquals(503, whileProbing.statusCode(), whileProbing.body());
            assertTrue(json(whileProbing).object("error").string("code").equals("service_unavailable"));
            assertEquals(503, chat(a).statusCode(), "A's own place is taken too");
            assertEquals(4, upstream.seen().size(), "only the probe went");

            upstream.open();
            assertEquals(200, probe.get(20, TimeUnit.SECONDS).statusCode());
        }
        assertEquals("closed", breaker(b).object("shared").string("state"));
        assertEquals(200, chat(b).statusCode(), "closed for B too");
        assertEquals(5, upstream.seen().size());

        // Redis killed: each instance's breaker decides alone, and still protects the upstream.
        server.kill();
        upstream.answerWith(500);
        for (TestHttp http : List.of(a, b)) {
            int before = upstream.seen().size();
            for (int i = 0; i < 3; i++) {
                assertEquals(502, chat(http).statusCode());
            }
            assertOpen(chat(http));
            assertOpen(chat(http));
            assertEquals(before + 3, upstream.seen().size(), "three failures, then this instance refuses on its own");
        }
        JsonObject down = breaker(a);
        assertEquals("open", down.string("state"));
        assertTrue(down.object("shared").get("state").orElseThrow() instanceof dev.parley.json.JsonNull,
                "Redis cannot say: " + down);
        JsonObject ready = json(a.get("/health/ready"));
        assertEquals("down", ready.object("shared").string("redis"));
        assertTrue(ready.object("shared").longValue("circuitFallbacks") >= 5, ready.toString());
        String metrics = a.get("/metrics", "Authorization", "Bearer " + ADMIN).body();
        assertTrue(metrics.contains("parley_gateway_redis_fallbacks_total{kind=\"circuit\"} "
                + ready.object("shared").longValue("circuitFallbacks")), metrics);

        // Redis back (empty: no persistence): it decides again, for both.
        server.restart();
        await(() -> "up".equals(json(a.get("/health/ready")).object("shared").string("redis")), "A to see Redis again");
        await(() -> "up".equals(json(b.get("/health/ready")).object("shared").string("redis")), "B to see Redis again");
        upstream.answerWith(200);
        int before = upstream.seen().size();
        assertEquals(200, chat(b).statusCode(), "B's own breaker was open; Redis, which says closed, decides again");
        upstream.answerWith(500);
        for (int i = 0; i < 3; i++) {
            assertEquals(502, chat(a).statusCode());
        }
        assertOpen(chat(b));
        assertEquals(before + 4, upstream.seen().size(), "A's failures opened the circuit for B again");
        assertFalse(breaker(b).get("shared").orElseThrow() instanceof dev.parley.json.JsonNull);
    }

    /** {@return the breaker of the client a route resolves to on {@code g}} */
    private static CircuitBreaker breakerOf(Gateway g, String route) {
        return LlmInternals.policies(g.router().resolve(route).llm()).breaker();
    }

    @Test
    void aReloadSharesTheNewRoutesBreakers_andGivesTheDroppedOnesBackTheirOwnState_asStoppingDoes() throws Exception {
        server = RedisServer.start();
        Path config = config();
        TestHttp a = instance(config);
        Gateway g = gateways.get(0);
        CircuitBreaker before = breakerOf(g, "smart");
        assertEquals("smart", CircuitSharing.store(before).name());

        String text = Files.readString(config).replace("\"failures\": 3", "\"failures\": 4");
        Path next = dir.resolve("gateway.json.tmp"); // written whole, then renamed: the watcher never reads half a file
        Files.writeString(next, text.replace("\"routes\": {", "\"routes\": {\"other\": {\"provider\": \"openai-compatible\", "
                + "\"base_url\": \"" + upstream.baseUrl() + "\", \"api_key_env\": \"UPSTREAM_KEY\", "
                + "\"circuit_breaker\": {\"failures\": 2}},\n"));
        Files.move(next, config, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertTrue(g.reloadConfig());

        CircuitBreaker smart = breakerOf(g, "smart");
        assertTrue(smart != before, "a changed route gets a new client, and so a new breaker");
        assertEquals("smart", CircuitSharing.store(smart).name());
        assertEquals(4, CircuitSharing.rules(smart).failureThreshold());
        assertEquals("other", CircuitSharing.store(breakerOf(g, "other")).name());
        assertEquals(null, CircuitSharing.store(before), "the replaced breaker is no longer shared");
        JsonObject other = (JsonObject) json(a.get("/admin/upstreams", "Authorization", "Bearer " + ADMIN)).array("upstreams").get(0);
        assertEquals("other", other.string("route"));
        assertEquals("closed", other.object("breaker").object("shared").string("state"));

        g.stop();
        assertEquals(null, CircuitSharing.store(smart), "a stopped gateway shares nothing");
    }
}
