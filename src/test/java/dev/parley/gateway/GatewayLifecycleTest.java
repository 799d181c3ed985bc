package dev.parley.gateway;

import static dev.parley.gateway.TestHttp.json;
import static dev.parley.gateway.TestHttp.sseJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.json.JsonObject;
import dev.parley.testing.ScriptedProvider;

class GatewayLifecycleTest extends GatewayTestBase {

    private static final String STREAM = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void clientDisconnectMidStream_cancelsTheUpstreamStream() throws Exception {
        ControlledProvider upstream = new ControlledProvider();
        startAsConfigured(Gateway.newBuilder().defaultRoute(llm(upstream, "m"))
                .streamHeartbeat(Duration.ofMillis(20)).shutdownGrace(Duration.ofMillis(200)));
        byte[] request = ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + STREAM.length() + "\r\n\r\n" + STREAM).getBytes(StandardCharsets.US_ASCII);

        try (Socket socket = new Socket(gateway.address().getAddress(), gateway.address().getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            upstream.emit(ChatChunk.ofText("first"));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.contains("\"first\"")) {
                // read up to the first content chunk
            }
            assertTrue(line != null, "the first chunk arrived");
        } // the client goes away while the upstream is still open

        assertTrue(upstream.awaitCancelled(), "the upstream stream was cancelled after the client left");
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(5)), "the request ended, so its counters are final");
        assertEquals(1, gateway.metrics().clientDisconnects());
    }

    @Test
    void stop_letsARunningStreamFinish_whileRefusingNewRequests() throws Exception {
        ControlledProvider upstream = new ControlledProvider();
        startAsConfigured(Gateway.newBuilder().defaultRoute(llm(upstream, "m")).shutdownGrace(Duration.ofSeconds(10)));
        CompletableFuture<HttpResponse<String>> response = http.client().sendAsync(
                HttpRequest.newBuilder(gateway.uri().resolve("/v1/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString(STREAM)).build(),
                HttpResponse.BodyHandlers.ofString());
        upstream.emit(ChatChunk.ofText("Hello"));

        CompletableFuture<Void> stopped = CompletableFuture.runAsync(gateway::stop, Thread::startVirtualThread);
        assertTrue(gateway.draining().await(5, TimeUnit.SECONDS), "stop() began draining");

        try (TestHttp other = new TestHttp(gateway.uri())) {
            HttpResponse<String> refused = other.post("/v1/chat/completions", STREAM);
            assertEquals(503, refused.statusCode());
            assertEquals("shutting_down", json(refused).object("error").string("code"));
            assertEquals(503, other.get("/health/ready").statusCode());
        }
        assertTrue(!stopped.isDone(), "stop() waits for the running stream");

        upstream.emit(ChatChunk.ofText(", world"));
        upstream.complete();

        HttpResponse<String> r = response.get(5, TimeUnit.SECONDS);
        stopped.get(5, TimeUnit.SECONDS);
        assertTrue(gateway.terminated(), "every request thread ended before stop() returned");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
        List<JsonObject> events = sseJson(r.body());
        assertEquals("Hello", events.get(1).array("choices").object(0).object("delta").string("content"));
        assertEquals(", world", events.get(2).array("choices").object(0).object("delta").string("content"));
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket(gateway.address().getAddress(), gateway.address().getPort())) {
                s.getInputStream();
            }
        }, "the listener is closed after stop()");
    }

    @Test
    void stop_afterTheGracePeriod_endsStreamsStillOpenAndCancelsTheirUpstream() throws Exception {
        ControlledProvider upstream = new ControlledProvider();
        startAsConfigured(Gateway.newBuilder().defaultRoute(llm(upstream, "m")).shutdownGrace(Duration.ofMillis(100)));
        CompletableFuture<HttpResponse<String>> response = http.client().sendAsync(
                HttpRequest.newBuilder(gateway.uri().resolve("/v1/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString(STREAM)).build(),
                HttpResponse.BodyHandlers.ofString());
        upstream.emit(ChatChunk.ofText("Hello"));
        assertTrue(upstream.subscribed.await(5, TimeUnit.SECONDS));

        long t0 = System.nanoTime();
        gateway.stop();
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertTrue(gateway.terminated(), "every request thread ended before stop() returned");
        assertTrue(upstream.awaitCancelled(), "the upstream was cancelled");
        assertTrue(took < 3000, "stop() took " + took + " ms");
        HttpResponse<String> r = response.get(5, TimeUnit.SECONDS);
        assertTrue(!r.body().contains("[DONE]"), r.body());
        assertTrue(r.body().contains("shutting_down"), r.body());
    }

    @Test
    void startTwice_fails_andStopIsIdempotent() {
        startAsConfigured(Gateway.newBuilder().defaultRoute(llm(ScriptedProvider.newBuilder("f").reply("x").build(), "m"))
                .shutdownGrace(Duration.ZERO));
        assertThrows(IllegalStateException.class, gateway::start);
        gateway.stop();
        gateway.stop();
        assertThrows(UncheckedIOException.class, () -> {
            try {
                new Socket(gateway.address().getAddress(), gateway.address().getPort()).close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void builder_refusesBadSettings() {
        assertThrows(IllegalStateException.class, () -> Gateway.newBuilder().build());
        assertThrows(IllegalArgumentException.class, () -> Gateway.newBuilder().route("a/b", llm(
                ScriptedProvider.newBuilder("f").build(), "m")));
        assertThrows(IllegalArgumentException.class, () -> Gateway.newBuilder().route("default", llm(
                ScriptedProvider.newBuilder("f").build(), "m")));
        assertThrows(IllegalArgumentException.class, () -> Gateway.newBuilder().port(70000));
        assertThrows(IllegalArgumentException.class, () -> Gateway.newBuilder().maxRequestBytes(0));
        assertThrows(IllegalArgumentException.class, () -> Gateway.newBuilder().apiKeys(java.util.Set.of("has space")));
        assertThrows(IllegalArgumentException.class, () -> Gateway.newBuilder().shutdownGrace(Duration.ofSeconds(-1)));
    }
}
