package dev.parley.http;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;

import dev.parley.LlmException.Kind;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Reads Google's error bodies ({@code {"error": {"code", "message", "status", "details"}}}, the
 * {@code google.rpc.Status} shape of the Gemini API and other Google APIs): the canonical status
 * name as the error type, the {@code google.rpc.ErrorInfo} reason as the error code, and the wait
 * of a {@code google.rpc.RetryInfo}.
 *
 * <p>Stateless.
 */
final class GoogleRpcErrors {

    private GoogleRpcErrors() {
    }

    /** {@return whether {@code error} has Google's shape: a numeric code and a status name} */
    static boolean matches(JsonObject error) {
        return error.get("status").orElse(null) instanceof JsonString && error.get("code").orElse(null) instanceof JsonNumber;
    }

    /** {@return the {@code reason} of the first {@code google.rpc.ErrorInfo} detail, or null} */
    static String reason(JsonObject error) {
        JsonObject info = detail(error, "google.rpc.ErrorInfo");
        return info == null ? null : info.optString("reason").orElse(null);
    }

    /** {@return the {@code retryDelay} of a {@code google.rpc.RetryInfo} detail (such as "26s"), or null} */
    static Duration retryDelay(JsonObject error) {
        JsonObject info = detail(error, "google.rpc.RetryInfo");
        String delay = info == null ? null : info.optString("retryDelay").orElse(null);
        if (delay == null || !delay.endsWith("s")) {
            return null;
        }
        try {
            BigDecimal seconds = new BigDecimal(delay.substring(0, delay.length() - 1));
            if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(86_400L * 365)) > 0) {
                return null;
            }
            return Duration.ofNanos(seconds.movePointRight(9).longValue());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * {@return the kind for a Google error}: the status decides, except that an invalid or
     * expired API key, which Google answers with 400 INVALID_ARGUMENT, is an authentication error
     */
    static Kind kind(Kind byStatus, String status, String reason) {
        if (reason != null && reason.startsWith("API_KEY_")) {
            return Kind.AUTHENTICATION;
        }
        return switch (status.toUpperCase(Locale.ROOT)) {
            case "UNAUTHENTICATED" -> Kind.AUTHENTICATION;
            case "PERMISSION_DENIED" -> Kind.PERMISSION_DENIED;
            case "NOT_FOUND" -> Kind.NOT_FOUND;
            case "RESOURCE_EXHAUSTED" -> Kind.RATE_LIMITED;
            case "UNAVAILABLE" -> Kind.UNAVAILABLE;
            case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE" -> Kind.INVALID_REQUEST;
            case "INTERNAL", "UNKNOWN", "DATA_LOSS", "ABORTED" -> Kind.SERVER_ERROR;
            case "DEADLINE_EXCEEDED" -> Kind.TIMEOUT;
            default -> byStatus;
        };
    }

    private static JsonObject detail(JsonObject error, String type) {
        JsonValue details = error.get("details").orElse(null);
        if (!(details instanceof JsonArray array)) {
            return null;
        }
        for (JsonValue d : array.values()) {
            if (d instanceof JsonObject o && o.get("@type").orElse(null) instanceof JsonString t
                    && t.value().endsWith("/" + type)) {
                return o;
            }
        }
        return null;
    }
}
