package dev.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.ApiKey;
import dev.parley.AuthenticationException;
import dev.parley.InvalidRequestException;
import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.RateLimitException;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;

class HttpErrorsTest {

    private static HttpHeaders headers(Map<String, String> h) {
        return HttpHeaders.of(h.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                Map.Entry::getKey, e -> List.of(e.getValue()))), (a, b) -> true);
    }

    private static LlmException replay(String fixture, int status) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/x", Reply.fixture(fixture).withStatus(status));
            HttpRequest request = Transport.request(server.uri("/x")).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            return assertThrows(LlmException.class,
                    () -> Transport.send(HttpClient.newHttpClient(), request, "test", ApiKey.of("sk-canary-123")));
        }
    }

    @Test
    void openAi401_isAuthentication() {
        LlmException e = replay("openai/error_401_invalid_api_key", 401);
        assertInstanceOf(AuthenticationException.class, e);
        assertEquals("invalid_api_key", e.errorCode());
        assertEquals("invalid_request_error", e.errorType());
        assertTrue(e.providerMessage().startsWith("Incorrect API key provided"));
        assertFalse(e.retryable());
    }

    @Test
    void openAi429InsufficientQuota_isQuotaNotRateLimit() {
        LlmException e = replay("openai/error_429_insufficient_quota", 429);
        assertEquals(Kind.QUOTA_EXCEEDED, e.kind());
        assertFalse(e.retryable(), "insufficient quota must not be retried");
    }

    @Test
    void openAi400ContextLength_isInvalidRequest() {
        LlmException e = replay("openai/error_400_context_length", 400);
        assertInstanceOf(InvalidRequestException.class, e);
        assertEquals("context_length_exceeded", e.errorCode());
    }

    @Test
    void anthropic429_isRateLimited_withBodyRequestIdAndShouldRetry() {
        LlmException e = replay("anthropic/error_429_rate_limit", 429);
        assertInstanceOf(RateLimitException.class, e);
        assertEquals("rate_limit_error", e.errorType());
        assertTrue(e.requestId().startsWith("req_"), e.requestId());
        assertTrue(e.retryable());
        assertTrue(e.getMessage().contains(e.requestId()));
    }

    @Test
    void anthropic400_withShouldRetryFalse_isNotRetryable() {
        LlmException e = replay("anthropic/error_400_invalid_request", 400);
        assertInstanceOf(InvalidRequestException.class, e);
        assertFalse(e.retryable());
    }

    @Test
    void deepSeek402_isQuota_andOllama404_isNotFound() {
        assertEquals(Kind.QUOTA_EXCEEDED, replay("deepseek/error_402_insufficient_balance", 402).kind());
        LlmException e = replay("ollama/error_404_model_not_found", 404);
        assertEquals(Kind.NOT_FOUND, e.kind());
        assertTrue(e.providerMessage().contains("not found"), e.providerMessage());
    }

    @Test
    void htmlErrorPage_givesAClearError() {
        byte[] html = "<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>"
                .getBytes(StandardCharsets.UTF_8);
        LlmException e = HttpErrors.fromResponse("openai", 502, headers(Map.of("content-type", "text/html")), html, null);
        assertEquals(Kind.SERVER_ERROR, e.kind());
        assertTrue(e.retryable());
        assertEquals("the response was not JSON (text/html, " + html.length + " bytes): 502 Bad Gateway", e.providerMessage());
    }

    @Test
    void redirect_saysItWasARedirect_andWhereTo() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/x", Reply.of(302, "text/html", "<html>Found</html>")
                    .withHeader("location", "https://api.example.com/v1/x"));
            HttpRequest request = Transport.request(server.uri("/x")).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            LlmException e = assertThrows(LlmException.class,
                    () -> Transport.send(HttpClient.newHttpClient(), request, "test", null));
            assertEquals(302, e.statusCode());
            assertFalse(e.retryable());
            assertTrue(e.getMessage().contains("redirect (HTTP 302) to https://api.example.com/v1/x"), e.getMessage());
            assertTrue(e.getMessage().contains("base URL"), e.getMessage());
        }
        LlmException noLocation = HttpErrors.fromResponse("test", 307, headers(Map.of()), new byte[0], null);
        assertTrue(noLocation.getMessage().contains("redirect (HTTP 307) without a location"), noLocation.getMessage());
    }

    @Test
    void statusesMapToKinds() {
        assertEquals(Kind.UNAVAILABLE, HttpErrors.kindOf(529, "overloaded_error", null));
        assertEquals(Kind.UNAVAILABLE, HttpErrors.kindOf(503, null, null));
        assertEquals(Kind.TIMEOUT, HttpErrors.kindOf(408, null, null));
        assertEquals(Kind.SERVER_ERROR, HttpErrors.kindOf(409, null, null));
        assertEquals(Kind.INVALID_REQUEST, HttpErrors.kindOf(422, null, null));
        assertEquals(Kind.PERMISSION_DENIED, HttpErrors.kindOf(403, null, null));
        assertEquals(Kind.UNAVAILABLE, HttpErrors.kindOf(0, "overloaded_error", null));
    }

    @Test
    void retryAfter_readsMillisSecondsAndDates() {
        assertEquals(Duration.ofMillis(1500), HttpErrors.retryAfter(headers(Map.of("retry-after-ms", "1500", "retry-after", "9"))));
        assertEquals(Duration.ofSeconds(9), HttpErrors.retryAfter(headers(Map.of("retry-after", "9"))));
        Duration d = HttpErrors.retryAfter(headers(Map.of("retry-after",
                java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(30)))));
        assertTrue(d.toSeconds() >= 28 && d.toSeconds() <= 30, d.toString());
        assertNull(HttpErrors.retryAfter(headers(Map.of("retry-after", "soon"))));
        assertNull(HttpErrors.retryAfter(headers(Map.of())));
    }

    @Test
    void apiKey_isScrubbedFromProviderMessages() {
        byte[] body = "{\"error\":{\"message\":\"bad key sk-canary-123 given\",\"type\":\"invalid_request_error\"}}"
                .getBytes(StandardCharsets.UTF_8);
        LlmException e = HttpErrors.fromResponse("openai", 401, headers(Map.of()), body, ApiKey.of("sk-canary-123"));
        assertFalse(e.getMessage().contains("sk-canary-123"), e.getMessage());
        assertTrue(e.getMessage().contains("[redacted]"));
    }

    @Test
    void connectionRefused_isNetworkError() {
        int port;
        try (ReplayServer s = ReplayServer.start()) {
            port = s.uri("/").getPort();
        }
        HttpRequest request = Transport.request(java.net.URI.create("http://127.0.0.1:" + port + "/x")).GET().build();
        LlmException e = assertThrows(LlmException.class, () -> Transport.send(HttpClient.newHttpClient(), request, "test", null));
        assertEquals(Kind.NETWORK, e.kind());
        assertTrue(e.retryable());
        assertTrue(Fixtures.bytes("openai/chat_basic.response.json").length > 0);
    }

    @Test
    void streamError_withAStringMessage_asOllamaSendsIt() {
        dev.parley.json.JsonObject line = (dev.parley.json.JsonObject) dev.parley.json.Json.parse(
                "{\"error\":\"an error was encountered while running the model: unexpected EOF\"}");
        LlmException e = HttpErrors.fromStreamError("ollama", line, "rid-1", null);
        assertEquals(Kind.SERVER_ERROR, e.kind());
        assertEquals("an error was encountered while running the model: unexpected EOF", e.providerMessage());
        assertEquals("rid-1", e.requestId());
    }
}
