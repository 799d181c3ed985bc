package dev.parley.gateway;

import static dev.parley.gateway.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.spi.Capability;
import dev.parley.support.Fixtures;
import dev.parley.support.JsonShapes;
import dev.parley.testing.ScriptedProvider;

class GatewayOpsTest extends GatewayTestBase {

    private static Llm scripted(String name, String model) {
        return llm(ScriptedProvider.newBuilder(name).reply("ok").build(), model);
    }

    @Test
    void health_isAlwaysOk() {
        start(Gateway.newBuilder().defaultRoute(scripted("fake", "m")));
        HttpResponse<String> r = http.get("/health");
        assertEquals(200, r.statusCode());
        assertEquals("ok", json(r).string("status"));
    }

    @Test
    void head_onHealthAndReady_is200WithNoBody() {
        start(Gateway.newBuilder().defaultRoute(scripted("fake", "m")));
        for (String path : List.of("/health", "/health/ready")) {
            HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(gateway.uri().resolve(path))
                    .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()));
            assertEquals(200, r.statusCode(), path);
            assertEquals("", r.body(), path);
        }
        assertEquals(405, http.send(java.net.http.HttpRequest.newBuilder(gateway.uri().resolve("/health"))
                .DELETE()).statusCode(), "other methods are still refused");
    }

    @Test
    void ready_whenEveryRouteAnswers_andProvidersThatCannotListModelsCountAsReady() {
        ScriptedProvider noModels = ScriptedProvider.newBuilder("nolist").reply("x")
                .capabilities(EnumSet.of(Capability.CHAT, Capability.STREAMING)).build();
        start(Gateway.newBuilder().route("a", scripted("fake", "m")).route("b", llm(noModels, "m")));

        HttpResponse<String> r = http.get("/health/ready");

        assertEquals(200, r.statusCode(), r.body());
        assertEquals("ok", json(r).object("routes").string("a"));
        assertEquals("ok", json(r).object("routes").string("b"));
        http.get("/v1/models");
        assertTrue(gateway.awaitIdle(java.time.Duration.ofSeconds(5)));
        String metrics = http.get("/metrics").body();
        assertTrue(metrics.contains("parley_requests_total{route=\"b\"} 0\n"),
                "a provider that cannot list models is not asked, so no error is counted: " + metrics);
        assertTrue(metrics.contains("parley_requests_total{route=\"a\"} 2\n"), metrics);
    }

    @Test
    void ready_is503NamingTheFailingRouteButNotTheProvidersMessage() {
        LlmException auth = LlmException.newBuilder(LlmException.Kind.AUTHENTICATION).provider("x")
                .providerMessage("Incorrect API key provided: sk-abc***xyz").build();
        start(Gateway.newBuilder().route("good", scripted("fake", "m"))
                .route("bad", llm(new FailingStreamProvider(List.of(), auth), "m")));

        HttpResponse<String> r = http.get("/health/ready");

        assertEquals(503, r.statusCode());
        JsonObject body = json(r);
        assertEquals("unavailable", body.string("status"));
        assertEquals("ok", body.object("routes").string("good"));
        assertEquals("authentication", body.object("routes").string("bad"));
        assertFalse(r.body().contains("sk-"), r.body());
    }

    @Test
    void ready_answersWithinItsBound_whenAnUpstreamAcceptsAndNeverAnswers() throws Exception {
        try (SilentUpstream silent = new SilentUpstream()) {
            start(Gateway.newBuilder().route("good", scripted("fake", "m")).route("silent", silent.llm())
                    .readyTimeout(Duration.ofMillis(300)));

            // The client gives up after 10 s; the upstream call would run for 120 s.
            HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(gateway.uri().resolve("/health/ready"))
                    .timeout(Duration.ofSeconds(10)));

            assertEquals(503, r.statusCode(), r.body());
            assertEquals("ok", json(r).object("routes").string("good"));
            assertEquals("timeout", json(r).object("routes").string("silent"));
            assertTrue(silent.requested.await(10, java.util.concurrent.TimeUnit.SECONDS), "the upstream was asked");
            HttpResponse<String> again = http.send(java.net.http.HttpRequest.newBuilder(gateway.uri().resolve("/health/ready"))
                    .timeout(Duration.ofSeconds(10)));
            assertEquals(503, again.statusCode(), "a probe still running is waited for again, not started twice");
            gateway.stop();
            assertTrue(silent.callerClosed.await(10, java.util.concurrent.TimeUnit.SECONDS),
                    "stopping the gateway cancels the probe still waiting on the upstream");
        }
    }

    @Test
    void metrics_mergeEveryRouteUnderARouteLabel_plusTheGatewaysCounters() {
        Llm fast = scripted("fast-provider", "m");
        start(Gateway.newBuilder().route("fast", fast).route("fast-alias", fast).defaultRoute(scripted("fake", "m")));
        http.post("/v1/chat/completions", "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        http.post("/v1/chat/completions", "{\"model\":\"fast-alias\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        http.post("/v1/chat/completions", "{oops");

        // Requests are counted as their handler finishes, just after the client has the answer.
        assertTrue(gateway.awaitIdle(java.time.Duration.ofSeconds(5)));
        HttpResponse<String> r = http.get("/metrics");

        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("content-type").orElseThrow());
        String text = r.body();
        assertTrue(text.contains("parley_requests_total{route=\"fast\"} 2\n"), text);
        assertTrue(text.contains("parley_requests_total{route=\"default\"} 0\n"), text);
        assertFalse(text.contains("route=\"fast-alias\""), "a client under two names is reported once");
        assertTrue(text.contains("parley_errors_total{route=\"fast\",kind=\"rate_limited\"} 0\n"), text);
        assertTrue(text.contains("parley_request_duration_seconds_bucket{route=\"fast\",le=\"+Inf\"} 2\n"), text);
        assertTrue(text.contains("parley_gateway_requests_total{path=\"/v1/chat/completions\",status=\"200\"} 2\n"), text);
        assertTrue(text.contains("parley_gateway_requests_total{path=\"/v1/chat/completions\",status=\"400\"} 1\n"), text);
        for (String family : List.of("parley_requests_total", "parley_request_duration_seconds", "parley_gateway_requests_total")) {
            assertEquals(1, count(text, "# TYPE " + family + " "), family + " is declared once");
        }
        assertValidExposition(text);
    }

    /** Every sample's family was declared by a TYPE line just before its samples began, and never again. */
    private static void assertValidExposition(String text) {
        List<String> declared = new ArrayList<>();
        String current = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                current = line.split(" ")[2];
                assertFalse(declared.contains(current), "declared twice: " + current);
                declared.add(current);
            } else if (!line.startsWith("#")) {
                String name = line.substring(0, line.indexOf(line.contains("{") ? '{' : ' '));
                assertTrue(current != null && name.startsWith(current), "sample outside its family: " + line);
                assertTrue(line.matches("[a-z_]+(\\{[^}]*\\})? [0-9.e+-]+"), "malformed sample: " + line);
            }
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void embeddings_asFloatsShapedLikeOpenAis_andAsBase64OfTheSameFloats() {
        Llm llm = Llm.newBuilder().provider(ScriptedProvider.newBuilder("fake").dimensions(8).build())
                .defaultModel("m").embeddingModel("embed-default").build();
        start(Gateway.newBuilder().defaultRoute(llm));

        HttpResponse<String> floats = http.post("/v1/embeddings",
                "{\"model\":\"text-embedding-3-small\",\"input\":[\"hello\",\"world\"]}");
        HttpResponse<String> base64 = http.post("/v1/embeddings",
                "{\"model\":\"text-embedding-3-small\",\"input\":[\"hello\",\"world\"],\"encoding_format\":\"base64\"}");

        assertEquals(200, floats.statusCode(), floats.body());
        JsonObject f = json(floats);
        JsonShapes.assertSameShape(Fixtures.json("openai/embeddings_float.response.json"), f, Set.of(), Set.of());
        assertEquals("text-embedding-3-small", f.string("model"));
        assertEquals(2, f.array("data").size());
        assertEquals(1, f.array("data").object(1).intValue("index"));
        JsonArray v0 = f.array("data").object(0).array("embedding");
        assertEquals(8, v0.size());
        float[] expected = new float[8];
        for (int i = 0; i < 8; i++) {
            expected[i] = (float) v0.doubleValue(i);
        }
        byte[] raw = Base64.getDecoder().decode(json(base64).array("data").object(0).string("embedding"));
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        float[] decoded = new float[raw.length / 4];
        for (int i = 0; i < decoded.length; i++) {
            decoded[i] = b.getFloat();
        }
        assertArrayEquals(expected, decoded);

        HttpResponse<String> tokens = http.post("/v1/embeddings", "{\"model\":\"e\",\"input\":[[1,2,3]]}");
        assertEquals(400, tokens.statusCode());
        assertEquals("input", json(tokens).object("error").string("param"));
        assertEquals(200, http.post("/v1/embeddings", "{\"input\":\"single\"}").statusCode());
    }

    @Test
    void models_listRoutesModelsWithTheirPrefix_aliases_andTheDefaultModelOfProvidersThatListNone() {
        ScriptedProvider anthropic = ScriptedProvider.newBuilder("anthropic").reply("x")
                .models(List.of(new ModelInfo("claude-a", "anthropic", 1700000000, null), new ModelInfo("claude-b", null, 0, null)))
                .build();
        start(Gateway.newBuilder().route("anthropic", llm(anthropic, "claude-a"))
                .defaultRoute(scripted("openai", "gpt-4o")));

        HttpResponse<String> r = http.get("/v1/models");

        assertEquals(200, r.statusCode());
        JsonObject body = json(r);
        assertEquals("list", body.string("object"));
        JsonShapes.assertSameShape(Fixtures.json("openai/models_list.response.json"), body, Set.of(), Set.of());
        List<String> ids = new ArrayList<>();
        body.array("data").values().forEach(v -> ids.add(((JsonObject) v).string("id")));
        assertEquals(List.of("anthropic", "anthropic/claude-a", "anthropic/claude-b", "gpt-4o"), ids);
        assertEquals(1700000000, body.array("data").object(1).longValue("created"));

        HttpResponse<String> one = http.get("/v1/models/anthropic/claude-b");
        assertEquals(200, one.statusCode());
        assertEquals("anthropic/claude-b", json(one).string("id"));
        assertEquals("model", json(one).string("object"));
        assertEquals(404, http.get("/v1/models/nope").statusCode());
    }

    @Test
    void streamedChunksCountInTheRoutesMetrics() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").chunks(List.of(ChatChunk.ofText("a"), ChatChunk.ofText("b"))).build();
        start(Gateway.newBuilder().defaultRoute(llm(p, "m")));
        http.post("/v1/chat/completions", "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertTrue(gateway.awaitIdle(java.time.Duration.ofSeconds(5)));

        String text = http.get("/metrics").body();

        assertTrue(text.contains("parley_stream_chunks_total{route=\"default\"} 2\n"), text);
        assertTrue(text.contains("parley_gateway_streams_open 0\n"), text);
        assertTrue(text.contains("parley_gateway_access_log_dropped_total 0\n"), text);
    }
}
