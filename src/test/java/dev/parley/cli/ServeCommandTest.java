package dev.parley.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.parley.gateway.Gateway;
import dev.parley.internal.redis.RedisServer;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;

class ServeCommandTest {

    private static HttpResponse<String> post(URI uri, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json");
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void serve_routesByPrefixAndAlias_andRequiresGatewayKeys() throws Exception {
        try (ReplayServer openai = ReplayServer.start(); ReplayServer anthropic = ReplayServer.start()) {
            openai.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_basic"));
            anthropic.on("POST", "/v1/messages", Reply.fixture("anthropic/message_basic"));
            Map<String, String> env = new HashMap<>(Map.of(
                    "OPENAI_API_KEY", "sk-openai-test", "OPENAI_BASE_URL", openai.uri("/v1").toString(),
                    "ANTHROPIC_API_KEY", "sk-ant-test", "ANTHROPIC_BASE_URL", anthropic.uri("").toString(),
                    "PARLEY_GATEWAY_KEYS", "client-key-1,client-key-2",
                    "PARLEY_GATEWAY_ALIASES", "smart=anthropic/claude-sonnet-4-5",
                    "LLM_MAX_RETRIES", "0"));
            ServeCommand serve = new ServeCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), env);
            Gateway gateway = serve.build(Args.parse(List.of("--port", "0"), Set.of("host", "port"), Set.of()));
            gateway.start();
            try {
                URI chat = gateway.uri().resolve("/v1/chat/completions");
                assertEquals(401, post(chat, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", null).statusCode());

                HttpResponse<String> r = post(chat, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "client-key-2");
                assertEquals(200, r.statusCode(), r.body());
                assertEquals("chat.completion", ((JsonObject) Json.parse(r.body())).string("object"));
                assertEquals("gpt-4o", ((JsonObject) Json.parse(openai.takeRequest().body())).string("model"));

                r = post(chat, "{\"model\":\"anthropic/claude-3-haiku\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "client-key-1");
                assertEquals(200, r.statusCode(), r.body());
                assertEquals("claude-3-haiku", ((JsonObject) Json.parse(anthropic.takeRequest().body())).string("model"));

                r = post(chat, "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "client-key-1");
                assertEquals(200, r.statusCode(), r.body());
                assertEquals("claude-sonnet-4-5", ((JsonObject) Json.parse(anthropic.takeRequest().body())).string("model"));
                String text = ((JsonObject) Json.parse(r.body())).array("choices").object(0).object("message").string("content");
                assertTrue(!text.isEmpty());
            } finally {
                gateway.stop();
            }
        }
    }

    @Test
    void serve_routesGemini_whenOnlyGoogleApiKeyIsSet() throws Exception {
        try (ReplayServer gemini = ReplayServer.start()) {
            gemini.on("POST", "/v1beta/models/gemini-1.5-flash:generateContent", Reply.fixture("gemini/generate_basic"));
            Map<String, String> env = Map.of("OPENAI_API_KEY", "sk-openai-test", "GOOGLE_API_KEY", "g-test-key-0123",
                    "GEMINI_BASE_URL", gemini.uri("/v1beta").toString(), "LLM_MAX_RETRIES", "0");
            ServeCommand serve = new ServeCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), env);
            Gateway gateway = serve.build(Args.parse(List.of("--port", "0"), Set.of("host", "port"), Set.of()));
            gateway.start();
            try {
                HttpResponse<String> r = post(gateway.uri().resolve("/v1/chat/completions"),
                        "{\"model\":\"gemini/gemini-1.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", null);
                assertEquals(200, r.statusCode(), r.body());
                assertEquals("Hello, world!\n",
                        ((JsonObject) Json.parse(r.body())).array("choices").object(0).object("message").string("content"));
                assertEquals("g-test-key-0123", gemini.takeRequest().header("x-goog-api-key"));
            } finally {
                gateway.stop();
            }
        }
    }

    /** With PARLEY_REDIS_URL and ENABLE_CACHE, two `parley serve` instances answer from one cache and report Redis. */
    @Test
    void serve_withRedis_sharesTheResponseCacheBetweenInstances() throws Exception {
        try (RedisServer redis = RedisServer.start(); ReplayServer openai = ReplayServer.start()) {
            openai.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_basic"));
            Map<String, String> env = Map.of("OPENAI_API_KEY", "sk-openai-test", "OPENAI_BASE_URL", openai.uri("/v1").toString(),
                    "LLM_MAX_RETRIES", "0", "ENABLE_CACHE", "true", "CACHE_TTL", "10m",
                    "PARLEY_REDIS_URL", "redis://127.0.0.1:" + redis.port(), "PARLEY_REDIS_INSTANCES", "2");
            Args port0 = Args.parse(List.of("--port", "0"), Set.of("host", "port"), Set.of());
            Gateway a = new ServeCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), env).build(port0);
            Gateway b = new ServeCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), env).build(port0);
            a.start();
            b.start();
            try {
                String chat = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"cache me\"}]}";
                HttpResponse<String> first = post(a.uri().resolve("/v1/chat/completions"), chat, null);
                assertEquals(200, first.statusCode(), first.body());
                openai.takeRequest();
                HttpResponse<String> second = post(b.uri().resolve("/v1/chat/completions"), chat, null);
                assertEquals(200, second.statusCode(), second.body());
                assertEquals(0, openai.pendingRequests(), "the second instance answered from the cache in Redis");
                assertEquals(
                        ((JsonObject) Json.parse(first.body())).array("choices").object(0).object("message").string("content"),
                        ((JsonObject) Json.parse(second.body())).array("choices").object(0).object("message").string("content"));

                HttpResponse<String> ready = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(b.uri().resolve("/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals("up", ((JsonObject) Json.parse(ready.body())).object("shared").string("redis"), ready.body());
            } finally {
                a.stop();
                b.stop();
            }
        }
    }

    @Test
    void serve_badSettingsAreUsageErrors() {
        ServeCommand serve = new ServeCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                Map.of("OPENAI_API_KEY", "k", "PARLEY_GATEWAY_ALIASES", "nonsense"));
        assertThrows(UsageException.class, () -> serve.build(Args.parse(List.of(), Set.of("host", "port"), Set.of())));
        ServeCommand badPort = new ServeCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                Map.of("OPENAI_API_KEY", "k", "PARLEY_GATEWAY_PORT", "http"));
        assertThrows(UsageException.class, () -> badPort.build(Args.parse(List.of(), Set.of("host", "port"), Set.of())));
    }
}
