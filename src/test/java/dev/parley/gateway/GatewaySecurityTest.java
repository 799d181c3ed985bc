package dev.parley.gateway;

import static dev.parley.gateway.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.parley.json.JsonObject;
import dev.parley.testing.ScriptedProvider;

class GatewaySecurityTest extends GatewayTestBase {

    private static final String HELLO = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    /** Every test here talks to one scripted route that answers "ok". */
    @Override
    TestHttp start(Gateway.Builder b) {
        return super.start(b.defaultRoute(llm(ScriptedProvider.newBuilder("fake").reply("ok").build(), "m")));
    }

    @Test
    void apiKeys_missingOrWrongKeyIs401_rightKeyPasses_healthAndMetricsNeedNone() {
        start(Gateway.newBuilder().apiKeys(Set.of("sk-gw-first", "sk-gw-second")));

        HttpResponse<String> missing = http.post("/v1/chat/completions", HELLO);
        assertEquals(401, missing.statusCode());
        assertEquals("Bearer", missing.headers().firstValue("www-authenticate").orElseThrow());
        assertEquals("invalid_request_error", json(missing).object("error").string("type"));

        HttpResponse<String> wrong = http.post("/v1/chat/completions", HELLO, "Authorization", "Bearer sk-gw-thirdXYZ");
        assertEquals(401, wrong.statusCode());
        assertEquals("invalid_api_key", json(wrong).object("error").string("code"));
        assertFalse(wrong.body().contains("sk-gw"), "the key is never echoed: " + wrong.body());

        HttpResponse<String> prefix = http.get("/v1/models", "Authorization", "Bearer sk-gw-firs");
        assertEquals(401, prefix.statusCode());

        assertEquals(200, http.post("/v1/chat/completions", HELLO, "Authorization", "Bearer sk-gw-second").statusCode());
        assertEquals(200, http.get("/v1/models", "Authorization", "bearer sk-gw-first").statusCode());
        assertEquals(401, http.get("/v1/nothing-here").statusCode(), "unknown /v1 paths are not revealed without a key");

        assertEquals(200, http.get("/health").statusCode());
        assertEquals(200, http.get("/health/ready").statusCode());
        HttpResponse<String> metrics = http.get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("parley_gateway_auth_rejected_total 4"), metrics.body());
        assertFalse(gateway.toString().contains("sk-gw"), gateway.toString());
    }

    @Test
    void aKeyWithAControlCharacterAfterIt_isRefused_overTheWire() throws IOException {
        start(Gateway.newBuilder().apiKeys(Set.of("sk-gw-first")));
        for (char c : new char[] {'\u001f', '\u000b', '\u000c', '\u001c'}) {
            try (Socket s = new Socket(gateway.address().getAddress(), gateway.address().getPort())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(("GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                        + "Authorization: Bearer sk-gw-first" + c + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertFalse(answer.startsWith("HTTP/1.1 200 "), () -> "U+" + Integer.toHexString(c) + ": " + answer);
            }
        }
        assertEquals(200, http.get("/v1/models", "Authorization", "Bearer sk-gw-first ").statusCode(),
                "spaces around a header value are the header's, not the key's");
    }

    @Test
    void bodyOverTheLimit_is413_whetherDeclaredOrChunked() {
        start(Gateway.newBuilder().maxRequestBytes(1024));
        String big = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(4000) + "\"}]}";

        HttpResponse<String> declared = http.post("/v1/chat/completions", big);
        assertEquals(413, declared.statusCode());
        assertEquals("request_too_large", json(declared).object("error").string("code"));

        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(gateway.uri().resolve("/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))));
        assertEquals(413, chunked.statusCode());

        assertEquals(200, http.post("/v1/chat/completions", HELLO).statusCode(), "a body within the limit passes");
    }

    @Test
    void hugeDeclaredBody_isRefusedBeforeItIsSent() throws IOException {
        start(Gateway.newBuilder());
        try (Socket socket = new Socket(gateway.address().getAddress(), gateway.address().getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 104857600\r\n\r\n{\"model\":").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = readHead(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 413"), head);
            assertTrue(head.toLowerCase().contains("connection: close"), head);
        }
    }

    /** Reads the status line and headers of a response. */
    static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    @Test
    void malformedJson_is400WithTheParsersMessage() {
        start(Gateway.newBuilder());

        HttpResponse<String> r = http.post("/v1/chat/completions", "{\"model\": \"m\", \"messages\": [}");

        assertEquals(400, r.statusCode());
        JsonObject error = json(r).object("error");
        assertEquals("invalid_request_error", error.string("type"));
        assertTrue(error.string("message").contains("line 1, column"), error.string("message"));
        assertEquals(400, http.post("/v1/chat/completions", "[1,2]").statusCode());
    }

    @Test
    void invalidFields_are400NamingTheParameter() {
        start(Gateway.newBuilder());

        assertEquals("temperature", param(http.post("/v1/chat/completions",
                "{\"temperature\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
        assertEquals("n", param(http.post("/v1/chat/completions",
                "{\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
        assertEquals("messages", param(http.post("/v1/chat/completions", "{\"model\":\"m\"}")));
        assertEquals("messages[0].role", param(http.post("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}")));
        assertEquals("max_tokens", param(http.post("/v1/chat/completions",
                "{\"max_tokens\":\"ten\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
    }

    private static String param(HttpResponse<String> r) {
        assertEquals(400, r.statusCode(), r.body());
        return json(r).object("error").string("param");
    }

    @Test
    void unknownPathIs404_wrongMethodIs405() {
        start(Gateway.newBuilder());

        HttpResponse<String> unknown = http.get("/v2/whatever");
        assertEquals(404, unknown.statusCode());
        assertEquals("invalid_request_error", json(unknown).object("error").string("type"));
        assertEquals(404, http.get("/v1/files").statusCode());

        HttpResponse<String> wrong = http.get("/v1/chat/completions");
        assertEquals(405, wrong.statusCode());
        assertEquals("POST", wrong.headers().firstValue("allow").orElseThrow());
        assertEquals(405, http.post("/health", "{}").statusCode());
    }
}
