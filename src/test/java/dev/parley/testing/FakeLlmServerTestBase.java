package dev.parley.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import dev.parley.json.Json;
import dev.parley.json.JsonObject;

/**
 * What the {@link FakeLlmServer} tests share: a server the test starts (on 127.0.0.1 and a free
 * port, the builder's default), an HTTP client, closing both after each test, and request helpers.
 */
abstract class FakeLlmServerTestBase {

    /** The running server, once a test has started one. */
    FakeLlmServer server;
    HttpClient client;

    @BeforeEach
    void openClient() {
        client = HttpClient.newHttpClient();
    }

    @AfterEach
    void closeServerAndClient() {
        client.close();
        if (server != null) {
            server.close();
        }
    }

    FakeLlmServer start(FakeLlmServer.Builder b) {
        server = b.build().start();
        return server;
    }

    static HttpResponse<String> post(HttpClient client, URI uri, String json, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs {@code json} to {@code path} on the server, with header name-value pairs. */
    HttpResponse<String> post(String path, String json, String... headers) throws IOException, InterruptedException {
        return post(client, server.uri(path), json, headers);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(server.uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject json(HttpResponse<String> r) {
        return (JsonObject) Json.parse(r.body());
    }
}
