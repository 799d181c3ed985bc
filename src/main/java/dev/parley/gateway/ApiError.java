package dev.parley.gateway;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.parley.json.JsonNull;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * A failure answered to the client in OpenAI's error shape,
 * {@code {"error":{"message","type","param","code"}}}, with an HTTP status and extra headers
 * (such as {@code Retry-After}). Thrown by the gateway's handlers and caught by the dispatcher.
 * Carries no stack trace: it is an answer, not a bug. Immutable apart from the header map,
 * which is filled before it is thrown.
 */
final class ApiError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;
    final String type;
    final String code;
    final String param;
    final transient Map<String, String> headers = new LinkedHashMap<>();

    ApiError(int status, String type, String code, String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    /** {@return a 400 invalid_request_error naming the request field at fault} */
    static ApiError invalid(String message, String param) {
        return new ApiError(400, "invalid_request_error", null, param, message);
    }

    /** {@return a 400 for a field this gateway does not support} */
    static ApiError unsupported(String message, String param) {
        return new ApiError(400, "invalid_request_error", "unsupported_parameter", param, message);
    }

    /** {@return this error with one more response header} */
    ApiError withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** {@return the JSON body: {@code {"error":{"message","type","param","code"}}}} */
    JsonObject body() {
        return JsonObject.of("error", JsonObject.newBuilder()
                .put("message", getMessage())
                .put("type", orNull(type))
                .put("param", orNull(param))
                .put("code", orNull(code))
                .build());
    }

    private static JsonValue orNull(String s) {
        return s == null ? JsonNull.INSTANCE : JsonString.of(s);
    }
}
