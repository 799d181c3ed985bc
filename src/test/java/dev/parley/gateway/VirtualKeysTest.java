package dev.parley.gateway;

import static dev.parley.gateway.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.support.Await;
import dev.parley.ChatChunk;
import dev.parley.ChatResponse;
import dev.parley.ConfigurationException;
import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.Usage;
import dev.parley.cost.ModelPrice;
import dev.parley.cost.PriceTable;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.testing.ManualTicker;
import dev.parley.testing.ScriptedProvider;

/** Virtual keys from a configuration file: models, rate limits, budgets, the access log and reloads. */
class VirtualKeysTest extends GatewayTestBase {

    private static final String KEY = "sk-canary-virtual-key-0123456789";
    private static final String OTHER_KEY = "sk-canary-second-key-9876543210";
    private static final String PROMPT = "canary prompt text that must never be logged";
    private static final String CHAT = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}";

    @TempDir
    Path dir;

    private final ManualTicker ticker = new ManualTicker();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private ScriptedProvider upstream;

    /** One call costs 1000 input and 1000 output tokens at $10 per million each: $0.02. */
    private static final PriceTable PRICES = PriceTable.empty().withPrice("fake", "m", ModelPrice.of(10, 10))
            .withPrice("controlled", "m", ModelPrice.of(10, 10));

    private Path config(String keysJson) throws IOException {
        return config(keysJson, "{}");
    }

    private Path config(String keysJson, String aliases) throws IOException {
        Path file = dir.resolve("gateway.json");
        Files.writeString(file.resolveSibling("gateway.json.tmp"), "{\"keys\":[" + keysJson + "],\"aliases\":" + aliases + "}");
        Files.move(file.resolveSibling("gateway.json.tmp"), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private static String key(String name, String plain, String extra) {
        return "{\"name\":\"" + name + "\",\"hash\":\"" + KeysConfig.hash(plain) + "\",\"owner\":\"ana\",\"team\":\"search\""
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    private void startWith(Path file) {
        upstream = ScriptedProvider.newBuilder("fake").reply(ChatResponse.newBuilder().provider("fake").text("hi")
                .finishReason("stop").usage(Usage.of(1000, 1000)).build()).build();
        start(Gateway.newBuilder().defaultRoute(Llm.newBuilder().provider(upstream).defaultModel("m").build())
                .configFile(file).prices(PRICES).ticker(ticker).accessLog(log));
    }

    private HttpResponse<String> chat(String key) {
        return http.post("/v1/chat/completions", CHAT, "Authorization", "Bearer " + key);
    }

    private HttpResponse<String> chat(String key, String model) {
        return http.post("/v1/chat/completions", CHAT.replace("\"model\":\"m\"", "\"model\":\"" + model + "\""),
                "Authorization", "Bearer " + key);
    }

    private List<JsonObject> accessLines(int expected) {
        await(() -> log.toString(StandardCharsets.UTF_8).lines().count() >= expected, "access log lines");
        List<JsonObject> out = new ArrayList<>();
        log.toString(StandardCharsets.UTF_8).lines().forEach(l -> out.add((JsonObject) Json.parse(l)));
        return out;
    }

    private static void await(BooleanSupplier condition, String what) {
        Await.until(condition, Duration.ofSeconds(10), what);
    }

    @Test
    void aKnownKeyIsServed_anUnknownOneIs401() throws IOException {
        startWith(config(key("app-1", KEY, "")));

        assertEquals(200, chat(KEY).statusCode());
        HttpResponse<String> wrong = chat("sk-not-a-configured-key");
        assertEquals(401, wrong.statusCode());
        assertEquals("invalid_api_key", json(wrong).object("error").string("code"));
        assertEquals(401, http.post("/v1/chat/completions", CHAT).statusCode());
        assertEquals(1, upstream.requests().size());
    }

    @Test
    void aModelOutsideTheKeysListIs403_withoutAnUpstreamCall() throws IOException {
        startWith(config(key("app-1", KEY, "\"models\":[\"m\",\"fake-*\"]")));

        assertEquals(200, chat(KEY).statusCode());
        assertEquals(200, chat(KEY, "fake-large").statusCode());
        HttpResponse<String> r = chat(KEY, "gpt-4o");

        assertEquals(403, r.statusCode());
        JsonObject error = json(r).object("error");
        assertEquals("model_not_allowed", error.string("code"));
        assertEquals("model", error.string("param"));
        assertEquals(2, upstream.requests().size());
    }

    @Test
    void theRequestBeyondTheKeysRpmIs429WithRetryAfter_withoutAnUpstreamCall_untilTheMinuteHasPassed() throws IOException {
        startWith(config(key("app-1", KEY, "\"limits\":{\"rpm\":3}") + "," + key("app-2", OTHER_KEY, "\"limits\":{\"rpm\":3}")));

        for (int i = 0; i < 3; i++) {
            assertEquals(200, chat(KEY).statusCode());
            ticker.advance(Duration.ofSeconds(10));
        }
        HttpResponse<String> r = chat(KEY);

        assertEquals(429, r.statusCode());
        assertEquals("rate_limit_exceeded", json(r).object("error").string("code"));
        assertEquals("rate_limit_error", json(r).object("error").string("type"));
        assertEquals("30", r.headers().firstValue("retry-after").orElseThrow(), "the first request leaves the window in 30 s");
        assertEquals(3, upstream.requests().size());
        assertEquals(200, chat(OTHER_KEY).statusCode(), "each key has its own limit");

        ticker.advance(Duration.ofSeconds(31));
        assertEquals(200, chat(KEY).statusCode());
    }

    @Test
    void theResponsesApiIsAdmittedLikeChats_itsLimitAndBudgetCannotBeWalkedAround() throws IOException {
        startWith(config(key("app-1", KEY, "\"limits\":{\"rpm\":2}") + ","
                + key("app-2", OTHER_KEY, "\"budget\":{\"daily\":0.01}")));
        String responses = "{\"model\":\"m\",\"input\":\"hi\",\"max_output_tokens\":10}";

        assertEquals(200, chat(KEY).statusCode());
        assertEquals(200, http.post("/v1/responses", responses, "Authorization", "Bearer " + KEY).statusCode());
        HttpResponse<String> limited = http.post("/v1/responses", responses, "Authorization", "Bearer " + KEY);
        assertEquals(429, limited.statusCode(), "the chat and the response both counted: " + limited.body());
        assertEquals(2, upstream.requests().size());

        assertEquals(200, http.post("/v1/responses", responses, "Authorization", "Bearer " + OTHER_KEY).statusCode());
        HttpResponse<String> broke = http.post("/v1/responses", responses, "Authorization", "Bearer " + OTHER_KEY);
        assertEquals(402, broke.statusCode(), broke.body());
        assertEquals(3, upstream.requests().size(), "no upstream call past the limit or the budget");
        assertEquals(5, accessLines(5).size(), "every request logged, the refused ones too");
    }

    @Test
    void tokensPerMinuteCountTheEstimateBeforeAndTheUsageAfter() throws IOException {
        // Each call is estimated at about 20 tokens (its prompt and max_tokens 10) and uses 2000.
        startWith(config(key("app-1", KEY, "\"limits\":{\"tpm\":2005}")));

        assertEquals(200, chat(KEY).statusCode());
        HttpResponse<String> r = chat(KEY);

        assertEquals(429, r.statusCode(), "2000 used plus the next estimate is over 2005");
        assertEquals("60", r.headers().firstValue("retry-after").orElseThrow());
        assertEquals(1, upstream.requests().size());
    }

    @Test
    void aKeyOverItsBudgetGets402InsufficientQuota_withoutAnUpstreamCall() throws IOException {
        startWith(config(key("app-1", KEY, "\"budget\":{\"daily\":0.03}")));

        assertEquals(200, chat(KEY).statusCode()); // $0.02 spent
        assertEquals(200, chat(KEY).statusCode()); // worst case fits the $0.01 left; $0.04 spent
        HttpResponse<String> r = chat(KEY);

        assertEquals(402, r.statusCode());
        JsonObject error = json(r).object("error");
        assertEquals("insufficient_quota", error.string("code"));
        assertEquals("insufficient_quota", error.string("type"));
        assertTrue(error.string("message").contains("daily budget"), error.string("message"));
        assertEquals(2, upstream.requests().size());

        ticker.advance(Duration.ofDays(1));
        assertEquals(200, chat(KEY).statusCode(), "a daily budget starts again the next UTC day");
        List<SpendStore.Spend> spend = gateway.virtualKeys().spend().spend();
        assertEquals(2, spend.size(), "one row per key, model and day: " + spend);
        assertEquals(0.04, spend.stream().filter(s -> s.requests() == 2).findFirst().orElseThrow().usd(), 1e-9);
        String metrics = http.get("/metrics").body();
        assertTrue(metrics.contains("parley_gateway_key_requests_total{key=\"app-1\",model=\"m\"} 3"), metrics);
        assertTrue(metrics.contains("parley_gateway_key_tokens_total{key=\"app-1\",model=\"m\",type=\"output\"} 3000"), metrics);
        assertTrue(metrics.contains("parley_gateway_key_cost_usd_total{key=\"app-1\",model=\"m\"} 0.06"), metrics);
    }

    /** Made-up model names the upstream refuses cannot grow the spend rows, nor the key series of /metrics. */
    @Test
    void callsThatFailBeforeAnyOutputMakeNoSpendRow_soMadeUpModelsAddNoSeries() throws IOException {
        Path file = config(key("app-1", KEY, ""));
        upstream = ScriptedProvider.newBuilder("fake").answer(request -> {
            if (!request.model().equals("m")) {
                throw LlmException.newBuilder(LlmException.Kind.INVALID_REQUEST).provider("fake").statusCode(404)
                        .message("The model '" + request.model() + "' does not exist").retryable(false).build();
            }
            return ChatResponse.newBuilder().provider("fake").text("hi").finishReason("stop").usage(Usage.of(1000, 1000)).build();
        }).build();
        start(Gateway.newBuilder().defaultRoute(Llm.newBuilder().provider(upstream).defaultModel("m").build())
                .configFile(file).prices(PRICES).ticker(ticker).accessLog(log));

        assertEquals(200, chat(KEY).statusCode());
        for (int i = 0; i < 20; i++) {
            assertEquals(400, chat(KEY, "made-up-" + i).statusCode(), "the upstream refused the model");
        }

        List<SpendStore.Spend> spend = gateway.virtualKeys().spend().spend();
        assertEquals(1, spend.size(), "only the call that answered made a row: " + spend);
        assertEquals("m", spend.get(0).model());
        String metrics = http.get("/metrics").body();
        assertFalse(metrics.contains("made-up-"), metrics);
        assertEquals(21, accessLines(21).size(), "every request still has its access-log line");
    }

    @Test
    void aWorstCaseOverWhatIsLeftIsRefusedBeforeTheCall() throws IOException {
        startWith(config(key("app-1", KEY, "\"budget\":{\"total\":0.01}")));

        // max_tokens 5000 at $10 per million is $0.05 at worst, more than the $0.01 budget.
        HttpResponse<String> r = http.post("/v1/chat/completions", CHAT.replace("\"max_tokens\":10", "\"max_tokens\":5000"),
                "Authorization", "Bearer " + KEY);

        assertEquals(402, r.statusCode());
        assertTrue(json(r).object("error").string("message").contains("max_tokens"));
        assertEquals(0, upstream.requests().size());
    }

    @Test
    void embeddingsAreAdmittedAndLoggedLikeChats() throws IOException {
        startWith(config(key("app-1", KEY, "\"models\":[\"m\"],\"limits\":{\"rpm\":1}")));

        assertEquals(403, http.post("/v1/embeddings", "{\"model\":\"e\",\"input\":\"" + PROMPT + "\"}",
                "Authorization", "Bearer " + KEY).statusCode());
        assertEquals(200, http.post("/v1/embeddings", "{\"model\":\"m\",\"input\":\"" + PROMPT + "\"}",
                "Authorization", "Bearer " + KEY).statusCode());
        assertEquals(429, http.post("/v1/embeddings", "{\"model\":\"m\",\"input\":\"" + PROMPT + "\"}",
                "Authorization", "Bearer " + KEY).statusCode());
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(5)));

        List<JsonObject> lines = accessLines(3);
        assertEquals(List.of(403L, 200L, 429L), lines.stream().map(l -> l.longValue("status")).toList());
        assertTrue(lines.get(1).longValue("input_tokens") > 0, lines.get(1).toString());
        assertEquals(1, upstream.embeddingRequests().size());
        assertFalse(log.toString(StandardCharsets.UTF_8).contains("canary prompt"));
    }

    @Test
    void aStreamThatReportsNoUsageIsChargedItsWorstCase() throws IOException {
        ScriptedProvider silent = ScriptedProvider.newBuilder("fake")
                .chunks(List.of(ChatChunk.ofText("hel"), ChatChunk.ofText("lo"))).build();
        Path file = config(key("app-1", KEY, "\"budget\":{\"total\":0.05}"));
        start(Gateway.newBuilder().defaultRoute(Llm.newBuilder().provider(silent).defaultModel("m").build())
                .configFile(file).prices(PRICES).ticker(ticker).accessLog(log));
        // At $10 per million, max_tokens 2000 and the prompt cost about $0.0201 at worst.
        String body = CHAT.replace("\"max_tokens\":10", "\"max_tokens\":2000,\"stream\":true");

        assertEquals(200, http.post("/v1/chat/completions", body, "Authorization", "Bearer " + KEY).statusCode());
        assertEquals(200, http.post("/v1/chat/completions", body, "Authorization", "Bearer " + KEY).statusCode());
        HttpResponse<String> third = http.post("/v1/chat/completions", body, "Authorization", "Bearer " + KEY);

        assertEquals(402, third.statusCode(), "two worst cases leave less than a third: " + third.body());
        assertEquals(2, silent.requests().size());
    }

    @Test
    void aKeyAtItsConcurrencyLimitIs429UntilItsStreamEnds() throws Exception {
        ControlledProvider controlled = new ControlledProvider();
        Path file = config(key("app-1", KEY, "\"limits\":{\"concurrency\":1}"));
        start(Gateway.newBuilder().defaultRoute(Llm.newBuilder().provider(controlled).defaultModel("m").build())
                .configFile(file).prices(PRICES).ticker(ticker).accessLog(log));
        String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}";
        CompletableFuture<HttpResponse<String>> first = http.client().sendAsync(HttpRequest.newBuilder(
                gateway.uri().resolve("/v1/chat/completions")).header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        controlled.subscribed.await();

        HttpResponse<String> second = http.post("/v1/chat/completions", body, "Authorization", "Bearer " + KEY);
        assertEquals(429, second.statusCode());
        assertEquals("1", second.headers().firstValue("retry-after").orElseThrow());

        controlled.emit(ChatChunk.ofText("hi"));
        controlled.emit(ChatChunk.newBuilder().usage(Usage.of(1000, 1000)).build());
        controlled.complete();
        assertEquals(200, first.get().statusCode());
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(5)));
        List<JsonObject> lines = accessLines(2);
        JsonObject streamed = lines.stream().filter(l -> l.longValue("status") == 200).findFirst().orElseThrow();
        assertTrue(streamed.has("ttft_ms"), streamed.toString());
        assertEquals(1000, streamed.longValue("output_tokens"));
        assertEquals(0.02, streamed.doubleValue("cost_usd"), 1e-9);
    }

    @Test
    void theAccessLogHasOneLinePerRequest_withItsFacts_andNeverAKeyOrPrompt() throws IOException {
        startWith(config(key("app-1", KEY, "\"limits\":{\"rpm\":1}")));

        assertEquals(200, chat(KEY).statusCode());
        assertEquals(429, chat(KEY).statusCode());
        assertEquals(401, chat(OTHER_KEY).statusCode());
        assertEquals(200, http.get("/health").statusCode());
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(5)));

        List<JsonObject> lines = accessLines(3);
        assertEquals(3, lines.size(), "one line per request, probes excepted: " + lines);
        JsonObject ok = lines.get(0);
        assertEquals("app-1", ok.string("key"));
        assertEquals("ana", ok.string("owner"));
        assertEquals("search", ok.string("team"));
        assertEquals("default", ok.string("route"));
        assertEquals("m", ok.string("model"));
        assertEquals(200, ok.longValue("status"));
        assertEquals(1000, ok.longValue("input_tokens"));
        assertEquals(1000, ok.longValue("output_tokens"));
        assertEquals(0.02, ok.doubleValue("cost_usd"), 1e-9);
        assertTrue(ok.string("request_id").startsWith("req_"));
        assertTrue(ok.has("time") && ok.has("latency_ms"));
        assertEquals(429, lines.get(1).longValue("status"));
        assertEquals("app-1", lines.get(1).string("key"));
        assertEquals(401, lines.get(2).longValue("status"));
        assertFalse(lines.get(2).has("key"));
        String text = log.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains(PROMPT) || text.contains("canary prompt"), text);
        assertFalse(text.contains(KEY) || text.contains(OTHER_KEY) || text.contains("sk-canary"), text);
        assertFalse(text.contains(KeysConfig.hash(KEY).substring(7)), "not even the hash: " + text);
        assertFalse(gateway.toString().contains("sk-canary"));
    }

    @Test
    void aChangedFileIsUsedByTheNextRequest_andABadOneKeepsTheKeysInUse() throws Exception {
        Path file = config(key("app-1", KEY, "\"limits\":{\"rpm\":1}"));
        startWith(file);
        assertEquals(200, chat(KEY).statusCode());
        assertEquals(429, chat(KEY).statusCode());

        config(key("app-1", KEY, "\"limits\":{\"rpm\":5}"));
        await(() -> gateway.watcher().reloads() == 1, "the reload");
        ticker.advance(Duration.ofSeconds(10));
        assertEquals(200, chat(KEY).statusCode(), "the new limit applies; the minute's count stays");

        config(key("app-1", KEY, "\"limits\":{\"rpm\":1}"));
        assertTrue(gateway.reloadConfig());
        HttpResponse<String> lowered = chat(KEY);
        assertEquals(429, lowered.statusCode());
        assertEquals("60", lowered.headers().firstValue("retry-after").orElseThrow(),
                "both requests of this minute must leave, the later one in 60 s");
        config(key("app-1", KEY, "\"limits\":{\"rpm\":5}"));
        assertTrue(gateway.reloadConfig());

        Files.writeString(file, "{\"keys\":[{\"name\":\"app-1\",\"hash\":\"" + KEY + "\"}]}");
        await(() -> gateway.watcher().failures() >= 1, "the refused reload");
        assertEquals(200, chat(KEY).statusCode(), "the keys in use stay");
        assertEquals(401, chat(OTHER_KEY).statusCode());
    }

    @Test
    void reloadConfig_readsTheFileNow_andTellsWhetherItIsInUse() throws Exception {
        Path file = config(key("app-1", KEY, ""));
        startWith(file);

        config(key("app-1", KEY, "") + "," + key("app-2", OTHER_KEY, ""));
        assertTrue(gateway.reloadConfig());
        assertEquals(200, chat(OTHER_KEY).statusCode());

        Files.writeString(file, "{\"keys\": [}");
        assertFalse(gateway.reloadConfig());
        assertEquals(200, chat(OTHER_KEY).statusCode(), "the keys in use stay");

        Gateway plain = Gateway.newBuilder().defaultRoute(llm(upstream, "m")).build();
        assertThrows(IllegalStateException.class, plain::reloadConfig);
    }

    @Test
    void anAliasFromTheFileStandsForItsModel_andAKeyMayBeAllowedEither() throws IOException {
        Path file = config(key("app-1", KEY, "\"models\":[\"fast\"]") + "," + key("app-2", OTHER_KEY, "\"models\":[\"m-*\"]"),
                "{\"fast\":\"m-mini\"}");
        startWith(file);

        HttpResponse<String> r = chat(KEY, "fast");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("fast", json(r).string("model"), "the answer names the model the client asked for");
        assertEquals("m-mini", upstream.requests().get(0).model());
        assertEquals(200, chat(OTHER_KEY, "fast").statusCode(), "allowed by what the alias stands for");
        assertEquals(403, chat(KEY, "m-mini").statusCode(), "allowed only the alias");

        config(key("app-1", KEY, "\"models\":[\"fast\"]"), "{\"fast\":\"m-large\"}");
        await(() -> gateway.watcher().reloads() == 1, "the reload");
        assertEquals(200, chat(KEY, "fast").statusCode());
        assertEquals("m-large", upstream.requests().get(2).model());
    }

    @Test
    void aliasesAreChecked() {
        String text = "{\"keys\":[],\n\"aliases\":{\"a\":\"b\",\"b\":\"m\",\"c\":5,\"d e\":\"m\"}}";
        String m = assertThrows(ConfigurationException.class, () -> KeysConfig.parse(text, "f")).getMessage();
        assertTrue(m.contains("line 2: aliases.a: stands for \"b\", another alias"), m);
        assertTrue(m.contains("aliases.c: expected the model"), m);
        assertTrue(m.contains("aliases.d e: an alias is"), m);
    }

    @Test
    void aBadFileNamesEveryProblemWithItsPath_butNeverAKey() {
        String text = """
                {"keys": [
                  {"name": "app-1", "hash": "sk-plain-key-pasted-by-mistake", "limits": {"rpm": -1, "tmp": 5}},
                  {"name": "app-1", "hash": "%s", "budget": {"daily": "five"}, "models": ["a*b"]},
                  {"hash": "%s"}
                ], "route": {}}
                """.formatted(KeysConfig.hash(KEY), KeysConfig.hash(KEY));

        ConfigurationException e = assertThrows(ConfigurationException.class, () -> KeysConfig.parse(text, "gateway.json"));

        String m = e.getMessage();
        for (String expected : List.of("gateway.json", "line 5: route: unknown field",
                "line 2: keys[0] (\"app-1\").hash: expected \"sha256:\"",
                "line 2: keys[0] (\"app-1\").limits.rpm: expected a whole number", "keys[0] (\"app-1\").limits.tmp: unknown field",
                "line 3: keys[1] (\"app-1\").budget.daily: expected US dollars", "line 3: keys[1] (\"app-1\").models[0]",
                "keys[2].name: missing")) {
            assertTrue(m.contains(expected), "expected \"" + expected + "\" in:\n" + m);
        }
        assertFalse(m.contains("sk-plain-key"), m);
    }

    @Test
    void duplicateNamesAndHashesAndSyntaxErrorsAreNamed() {
        String dup = "{\"keys\":[" + key("a", KEY, "") + "," + key("a", KEY, "") + "]}";
        String m = assertThrows(ConfigurationException.class, () -> KeysConfig.parse(dup, "f")).getMessage();
        assertTrue(m.contains("keys[1].name: \"a\" is used by an earlier key"), m);
        assertTrue(m.contains("keys[1].hash: the same key hash"), m);

        String broken = "{\"keys\": [\n  {\"name\": \"a\",}\n]}";
        m = assertThrows(ConfigurationException.class, () -> KeysConfig.parse(broken, "f")).getMessage();
        assertTrue(m.contains("line 2"), m);
    }

    @Test
    void aGatewayRefusesAMissingFileAndApiKeysWithAFile() {
        Gateway.Builder b = Gateway.newBuilder().defaultRoute(llm(ScriptedProvider.newBuilder("fake").reply("x").build(), "m"))
                .configFile(dir.resolve("missing.json"));
        assertTrue(assertThrows(ConfigurationException.class, b::build).getMessage().contains("cannot be read"));
        Gateway.Builder both = b.apiKeys(java.util.Set.of("k"));
        assertThrows(IllegalStateException.class, both::build);
    }
}
