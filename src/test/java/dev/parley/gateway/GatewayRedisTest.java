package dev.parley.gateway;

import static dev.parley.gateway.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import dev.parley.ChatResponse;
import dev.parley.ConfigurationException;
import dev.parley.Llm;
import dev.parley.Usage;
import dev.parley.cache.CachePolicy;
import dev.parley.cost.ModelPrice;
import dev.parley.cost.PriceTable;
import dev.parley.internal.redis.RedisBudgets;
import dev.parley.internal.redis.RedisServer;
import dev.parley.internal.redis.RedisSettings;
import dev.parley.json.JsonObject;
import dev.parley.testing.ScriptedProvider;

/**
 * Two real gateway instances sharing one real {@code redis-server}, driven over HTTP: a key's
 * rate limit, requests at once and budget hold across both, what it spent shows on both, the
 * routes share one response cache, and killing Redis mid-run gives the documented behaviour per
 * kind of state until it is back. Redis windows are on Redis's clock: the requests are sent well
 * within the minute, nothing waits it out.
 */
class GatewayRedisTest {

    private static final String KEY = "sk-canary-redis-key-0123456789";
    private static final String OTHER = "sk-canary-redis-other-987654321";
    private static final Duration SHORT_GRACE = Duration.ofMillis(200);
    /** $10 per million tokens, in and out. */
    private static final PriceTable PRICES = PriceTable.empty().withPrice("fake", "m", ModelPrice.of(10, 10));
    /** Every call uses 1 input and 100 output tokens: $0.00101, less than its worst case (its prompt and max_tokens 100). */
    private static final Usage USED = Usage.of(1, 100);
    private static final double COST = 101 * 10 / 1e6;

    @TempDir
    Path dir;

    private RedisServer server;
    private final List<Gateway> gateways = new ArrayList<>();
    private final List<TestHttp> clients = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        clients.forEach(TestHttp::close);
        gateways.forEach(Gateway::stop);
        if (server != null) {
            server.close();
        }
    }

    private Path config(String keysJson) throws IOException {
        Path file = dir.resolve("gateway.json");
        Files.writeString(file, "{\"keys\":[" + keysJson + "]}");
        return file;
    }

    private static String key(String name, String plain, String extra) {
        return "{\"name\":\"" + name + "\",\"hash\":\"" + KeysConfig.hash(plain) + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    private static ScriptedProvider upstream() {
        return ScriptedProvider.newBuilder("fake").reply(ChatResponse.newBuilder().provider("fake").text("hi")
                .finishReason("stop").usage(USED).build()).build();
    }

    private RedisSettings.Builder settings() {
        return server.settings().instances(2).commandTimeout(Duration.ofMillis(300)).connectTimeout(Duration.ofMillis(300))
                .maxBackoff(Duration.ofMillis(100));
    }

    /** Starts a gateway instance on {@code upstream}, its route's cache in Redis. @return a client for it */
    private TestHttp instance(ScriptedProvider upstream, RedisSettings settings, Path config) {
        Gateway.Builder b = Gateway.newBuilder().port(0).shutdownGrace(SHORT_GRACE).redis(settings).configFile(config)
                .prices(PRICES).accessLog(OutputStream.nullOutputStream());
        CachePolicy cache = CachePolicy.newBuilder().store(b.redisCacheStore().orElseThrow()).build();
        b.defaultRoute(Llm.newBuilder().provider(upstream).defaultModel("m").cache(cache).build());
        Gateway g = b.build().start();
        gateways.add(g);
        TestHttp http = new TestHttp(g.uri());
        clients.add(http);
        return http;
    }

    private static HttpResponse<String> chat(TestHttp http, String key, String prompt) {
        return http.post("/v1/chat/completions", "{\"model\":\"m\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\""
                + prompt + "\"}]}", "Authorization", "Bearer " + key);
    }

    private static void await(BooleanSupplier condition, String what) {
        Await.until(condition, Duration.ofSeconds(20), what);
    }

    /** {@return an upstream whose calls wait for {@code release}} */
    private static ScriptedProvider held(CountDownLatch release) {
        return ScriptedProvider.newBuilder("fake").answer(r -> {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ChatResponse.newBuilder().provider("fake").text("hi").finishReason("stop").usage(USED).build();
        }).build();
    }

    /** Sends {@code n} requests at once, the even ones to {@code a}, the odd ones to {@code b}. */
    private static List<HttpResponse<String>> burst(int n, TestHttp a, TestHttp b, String key) throws Exception {
        List<Future<HttpResponse<String>>> all = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                TestHttp http = i % 2 == 0 ? a : b;
                String prompt = "burst " + i; // distinct, so that the cache answers none of them
                all.add(threads.submit(() -> chat(http, key, prompt)));
            }
        }
        List<HttpResponse<String>> out = new ArrayList<>();
        for (Future<HttpResponse<String>> f : all) {
            out.add(f.get());
        }
        return out;
    }

    @Test
    void twoInstances_admitAKeysSixtyRequestsPerMinuteInAll_theRestAre429WithoutAnUpstreamCall() throws Exception {
        server = RedisServer.start();
        Path config = config(key("app-1", KEY, "\"limits\":{\"rpm\":60}"));
        ScriptedProvider upA = upstream();
        ScriptedProvider upB = upstream();
        TestHttp a = instance(upA, settings().build(), config);
        TestHttp b = instance(upB, settings().build(), config);
        long start = System.nanoTime();

        List<HttpResponse<String>> answers = burst(100, a, b, KEY);

        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(50), "the burst must fit in the minute's window");
        long admitted = answers.stream().filter(r -> r.statusCode() == 200).count();
        assertEquals(60, admitted, "60 admitted between both instances, not 60 each");
        for (HttpResponse<String> r : answers) {
            if (r.statusCode() != 200) {
                assertEquals(429, r.statusCode(), r.body());
                assertEquals("rate_limit_exceeded", json(r).object("error").string("code"));
                long retry = Long.parseLong(r.headers().firstValue("retry-after").orElseThrow());
                assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);
            }
        }
        assertEquals(60, upA.requests().size() + upB.requests().size(), "no upstream call for a refused request");
        assertTrue(upA.requests().size() > 0 && upB.requests().size() > 0, "both instances served");
        for (TestHttp http : List.of(a, b)) {
            String metrics = http.get("/metrics").body();
            assertTrue(metrics.contains("parley_gateway_key_requests_total{key=\"app-1\",model=\"m\"} 60"),
                    "each instance reports the whole team's calls: " + metrics);
            assertTrue(metrics.contains("parley_gateway_redis_up 1"), metrics);
        }
        assertEquals("60", server.raw("HGET", "parley:spend:{app-1}", "requests:m"), "Redis holds key names, never keys");
        assertEquals("[]", server.raw("KEYS", "*" + KEY + "*"));
    }

    @Test
    void twoInstances_holdAKeysRequestsAtOnceTogether() throws Exception {
        server = RedisServer.start();
        Path config = config(key("app-1", KEY, "\"limits\":{\"concurrency\":2}"));
        CountDownLatch release = new CountDownLatch(1);
        ScriptedProvider upA = held(release);
        ScriptedProvider upB = held(release);
        TestHttp a = instance(upA, settings().build(), config);
        TestHttp b = instance(upB, settings().build(), config);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> first = threads.submit(() -> chat(a, KEY, "one"));
            Future<HttpResponse<String>> second = threads.submit(() -> chat(b, KEY, "two"));
            await(() -> upA.inFlight() + upB.inFlight() == 2, "two calls in flight, one on each instance");

            HttpResponse<String> third = chat(a, KEY, "three");
            HttpResponse<String> fourth = chat(b, KEY, "four");

            for (HttpResponse<String> r : List.of(third, fourth)) {
                assertEquals(429, r.statusCode(), r.body());
                assertTrue(json(r).object("error").string("message").contains("2 concurrent requests"), r.body());
                assertEquals("1", r.headers().firstValue("retry-after").orElseThrow());
            }
            release.countDown();
            assertEquals(200, first.get().statusCode());
            assertEquals(200, second.get().statusCode());
        }
        assertEquals(200, chat(b, KEY, "five").statusCode(), "the places were given back");
        assertEquals("0", server.raw("ZCARD", "parley:lease:{app-1}"));
    }

    /** A call that outlives its lease's time to live keeps its place: the running gateway renews it. */
    @Test
    void aLongCallKeepsItsPlace_itsLeaseIsRenewedWhileItRuns() throws Exception {
        server = RedisServer.start();
        Path config = config(key("app-1", KEY, "\"limits\":{\"concurrency\":1}"));
        CountDownLatch release = new CountDownLatch(1);
        ScriptedProvider upA = held(release);
        Gateway.Builder builder = Gateway.newBuilder().port(0).shutdownGrace(SHORT_GRACE).redis(settings().build())
                .leaseTtl(Duration.ofMillis(1500)).configFile(config).prices(PRICES).accessLog(OutputStream.nullOutputStream())
                .defaultRoute(Llm.newBuilder().provider(upA).defaultModel("m").build());
        Gateway ga = builder.build().start();
        gateways.add(ga);
        TestHttp a = new TestHttp(ga.uri());
        clients.add(a);
        TestHttp b = instance(upstream(), settings().build(), config);
        assertTrue(ga.redisLimits().renewing());
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> running = threads.submit(() -> chat(a, KEY, "long"));
            await(() -> upA.inFlight() == 1, "the call to be running");
            String leases = "parley:lease:{app-1}";
            String member = server.raw("ZRANGE", leases, "0", "0");
            member = member.substring(1, member.length() - 1);
            long firstExpiry = (long) Double.parseDouble(server.raw("ZSCORE", leases, member));
            await(() -> redisMicros() > firstExpiry, "Redis's clock to pass the lease's first expiry");

            HttpResponse<String> other = chat(b, KEY, "meanwhile");

            assertEquals(429, other.statusCode(), "the running call's place is still taken: " + other.body());
            assertTrue((long) Double.parseDouble(server.raw("ZSCORE", leases, member)) > firstExpiry, "renewed");
            release.countDown();
            assertEquals(200, running.get().statusCode());
        }
        assertEquals(200, chat(b, KEY, "after").statusCode());
        ga.stop();
        assertFalse(ga.redisLimits().renewing(), "stopping the gateway ends the renewals");
    }

    private long redisMicros() {
        try {
            String[] time = server.raw("TIME").replace("[", "").replace("]", "").split(", ");
            return Long.parseLong(time[0]) * 1_000_000L + Long.parseLong(time[1]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void twoInstances_neverOverrunAKeysBudget() throws Exception {
        server = RedisServer.start();
        double budget = 0.02;
        Path config = config(key("app-1", KEY, "\"budget\":{\"daily\":" + budget + "}"));
        ScriptedProvider upA = upstream();
        ScriptedProvider upB = upstream();
        TestHttp a = instance(upA, settings().build(), config);
        TestHttp b = instance(upB, settings().build(), config);

        List<HttpResponse<String>> answers = new ArrayList<>(burst(40, a, b, KEY));
        // Calls refused while others' worst cases were reserved left room: use it up, on both instances.
        HttpResponse<String> last;
        int i = 0;
        do {
            last = chat(i % 2 == 0 ? a : b, KEY, "after " + i++);
            answers.add(last);
        } while (last.statusCode() == 200);

        assertEquals(402, last.statusCode(), last.body());
        assertEquals("insufficient_quota", json(last).object("error").string("code"));
        long admitted = answers.stream().filter(r -> r.statusCode() == 200).count();
        assertEquals(answers.size() - admitted, answers.stream().filter(r -> r.statusCode() == 402).count());
        assertEquals(admitted, upA.requests().size() + upB.requests().size(), "no upstream call for a refused request");
        RedisBudgets budgets = gateways.get(0).shared().budgets();
        double spent = budgets.spent("app-1", RedisBudgets.Period.DAY);
        assertEquals(admitted * COST, spent, 1e-9, "every admitted call charged once, whichever instance served it");
        assertTrue(spent <= budget + COST, "over the budget by more than one request's worth: " + spent);
        assertTrue(spent <= budget, "with worst cases that bound the cost, not over it at all: " + spent);
        assertTrue(spent > budget - 2 * COST, "and the budget was used: " + spent);
        String metrics = b.get("/metrics").body();
        assertTrue(metrics.contains("parley_gateway_key_cost_usd_total{key=\"app-1\",model=\"m\"} "), metrics);
    }

    @Test
    void killingRedisMidRun_fallsBackPerKindOfState_thenReturnsToSharedState() throws Exception {
        server = RedisServer.start();
        Path config = config(key("limited", KEY, "\"limits\":{\"rpm\":10}") + ","
                + key("budgeted", OTHER, "\"budget\":{\"daily\":1}"));
        ScriptedProvider upA = upstream();
        ScriptedProvider upB = upstream();
        TestHttp a = instance(upA, settings().build(), config); // budgets refuse while Redis is down (the default)
        TestHttp b = instance(upB, settings().budgetWhenDown(RedisSettings.BudgetWhenDown.ALLOW).build(), config);

        // Up: one cache for both instances.
        assertEquals(200, chat(a, KEY, "cached").statusCode());
        assertEquals(200, chat(b, KEY, "cached").statusCode());
        assertEquals(1, upA.requests().size() + upB.requests().size(), "the second instance answered from the shared cache");
        JsonObject up = json(a.get("/health/ready"));
        assertEquals("up", up.object("shared").string("redis"));
        assertFalse(up.booleanValue("degraded"));
        assertTrue(a.get("/metrics").body().contains("parley_gateway_key_requests_total{key=\"limited\",model=\"m\"} 2"));

        server.kill();

        long slowest = 0;
        // The cache fails open: a miss, so the upstream answers.
        long t = System.nanoTime();
        assertEquals(200, chat(a, KEY, "cached").statusCode());
        slowest = Math.max(slowest, System.nanoTime() - t);
        assertEquals(2, upA.requests().size() + upB.requests().size(), "a cache miss while Redis is down");
        // Limits: each instance alone, at 10 / 2 instances.
        int admitted = 0;
        for (int i = 0; i < 8; i++) {
            t = System.nanoTime();
            HttpResponse<String> r = chat(a, KEY, "down " + i);
            slowest = Math.max(slowest, System.nanoTime() - t);
            if (r.statusCode() == 200) {
                admitted++;
            } else {
                assertEquals(429, r.statusCode(), r.body());
            }
        }
        assertEquals(4, admitted, "10 per minute over 2 instances, less the one the cache miss took");
        // Budgets: refused on A, allowed untracked on B.
        t = System.nanoTime();
        HttpResponse<String> refused = chat(a, OTHER, "budget down");
        slowest = Math.max(slowest, System.nanoTime() - t);
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("budget_unavailable", json(refused).object("error").string("code"));
        assertEquals("5", refused.headers().firstValue("retry-after").orElseThrow());
        t = System.nanoTime();
        assertEquals(200, chat(b, OTHER, "budget down").statusCode(), "allowed untracked");
        slowest = Math.max(slowest, System.nanoTime() - t);
        assertTrue(slowest < TimeUnit.SECONDS.toNanos(2), "no request waits on a dead Redis: the slowest took "
                + TimeUnit.NANOSECONDS.toMillis(slowest) + " ms");
        // Visible, and still ready: every instance would go unready at once otherwise.
        t = System.nanoTime();
        HttpResponse<String> ready = a.get("/health/ready");
        assertTrue(System.nanoTime() - t < TimeUnit.SECONDS.toNanos(2));
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(json(ready).booleanValue("degraded"));
        JsonObject shared = json(ready).object("shared");
        assertEquals("down", shared.string("redis"));
        assertTrue(shared.longValue("limitFallbacks") >= 8);
        assertEquals(1, shared.longValue("budgetRefusals"));
        assertTrue(shared.longValue("cacheFailures") >= 2);
        String metrics = a.get("/metrics").body();
        assertTrue(metrics.contains("parley_gateway_redis_up 0"), metrics);
        assertTrue(metrics.contains("parley_gateway_redis_fallbacks_total{kind=\"budget_refused\"} 1"), metrics);
        assertTrue(metrics.contains("parley_gateway_key_requests_total{key=\"limited\",model=\"m\"} 2"),
                "while Redis is down /metrics shows the last totals it read: " + metrics);
        assertTrue(json(b.get("/health/ready")).object("shared").longValue("settlementsPending") >= 1,
                "the untracked call's cost is kept for Redis's return");

        server.restart();

        await(() -> "up".equals(json(a.get("/health/ready")).object("shared").string("redis")), "A to see Redis again");
        await(() -> "up".equals(json(b.get("/health/ready")).object("shared").string("redis")), "B to see Redis again");
        assertFalse(json(a.get("/health/ready")).booleanValue("degraded"));
        long fallbacksBefore = gateways.get(0).shared().health().limitFallbacks();
        // Limits are shared again (the restarted Redis, without persistence, starts a fresh window):
        // one instance alone now admits the whole 10, not its 5.
        int again = 0;
        for (int i = 0; i < 12; i++) {
            if (chat(a, KEY, "back " + i).statusCode() == 200) {
                again++;
            }
        }
        assertEquals(10, again);
        assertEquals(fallbacksBefore, gateways.get(0).shared().health().limitFallbacks(), "decided by Redis");
        // Budgets: checked again on A; B's next call writes the untracked call's cost it kept.
        assertEquals(200, chat(a, OTHER, "budget back a").statusCode());
        assertEquals(200, chat(b, OTHER, "budget back b").statusCode());
        assertEquals(0, gateways.get(1).shared().health().settlementsPending());
        assertEquals(3 * COST, gateways.get(0).shared().budgets().spent("budgeted", RedisBudgets.Period.DAY), 1e-9,
                "the call allowed while Redis was down is counted");
        // The cache is shared again.
        int calls = upA.requests().size() + upB.requests().size();
        assertEquals(200, chat(a, OTHER, "cached again").statusCode());
        assertEquals(200, chat(b, OTHER, "cached again").statusCode());
        assertEquals(calls + 1, upA.requests().size() + upB.requests().size(), "B answered from the cache A filled");
    }

    @Test
    void redisSettingsAreCheckedAtOnce_andWithoutAUrlStateStaysLocal() throws Exception {
        ScriptedProvider up = upstream();
        Gateway.Builder b = Gateway.newBuilder().port(0).defaultRoute(Llm.newBuilder().provider(up).defaultModel("m").build());
        ConfigurationException bad = assertThrows(ConfigurationException.class,
                () -> b.redis(Map.of("PARLEY_REDIS_URL", "redis://:hunter2-canary@127.0.0.1:6379", "PARLEY_REDIS_INSTANCES", "two")));
        assertFalse(bad.getMessage().contains("hunter2-canary"), bad.getMessage());
        assertThrows(ConfigurationException.class, () -> b.redis(Map.of("PARLEY_REDIS_URL", "http://:hunter2@127.0.0.1")));
        b.redis(Map.of("OPENAI_API_KEY", "sk-not-redis"));
        assertTrue(b.redisCacheStore().isEmpty());
        Gateway g = b.build().start();
        gateways.add(g);
        TestHttp http = new TestHttp(g.uri());
        clients.add(http);
        JsonObject ready = json(http.get("/health/ready"));
        assertFalse(ready.has("shared"));
        assertFalse(ready.has("degraded"));
        assertFalse(http.get("/metrics").body().contains("parley_gateway_redis_up"));
    }

    @Test
    void aBuilderWithRedisBuildsOneGateway_whichClosesItsConnectionsWhenItStops() throws Exception {
        server = RedisServer.start();
        Gateway.Builder b = Gateway.newBuilder().port(0).redis(settings().build())
                .defaultRoute(Llm.newBuilder().provider(upstream()).defaultModel("m").build());
        Gateway g = b.build();
        assertThrows(IllegalStateException.class, b::build);
        assertThrows(IllegalStateException.class, () -> b.redis(Map.of()));
        g.start();
        assertTrue(g.shared().ping());
        g.stop();
        assertFalse(g.shared().ping(), "stopped: its client is closed");
    }
}
