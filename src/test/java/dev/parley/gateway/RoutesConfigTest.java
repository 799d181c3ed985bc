package dev.parley.gateway;

import static dev.parley.gateway.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.ChatResponse;
import dev.parley.ConfigurationException;
import dev.parley.Llm;
import dev.parley.Usage;
import dev.parley.json.JsonObject;
import dev.parley.testing.ScriptedProvider;

/** Routes from the configuration file: how they are read, checked, made, and swapped on reload. */
class RoutesConfigTest extends GatewayTestBase {

    private static final String KEY = "sk-canary-client-key-0123456789";
    private static final String KEY_A = "sk-canary-upstream-a-0123456789";
    private static final String KEY_B = "sk-canary-upstream-b-0123456789";
    private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    Path dir;

    private final GatedUpstream a = new GatedUpstream("a");
    private final GatedUpstream b = new GatedUpstream("b");
    private Path keyFile;

    @AfterEach
    void closeUpstreams() {
        a.close();
        b.close();
    }

    /** Writes the file as editors and ConfigMaps do: whole, by a rename. */
    private Path write(String routes) throws IOException {
        return write(routes, "");
    }

    private Path write(String routes, String more) throws IOException {
        Path file = dir.resolve("gateway.json");
        String text = "{\"keys\": [{\"name\": \"app\", \"hash\": \"" + KeysConfig.hash(KEY) + "\"}]"
                + (routes.isEmpty() ? "" : ",\n \"routes\": " + routes) + more + "}";
        Files.writeString(dir.resolve("gateway.json.tmp"), text);
        Files.move(dir.resolve("gateway.json.tmp"), file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private String routeA(String extra) {
        return "{\"provider\": \"openai-compatible\", \"base_url\": \"" + a.baseUrl() + "\", \"model\": \"m-a\","
                + " \"api_key_env\": \"UPSTREAM_A_KEY\", \"retries\": 0" + extra + "}";
    }

    private String routeB(String extra) throws IOException {
        keyFile = dir.resolve("b.key");
        if (!Files.exists(keyFile)) {
            Files.writeString(keyFile, KEY_B + "\n");
        }
        return "{\"provider\": \"openai\", \"base_url\": \"" + b.baseUrl() + "\", \"model\": \"m-b\","
                + " \"api_key_file\": \"" + keyFile + "\", \"retries\": 0" + extra + "}";
    }

    private Gateway.Builder builder(Path file) {
        return Gateway.newBuilder().configFile(file).environment(Map.of("UPSTREAM_A_KEY", KEY_A));
    }

    private HttpResponse<String> chat(String model) {
        return http.post("/v1/chat/completions", CHAT.formatted(model), "Authorization", "Bearer " + KEY);
    }

    private static String answer(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        return json(r).array("choices").object(0).object("message").string("content");
    }

    @Test
    void theFilesRoutesServeByNameAndPrefix_theDefaultRouteTheRest_eachWithItsOwnKey() throws IOException {
        start(builder(write("{\"a\": " + routeA("") + ",\n  \"b\": " + routeB("") + "}", ",\n \"default_route\": \"a\"")));

        assertEquals("from a", answer(chat("gpt-anything")));
        assertEquals("from b", answer(chat("b")));
        assertEquals("from b", answer(chat("b/other-model")));
        assertEquals("from a", answer(chat("a")));

        assertEquals(List.of(new GatedUpstream.Seen("gpt-anything", "Bearer " + KEY_A), new GatedUpstream.Seen("m-a", "Bearer " + KEY_A)),
                a.seen());
        assertEquals(List.of(new GatedUpstream.Seen("m-b", "Bearer " + KEY_B), new GatedUpstream.Seen("other-model", "Bearer " + KEY_B)),
                b.seen());
        assertEquals(401, http.post("/v1/chat/completions", CHAT.formatted("a")).statusCode(), "the file's keys still apply");
        assertFalse(gateway.toString().contains("sk-canary"), gateway.toString());
    }

    @Test
    void withoutADefaultRoute_aModelNoRouteTakesIs404() throws IOException {
        start(builder(write("{\"a\": " + routeA("") + "}")));

        HttpResponse<String> r = chat("gpt-4o");

        assertEquals(404, r.statusCode());
        assertEquals("model_not_found", json(r).object("error").string("code"));
        assertEquals("from a", answer(chat("a")));
    }

    @Test
    void aRouteFallsBackToAnotherRoute_withThatRoutesKeyAndModel() throws IOException {
        String deepseek = routeB("").replace("\"openai\"", "\"deepseek\"");
        String routes = "{\"a\": " + routeA(", \"fallback\": [\"b/m-rescue\"]") + ",\n  \"b\": " + deepseek + "}";
        start(builder(write(routes)));
        a.close(); // a refuses connections: a's call fails, and its fallback answers

        assertEquals("from b", answer(chat("a")));
        assertEquals(List.of(new GatedUpstream.Seen("m-rescue", "Bearer " + KEY_B)), b.seen());
    }

    @Test
    void aFileWithBadRoutesNamesEveryProblemWithItsLineAndField_butNeverAKey() throws IOException {
        String text = """
                {"keys": [],
                 "routes": {
                   "a": {"provider": "openai", "api_key": "sk-proj-pasted-by-mistake-0123"},
                   "b": {"provider": "anthropic", "api_key_env": "sk-ant-pasted-here-too-0123456789"},
                   "c": {"model": "m", "timeout": "soon", "colour": "blue"},
                   "d": {"provider": "ollama", "fallback": ["nowhere"], "settings": {"OLLAMA_API_KEY": "x"}},
                   "e.f": {"provider": "ollama", "base_url": "sk-live-pasted-into-a-url-0123456789"},
                   "default": {"provider": "ollama"}
                 },
                 "default_route": "z"}
                """;
        String m = assertThrows(ConfigurationException.class, () -> KeysConfig.parse(text, "gateway.json")).getMessage();

        for (String expected : List.of("line 3: routes.a.api_key: an API key never goes in this file; use \"api_key_env\"",
                "line 4: routes.b.api_key_env: the value looks like an API key, which never goes in this file",
                "line 5: routes.c.provider: missing", "line 5: routes.c.colour: unknown field",
                "line 6: routes.d.fallback[0]: no route called \"nowhere\"",
                "line 6: routes.d.settings.OLLAMA_API_KEY: keys and secrets never go in this file",
                "line 7: routes[\"e.f\"].base_url: the value looks like an API key",
                "line 8: routes.default: a route's name is", "line 10: default_route: no route called \"z\"")) {
            assertTrue(m.contains(expected), "expected \"" + expected + "\" in:\n" + m);
        }
        assertFalse(m.contains("pasted"), m);
    }

    @Test
    void badCircuitBreakersAreNamedWithTheirLineAndField() {
        String text = """
                {"keys": [],
                 "routes": {
                   "a": {"provider": "ollama", "circuit_breaker": true},
                   "b": {"provider": "ollama", "circuit_breaker": {"cool_down": "30s", "probes": 2}},
                   "c": {"provider": "ollama", "circuit_breaker": {"failures": 0, "probes": 101}},
                   "d": {"provider": "ollama", "circuit_breaker": {"failures": 5, "cool_down": "soon", "colour": 1}},
                   "e": {"provider": "ollama", "circuit_breaker": {"failures": "5x", "cool_down": "25h"}},
                   "f": {"provider": "ollama", "settings": {"LLM_CIRCUIT_BREAKER_FAILURES": "5"}},
                   "g": {"provider": "ollama", "circuit_breaker": {"failures": 3, "cool_down": "sk-proj-pasted-by-mistake-0123"}}
                 }}
                """;

        String m = assertThrows(ConfigurationException.class, () -> KeysConfig.parse(text, "gateway.json")).getMessage();

        for (String expected : List.of(
                "line 3: routes.a.circuit_breaker: expected an object such as {\"failures\": 5, \"cool_down\": \"30s\", \"probes\": 1}",
                "line 4: routes.b.circuit_breaker.failures: missing; how many failures in a row open the circuit (1 to 1000)",
                "line 5: routes.c.circuit_breaker.failures: expected a whole number from 1 to 1000, got 0",
                "line 5: routes.c.circuit_breaker.probes: expected a whole number from 1 to 100, got 101",
                "line 6: routes.d.circuit_breaker.cool_down: expected a duration such as 30 (seconds), 500ms",
                "line 6: routes.d.circuit_breaker.colour: unknown field; expected one of [cool_down, failures, probes]",
                "line 7: routes.e.circuit_breaker.failures: expected a whole number from 1 to 1000, got 5x",
                "line 7: routes.e.circuit_breaker.cool_down: expected a duration from 1ms to 24h, got \"25h\"",
                "line 8: routes.f.settings.LLM_CIRCUIT_BREAKER_FAILURES: use the route's \"circuit_breaker.failures\" field",
                "line 9: routes.g.circuit_breaker.cool_down: the value looks like an API key")) {
            assertTrue(m.contains(expected), "expected \"" + expected + "\" in:\n" + m);
        }
        assertFalse(m.contains("pasted"), m);
    }

    @Test
    void aRouteWithACircuitBreaker_refusesAtOnceOnceOpen_insideItsFallbacks() throws IOException {
        String routes = "{\"a\": " + routeA(", \"circuit_breaker\": {\"failures\": 2, \"cool_down\": \"10m\"}") + ",\n"
                + " \"solo\": " + routeA(", \"circuit_breaker\": {\"failures\": 2, \"cool_down\": \"10m\"}, \"fallback\": [\"b\"]")
                        .replace("openai-compatible", "deepseek").replace("UPSTREAM_A_KEY", "UPSTREAM_S_KEY")
                + ",\n \"b\": " + routeB("") + "}";
        start(builder(write(routes)).environment(Map.of("UPSTREAM_A_KEY", KEY_A, "UPSTREAM_S_KEY", KEY_A))
                .adminKey("adm-canary-admin-key-0123456789"));
        a.answerWith(500);

        assertEquals(502, chat("a").statusCode());
        assertEquals(502, chat("a").statusCode());
        HttpResponse<String> refused = chat("a");

        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("service_unavailable", json(refused).object("error").string("code"));
        long retry = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
        assertTrue(retry > 500 && retry <= 600, "the cool-down left: " + retry);
        assertEquals(2, a.seen().size(), "refused without an upstream call");
        // The same rules on a route with a fallback: once open, calls go to the fallback at once.
        for (int i = 0; i < 4; i++) {
            assertEquals("from b", answer(chat("solo")));
        }
        assertEquals(4, a.seen().size(), "two failures opened solo's circuit; the last two calls never reached it");
        JsonObject breaker = (JsonObject) json(http.get("/admin/upstreams", "Authorization", "Bearer adm-canary-admin-key-0123456789"))
                .array("upstreams").get(0);
        assertEquals("open", breaker.object("breaker").string("state"));
        assertTrue(breaker.object("breaker").get("shared").orElseThrow() instanceof dev.parley.json.JsonNull,
                "without Redis the breaker is this instance's own");
    }

    @Test
    void routesThatCannotBeMadeAreNamedWithTheirLineAndField_atBuild() throws IOException {
        Path file = write("{\n  \"a\": " + routeA(", \"timeout\": \"soon\"") + ",\n  \"b\": {\"provider\": \"anthropic\"},\n"
                + "  \"c\": {\"provider\": \"no-such-provider\"},\n  \"d\": {\"provider\": \"openai\", \"api_key_env\": \"UNSET_VARIABLE\"}\n}");

        String m = assertThrows(ConfigurationException.class, () -> builder(file).build()).getMessage();

        for (String expected : List.of("line 3: routes.a.timeout:", "line 4: routes.b: the anthropic provider needs an API key: "
                        + "give \"api_key_env\"", "line 5: routes.c.provider: no provider called \"no-such-provider\"",
                "line 6: routes.d.api_key_env: the environment variable UNSET_VARIABLE is not set")) {
            assertTrue(m.contains(expected), "expected \"" + expected + "\" in:\n" + m);
        }
        assertFalse(m.contains(KEY_A), m);
    }

    @Test
    void aFallbackWhoseProviderReadsTheSameSettingsDifferentlyIsRefused() throws IOException {
        // openai and openai-compatible both read OPENAI_BASE_URL: one client cannot hold both.
        Path file = write("{\"a\": " + routeA(", \"fallback\": [\"b\"]") + ",\n \"b\": " + routeB("") + "}");

        String m = assertThrows(ConfigurationException.class, () -> builder(file).build()).getMessage();

        assertTrue(m.contains("routes.a.fallback[0]: route \"b\" cannot be a fallback of this route"), m);
        assertTrue(m.contains("OPENAI_"), m);
    }

    @Test
    void aReloadSwapsTheRoutes_aRunningRequestFinishesOnTheOldClient_whichIsClosedAfterIt() throws Exception {
        Path file = write("{\"r\": " + routeA("") + "}", ", \"default_route\": \"r\"");
        start(builder(file));
        Llm old = gateway.router().resolve("r").llm();
        a.hold();
        CompletableFuture<HttpResponse<String>> running = http.client().sendAsync(HttpRequest.newBuilder(
                        gateway.uri().resolve("/v1/chat/completions")).header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(CHAT.formatted("r"))).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(a.arrived.await(10, TimeUnit.SECONDS), "the first request reached upstream a");

        write("{\"r\": " + routeB("") + "}", ", \"default_route\": \"r\"");
        assertTrue(gateway.reloadConfig());

        assertEquals("from b", answer(chat("r")), "new requests take the new route");
        assertEquals("from b", answer(chat("anything")), "and the new default");
        assertEquals(0, gateway.router().closedClients(), "the old client still serves the running request");
        assertFalse(running.isDone());

        a.open();
        assertEquals("from a", answer(running.get(10, TimeUnit.SECONDS)), "it finished on the client it started with");
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(5)));
        assertEquals(1, gateway.router().closedClients(), "then the old client was closed");
        assertThrows(IllegalStateException.class, () -> old.chat("hi"));
        assertEquals(1, a.seen().size());
    }

    @Test
    void aReloadKeepsTheClientOfAnUnchangedRoute_andMakesANewOneWhenItsKeyFileChanges() throws Exception {
        Path file = write("{\"a\": " + routeA("") + ", \"b\": " + routeB("") + "}");
        start(builder(file));
        Llm clientA = gateway.router().resolve("a").llm();
        Llm clientB = gateway.router().resolve("b").llm();
        assertEquals("from b", answer(chat("b")));
        // The answer arrives before the request leaves its routes: wait until it has, or the
        // reloads below would find it still running on b's old client.
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(5)));

        // Only the keys change: the routes' clients stay, with their metrics.
        Files.writeString(dir.resolve("gateway.json"), Files.readString(file).replace("\"name\": \"app\"", "\"name\": \"app-2\""));
        assertTrue(gateway.reloadConfig());
        assertSame(clientA, gateway.router().resolve("a").llm());
        assertSame(clientB, gateway.router().resolve("b").llm());
        assertTrue(clientB.metrics().snapshot().calls() >= 1, "b's counters carry over");

        // b's key file is rotated: b gets a new client with the new key, a keeps its own.
        Files.writeString(keyFile, "sk-canary-rotated-b-0123456789\n");
        assertTrue(gateway.reloadConfig());
        assertSame(clientA, gateway.router().resolve("a").llm());
        assertNotSame(clientB, gateway.router().resolve("b").llm());
        assertEquals(1, gateway.router().closedClients(), "no request was running on b's old client: closed at once");
        assertEquals("from b", answer(chat("b")));
        assertEquals("Bearer sk-canary-rotated-b-0123456789", b.seen().get(b.seen().size() - 1).authorization());
    }

    @Test
    void aReloadWithARouteThatCannotBeMadeIsRefusedWhole_keysAndRoutesStay() throws Exception {
        Path file = write("{\"a\": " + routeA("") + "}");
        start(builder(file));
        Llm clientA = gateway.router().resolve("a").llm();
        String other = "sk-canary-other-client-key-0123";

        Files.writeString(file, "{\"keys\": [{\"name\": \"app\", \"hash\": \"" + KeysConfig.hash(KEY) + "\"},"
                + " {\"name\": \"new\", \"hash\": \"" + KeysConfig.hash(other) + "\"}],"
                + " \"routes\": {\"a\": " + routeA("") + ", \"b\": {\"provider\": \"openai\", \"api_key_env\": \"UNSET_VARIABLE\"}}}");
        assertFalse(gateway.reloadConfig());

        assertEquals(401, http.post("/v1/chat/completions", CHAT.formatted("a"), "Authorization", "Bearer " + other).statusCode(),
                "the new key did not come in without the new routes");
        assertSame(clientA, gateway.router().resolve("a").llm());
        assertEquals(0, gateway.router().closedClients());
        assertEquals(1, gateway.watcher().failures());

        write(""); // no routes, and the gateway was given none: refused too
        assertFalse(gateway.reloadConfig());
        assertEquals("from a", answer(chat("a")));
    }

    @Test
    void withoutRoutesInTheFile_theBuildersRoutesServe_andReloadsMoveBetweenThem() throws Exception {
        ScriptedProvider scripted = ScriptedProvider.newBuilder("fake").reply(ChatResponse.newBuilder().provider("fake")
                .text("from the builder").usage(Usage.of(1, 1)).build()).build();
        Llm given = Llm.newBuilder().provider(scripted).defaultModel("m").build();
        Path file = write("");
        start(builder(file).defaultRoute(given));
        assertEquals("from the builder", answer(chat("anything")));

        write("{\"a\": " + routeA("") + "}", ", \"default_route\": \"a\"");
        assertTrue(gateway.reloadConfig());
        assertEquals("from a", answer(chat("anything")), "the file's routes replace the builder's");

        write("");
        assertTrue(gateway.reloadConfig());
        assertEquals("from the builder", answer(chat("anything")), "and the builder's come back when the file has none");
        assertEquals(1, gateway.router().closedClients(), "a's client, made by the gateway, is closed");
        assertEquals("from the builder", given.chat("hi").text(), "the builder's client is the caller's: never closed");
    }

    @Test
    void stoppingClosesTheClientsTheGatewayMade() throws IOException {
        start(builder(write("{\"a\": " + routeA("") + "}")));
        Llm clientA = gateway.router().resolve("a").llm();

        gateway.stop();

        assertThrows(IllegalStateException.class, () -> clientA.chat("hi"));
        assertFalse(gateway.reloadConfig(), "a stopped gateway makes no more clients");
    }
}
