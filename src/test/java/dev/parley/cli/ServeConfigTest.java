package dev.parley.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.gateway.Gateway;
import dev.parley.internal.redis.RedisServer;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;

/** {@code parley keys hash} and {@code parley serve --config}. */
class ServeConfigTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String stdin, Map<String, String> env, String... args) {
        return Main.run(List.of(args), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env);
    }

    @Test
    void keysHash_printsTheHashOfTheKeyOnStandardInput_andNeverTheKey() {
        assertEquals(0, run("sk-team-key-123\n", Map.of(), "keys", "hash"));

        String printed = out.toString(StandardCharsets.UTF_8).strip();
        assertEquals(Gateway.keyHash("sk-team-key-123"), printed);
        assertTrue(printed.matches("sha256:[0-9a-f]{64}"), printed);
        assertFalse(printed.contains("sk-team-key"));
    }

    @Test
    void keysHash_refusesAnEmptyKey() {
        assertEquals(2, run("\n", Map.of(), "keys", "hash"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("expected one key"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void serveWithABadConfigFile_namesEachProblem_andDoesNotStart() throws Exception {
        Path file = dir.resolve("gateway.json");
        Files.writeString(file, "{\"keys\":[{\"name\":\"a\",\"hash\":\"sha256:00\",\"limits\":{\"rpm\":-5}}]}");

        int code = run("", Map.of("OPENAI_API_KEY", "sk-x"), "serve", "--port", "0", "--config", file.toString());

        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(3, code, e);
        assertTrue(e.contains("keys[0] (\"a\").hash"), e);
        assertTrue(e.contains("keys[0] (\"a\").limits.rpm"), e);
    }

    @Test
    void serveRefusesGatewayKeysTogetherWithAConfigFile() throws Exception {
        Path file = dir.resolve("gateway.json");
        Files.writeString(file, "{\"keys\":[]}");

        int code = run("", Map.of("OPENAI_API_KEY", "sk-x", "PARLEY_GATEWAY_KEYS", "k1"), "serve", "--port", "0",
                "--config", file.toString());

        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot both give the keys"));
    }

    @Test
    void helpDescribesConfigAndKeys() {
        assertEquals(0, run("", Map.of(), "serve", "--help"));
        assertEquals(0, run("", Map.of(), "keys", "--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("--config FILE") && help.contains("PARLEY_GATEWAY_ACCESS_LOG") && help.contains("parley keys hash"));
        for (String part : List.of("\"routes\"", "\"default_route\"", "api_key_env", "api_key_file", "\"log\"",
                "PARLEY_GATEWAY_LOG_PROMPTS", "SIGHUP")) {
            assertTrue(help.contains(part), "serve --help should mention " + part + ":\n" + help);
        }
    }

    private static final String CLIENT_KEY = "sk-canary-client-key-0123456789";
    private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"canary prompt\"}]}";

    private Gateway serve(Map<String, String> env, String... args) {
        ServeCommand serve = new ServeCommand(new PrintStream(out, true, StandardCharsets.UTF_8), env);
        List<String> argv = new java.util.ArrayList<>(List.of("--port", "0"));
        argv.addAll(List.of(args));
        return serve.build(Args.parse(argv, java.util.Set.of("host", "port", "config"), java.util.Set.of())).start();
    }

    private static java.net.http.HttpResponse<String> chat(Gateway g, String model) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        g.uri().resolve("/v1/chat/completions")).header("Authorization", "Bearer " + CLIENT_KEY)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(CHAT.formatted(model))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private Path keysFile(String more) throws Exception {
        Path file = dir.resolve("gateway.json");
        Files.writeString(file, "{\"keys\": [{\"name\": \"app\", \"hash\": \"" + Gateway.keyHash(CLIENT_KEY) + "\"}]" + more + "}");
        return file;
    }

    /** A file's route that turns its cache on caches in Redis when the gateway has Redis: two instances, one cache. */
    @Test
    void fileRoutesWithACache_shareItThroughRedis() throws Exception {
        try (RedisServer redis = RedisServer.start(); ReplayServer upstream = ReplayServer.start()) {
            upstream.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_basic"));
            Path file = keysFile(", \"routes\": {\"main\": {\"provider\": \"openai\", \"base_url\": \""
                    + upstream.uri("/v1") + "\", \"model\": \"gpt-4o-mini\", \"api_key_env\": \"MAIN_KEY\","
                    + " \"retries\": 0, \"cache\": {\"ttl\": \"10m\"}}}, \"default_route\": \"main\"");
            Map<String, String> env = Map.of("MAIN_KEY", "sk-upstream-test-0123",
                    "PARLEY_REDIS_URL", "redis://127.0.0.1:" + redis.port(), "PARLEY_REDIS_INSTANCES", "2");
            Gateway a = serve(env, "--config", file.toString());
            Gateway b = serve(env, "--config", file.toString());
            try {
                assertEquals(200, chat(a, "main").statusCode());
                upstream.takeRequest();
                assertEquals(200, chat(b, "main").statusCode());
                assertEquals(0, upstream.pendingRequests(), "the second instance answered from the cache in Redis");
            } finally {
                a.stop();
                b.stop();
            }
        }
    }

    /** The environment's circuit-breaker settings give its routes a breaker, shared through Redis by the instances. */
    @Test
    void environmentRoutesWithACircuitBreaker_shareItThroughRedis() throws Exception {
        try (RedisServer redis = RedisServer.start(); ReplayServer upstream = ReplayServer.start()) {
            upstream.on("POST", "/v1/chat/completions", Reply.json(500, "{\"error\":{\"message\":\"down\",\"type\":\"server_error\"}}"));
            Map<String, String> env = Map.of("OPENAI_API_KEY", "sk-upstream-test-0123", "OPENAI_BASE_URL", upstream.uri("/v1").toString(),
                    "LLM_MAX_RETRIES", "0", "LLM_CIRCUIT_BREAKER_FAILURES", "2", "LLM_CIRCUIT_BREAKER_COOL_DOWN", "10m",
                    "PARLEY_REDIS_URL", "redis://127.0.0.1:" + redis.port(), "PARLEY_REDIS_INSTANCES", "2");
            Path file = keysFile("");
            Gateway a = serve(env, "--config", file.toString());
            Gateway b = serve(env, "--config", file.toString());
            try {
                for (int i = 0; i < 2; i++) {
                    assertEquals(502, chat(a, "gpt-4o-mini").statusCode());
                    upstream.takeRequest();
                }
                java.net.http.HttpResponse<String> refused = chat(b, "gpt-4o-mini");
                assertEquals(503, refused.statusCode(), refused.body());
                long retry = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
                assertTrue(retry > 500 && retry <= 600, "the cool-down left: " + retry);
                assertEquals(0, upstream.pendingRequests(), "the other instance refused without an upstream call");
                assertEquals("open", redis.raw("HGET", "parley:circuit:{default}", "s"));
            } finally {
                a.stop();
                b.stop();
            }
        }
    }

    @Test
    void serveWithRoutesInTheFile_takesThemAndNotTheEnvironmentsProviders() throws Exception {
        try (ReplayServer upstream = ReplayServer.start()) {
            upstream.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_basic"));
            Path file = keysFile(", \"routes\": {\"main\": {\"provider\": \"openai\", \"base_url\": \""
                    + upstream.uri("/v1") + "\", \"model\": \"gpt-4o-mini\", \"api_key_env\": \"MAIN_KEY\"}},"
                    + " \"default_route\": \"main\"");
            // No OPENAI_API_KEY: the environment's default route could not be made, and is not needed.
            Gateway g = serve(Map.of("MAIN_KEY", "sk-upstream-test-0123", "LLM_PROVIDER", "anthropic"), "--config", file.toString());
            try {
                assertEquals(200, chat(g, "whatever").statusCode());
                assertEquals("Bearer sk-upstream-test-0123", upstream.takeRequest().header("Authorization"));
                assertEquals(200, chat(g, "main/gpt-4o").statusCode());
                assertTrue(upstream.takeRequest().bodyText().contains("\"gpt-4o\""));
                assertEquals(200, chat(g, "anthropic/claude-sonnet-4-5").statusCode());
                assertTrue(upstream.takeRequest().bodyText().contains("\"anthropic/claude-sonnet-4-5\""),
                        "no environment route took it: the default route did, with the model as it was");
            } finally {
                g.stop();
            }

            assertEquals(2, run("", Map.of("MAIN_KEY", "k", "PARLEY_GATEWAY_ALIASES", "fast=openai/gpt-4o-mini"),
                    "serve", "--port", "0", "--config", file.toString()));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("PARLEY_GATEWAY_ALIASES and a configuration file with routes"),
                    err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void withAFileOfKeysOnly_everyEnvironmentRouteKeepsWorking() throws Exception {
        try (ReplayServer openai = ReplayServer.start(); ReplayServer anthropic = ReplayServer.start()) {
            openai.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_basic"));
            anthropic.on("POST", "/v1/messages", Reply.fixture("anthropic/message_basic"));
            Map<String, String> env = Map.of(
                    "OPENAI_API_KEY", "sk-openai-test", "OPENAI_BASE_URL", openai.uri("/v1").toString(),
                    "ANTHROPIC_API_KEY", "sk-ant-test", "ANTHROPIC_BASE_URL", anthropic.uri("").toString(),
                    "PARLEY_GATEWAY_ALIASES", "smart=anthropic/claude-sonnet-4-5", "LLM_MAX_RETRIES", "0");
            Gateway g = serve(env, "--config", keysFile("").toString());
            try {
                assertEquals(200, chat(g, "gpt-4o").statusCode(), "the default route, LLM_PROVIDER's");
                assertEquals("gpt-4o", ((dev.parley.json.JsonObject) dev.parley.json.Json.parse(openai.takeRequest().bodyText()))
                        .string("model"));
                assertEquals(200, chat(g, "anthropic/claude-3-haiku").statusCode(), "a provider's prefix route");
                assertEquals("sk-ant-test", anthropic.takeRequest().header("x-api-key"));
                assertEquals(200, chat(g, "smart").statusCode(), "an alias from PARLEY_GATEWAY_ALIASES");
                assertTrue(anthropic.takeRequest().bodyText().contains("claude-sonnet-4-5"));
            } finally {
                g.stop();
            }
        }
    }

    @Test
    void parleyGatewayLogPrompts_putsPromptsInTheAccessLog_andABadValueIsAUsageError() throws Exception {
        try (ReplayServer openai = ReplayServer.start()) {
            openai.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_basic"));
            Path log = dir.resolve("access.log");
            Map<String, String> env = new java.util.HashMap<>(Map.of("OPENAI_API_KEY", "sk-openai-test",
                    "OPENAI_BASE_URL", openai.uri("/v1").toString(), "PARLEY_GATEWAY_ACCESS_LOG", log.toString(),
                    "PARLEY_GATEWAY_KEYS", CLIENT_KEY));
            Gateway quiet = serve(env);
            assertEquals(200, chat(quiet, "gpt-4o").statusCode());
            quiet.stop();
            env.put("PARLEY_GATEWAY_LOG_PROMPTS", "true");
            Gateway loud = serve(env);
            assertEquals(200, chat(loud, "gpt-4o").statusCode());
            loud.stop();

            List<String> lines = Files.readAllLines(log);
            assertEquals(2, lines.size(), lines.toString());
            assertFalse(lines.get(0).contains("canary prompt"), lines.get(0));
            assertTrue(lines.get(1).contains("canary prompt") && lines.get(1).contains("\"answer\""), lines.get(1));

            env.put("PARLEY_GATEWAY_LOG_PROMPTS", "sometimes");
            assertEquals(2, run("", env, "serve", "--port", "0"));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("PARLEY_GATEWAY_LOG_PROMPTS: expected true or false"),
                    err.toString(StandardCharsets.UTF_8));
        }
    }
}
