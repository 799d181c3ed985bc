package dev.parley.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.parley.gateway.Gateway;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.support.CountingHttpServer;

/**
 * The hostile upstreams of {@link UpstreamFaultTest} behind {@code parley serve}'s gateway, with
 * an OpenAI-wire and an Anthropic upstream, plain and streamed: the gateway's client gets an
 * OpenAI-shaped error (a 4xx/5xx body, or for a stream that had started, an {@code error} event
 * and no {@code [DONE]}) within the deadline, never the key, the upstream connections are closed,
 * and the gateway goes on answering {@code /health}.
 */
class GatewayUpstreamFaultTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String provider : List.of("openai-compatible", "anthropic", "gemini", "bedrock")) {
            for (UpstreamFaultTest.Fault f : UpstreamFaultTest.faults()) {
                out.add(Arguments.of(provider, f, false));
                out.add(Arguments.of(provider, f, true));
            }
        }
        return out.stream();
    }

    @AfterAll
    static void closeClient() {
        CLIENT.shutdownNow();
    }

    @ParameterizedTest(name = "{0} {1} stream={2}")
    @MethodSource("cases")
    void everyFault_reachesTheGatewaysClientAsAnOpenAiError_andTheGatewayStaysUp(String provider,
            UpstreamFaultTest.Fault fault, boolean stream) throws Exception {
        try (CountingHttpServer upstream = CountingHttpServer.start(request -> fault.reply());
             Gateway gateway = Gateway.newBuilder().host("127.0.0.1").port(0)
                     .defaultRoute(UpstreamFaultTest.llm(provider, upstream)).build().start()) {
            String body = "{\"model\":\"m\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
            long start = System.nanoTime();
            HttpResponse<String> res = CLIENT.send(HttpRequest.newBuilder(gateway.uri().resolve("/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertTrue(took.compareTo(UpstreamFaultTest.DEADLINE.plus(UpstreamFaultTest.SLACK)) < 0, () -> "took " + took);
            assertFalse(res.body().contains(UpstreamFaultTest.CANARY), () -> "the key reached the client: " + res.body());
            if (res.statusCode() == 200) {
                assertTrue(stream, () -> "a plain chat answered 200 for a hostile upstream: " + res.body());
                assertFalse(res.body().contains("data: [DONE]"), () -> "a broken stream ended as if complete: " + res.body());
                String last = res.body().lines().filter(l -> l.startsWith("data: ")).reduce((a, b) -> b).orElse("");
                assertTrue(((JsonObject) Json.parse(last.substring(6))).has("error"), () -> "no error event: " + res.body());
            } else {
                assertTrue(res.statusCode() >= 400 && res.statusCode() <= 599, () -> res.statusCode() + " " + res.body());
                assertTrue(((JsonObject) Json.parse(res.body())).object("error").has("message"), res.body());
            }
            assertTrue(!fault.clientCloses() || upstream.awaitOpenAtMost(0, Duration.ofSeconds(10)),
                    () -> upstream.open() + " upstream connections left open");
            assertEquals(200, CLIENT.send(HttpRequest.newBuilder(URI.create(gateway.uri() + "/health")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), "the gateway still answers");
        }
    }
}
