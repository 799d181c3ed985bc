package dev.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;

/** Google's {@code google.rpc.Status} error bodies, as {@link HttpErrors} reads them for every provider. */
class GoogleRpcErrorsTest {

    private static LlmException error(int status, Map<String, String> headers, String body) {
        HttpHeaders h = HttpHeaders.of(headers.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                Map.Entry::getKey, e -> List.of(e.getValue()))), (a, b) -> true);
        return HttpErrors.fromResponse("gemini", status, h, body.getBytes(StandardCharsets.UTF_8), null);
    }

    private static String body(int code, String status, String details) {
        return "{\"error\":{\"code\":" + code + ",\"message\":\"m\",\"status\":\"" + status + "\",\"details\":[" + details + "]}}";
    }

    private static String retryInfo(String delay) {
        return "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"" + delay + "\"}";
    }

    @Test
    void retryDelay_keepsFractionsOfASecond_andIgnoresWhatItCannotRead() {
        assertEquals(Duration.ofSeconds(57, 238_747_106),
                error(429, Map.of(), body(429, "RESOURCE_EXHAUSTED", retryInfo("57.238747106s"))).retryAfter());
        for (String bad : List.of("-1s", "26", "1e99s", "soon", "")) {
            assertNull(error(429, Map.of(), body(429, "RESOURCE_EXHAUSTED", retryInfo(bad))).retryAfter(), bad);
        }
    }

    @Test
    void aRetryAfterHeader_winsOverRetryInfo() {
        LlmException e = error(429, Map.of("retry-after", "3"), body(429, "RESOURCE_EXHAUSTED", retryInfo("26s")));
        assertEquals(Duration.ofSeconds(3), e.retryAfter());
        assertEquals(Kind.RATE_LIMITED, e.kind());
    }

    @Test
    void statusNames_andKeyReasons_decideTheKind() {
        String expired = "{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_EXPIRED\"}";
        assertEquals(Kind.AUTHENTICATION, error(400, Map.of(), body(400, "INVALID_ARGUMENT", expired)).kind());
        assertEquals("API_KEY_EXPIRED", error(400, Map.of(), body(400, "INVALID_ARGUMENT", expired)).errorCode());
        assertEquals(Kind.INVALID_REQUEST, error(400, Map.of(), body(400, "FAILED_PRECONDITION", "")).kind());
        assertEquals(Kind.NOT_FOUND, error(404, Map.of(), body(404, "NOT_FOUND", "")).kind());
        assertEquals(Kind.SERVER_ERROR, error(500, Map.of(), body(500, "INTERNAL", "")).kind());
        assertEquals(Kind.TIMEOUT, error(504, Map.of(), body(504, "DEADLINE_EXCEEDED", "")).kind());
        assertEquals(Kind.UNAVAILABLE, error(503, Map.of(), body(503, "UNAVAILABLE", "")).kind());
        assertEquals(Kind.SERVER_ERROR, error(500, Map.of(), body(500, "SOMETHING_NEW", "")).kind(),
                "an unknown name keeps the kind of the HTTP status");
    }

    @Test
    void anErrorInsideAStream_isReadTheSameWay() {
        JsonObject event = (JsonObject) Json.parse(body(429, "RESOURCE_EXHAUSTED", retryInfo("2s")));
        LlmException e = HttpErrors.fromStreamError("gemini", event, null, null);
        assertEquals(Kind.RATE_LIMITED, e.kind());
        assertEquals("RESOURCE_EXHAUSTED", e.errorType());
    }

    @Test
    void otherShapes_areUntouched() {
        LlmException e = error(429, Map.of(), "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\",\"code\":\"rate_limit\"}}");
        assertEquals("rate_limit_error", e.errorType());
        assertEquals("rate_limit", e.errorCode());
    }
}
