package dev.parley.http;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

import dev.parley.ApiKey;
import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.internal.Scrub;
import dev.parley.json.Json;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Turns HTTP failures of any provider into {@link LlmException}s: the status picks the kind,
 * the body (OpenAI, Anthropic, Ollama or FastAPI shapes, or no JSON at all) gives the
 * provider's type, code and message, and the headers give the request id and how long to wait.
 * Google's {@code google.rpc.Status} bodies (Gemini) give the status name as the type, the
 * {@code ErrorInfo} reason as the code, and a {@code RetryInfo} delay when no header gives one;
 * the status name refines the kind (an invalid API key, which Google answers with 400, is an
 * authentication error).
 * The API key and control characters are scrubbed from every message.
 */
public final class HttpErrors {

    /** The most of a non-JSON error body quoted in a message. */
    private static final int MAX_QUOTE = 200;

    private HttpErrors() {
    }

    /**
     * {@return the error for a response with a non-2xx status}
     *
     * @param provider the provider's name
     * @param status   the HTTP status
     * @param headers  the response headers
     * @param body     the response body, possibly empty or not JSON
     * @param key      the key to scrub from messages, or null
     */
    public static LlmException fromResponse(String provider, int status, HttpHeaders headers, byte[] body, ApiKey key) {
        LlmException.Builder b;
        String type = null;
        String code = null;
        String message = null;
        String bodyRequestId = null;
        JsonObject error = null;
        try {
            JsonValue v = body.length == 0 ? null : Json.parse(body);
            if (v instanceof JsonObject o) {
                JsonValue e = o.get("error").orElse(null);
                if (e instanceof JsonObject eo) {
                    error = eo;
                } else if (e instanceof JsonString s) {
                    message = s.value();
                }
                if (error == null && message == null) {
                    error = o;
                }
                bodyRequestId = text(o, "request_id");
            }
        } catch (JsonException notJson) {
            message = describeNonJson(headers, body);
        }
        if (error != null) {
            type = text(error, "type");
            code = text(error, "code");
            if (message == null) {
                message = firstText(error, "message", "Message", "detail", "error");
            }
        }
        if (type == null) {
            type = awsErrorType(headers);
        }
        Kind kind = kindOf(status, type, code);
        Duration retryAfter = retryAfter(headers);
        if (error != null && GoogleRpcErrors.matches(error)) {
            code = GoogleRpcErrors.reason(error);
            type = text(error, "status");
            kind = GoogleRpcErrors.kind(kind, type, code);
            retryAfter = retryAfter != null ? retryAfter : GoogleRpcErrors.retryDelay(error);
        }
        b = LlmException.newBuilder(kind)
                .provider(provider)
                .statusCode(status)
                .errorType(type)
                .errorCode(code)
                .providerMessage(redact(key, message))
                .requestId(Scrub.controls(bodyRequestId != null ? bodyRequestId : requestId(headers)))
                .retryAfter(retryAfter);
        if (status >= 300 && status < 400) {
            String location = headers.firstValue("location").map(l -> "to " + redact(key, l)).orElse("without a location");
            b.message("the server answered with a redirect (HTTP " + status + ") " + location
                    + ", which Parley does not follow; set the base URL to the address the endpoint has now");
        }
        headers.firstValue("x-should-retry").ifPresent(v -> {
            if (v.equalsIgnoreCase("true")) {
                b.retryable(true);
            } else if (v.equalsIgnoreCase("false")) {
                b.retryable(false);
            }
        });
        return b.build();
    }

    /**
     * {@return the error for an error object inside a stream}, such as Anthropic's
     * {@code event: error} or an OpenAI {@code data: {"error": ...}} frame
     *
     * @param provider  the provider's name
     * @param body      the event's JSON: either the error object or an object holding it under {@code error}
     * @param requestId the request id of the stream, or null
     * @param key       the key to scrub from messages, or null
     */
    public static LlmException fromStreamError(String provider, JsonObject body, String requestId, ApiKey key) {
        // The error may be an object (OpenAI, Anthropic) or just a message string (Ollama, some servers).
        JsonObject error = body.get("error").orElse(null) instanceof JsonObject eo ? eo : body;
        String type = text(error, "type");
        String code = text(error, "code");
        String message = firstText(error, "message", "detail");
        if (message == null && body.get("error").orElse(null) instanceof JsonString s) {
            message = s.value();
        }
        Kind kind = kindOf(0, type, code);
        if (GoogleRpcErrors.matches(error)) {
            code = GoogleRpcErrors.reason(error);
            type = text(error, "status");
            kind = GoogleRpcErrors.kind(kind, type, code);
        }
        return LlmException.newBuilder(kind)
                .provider(provider)
                .errorType(type)
                .errorCode(code)
                .providerMessage(redact(key, message))
                .message("the provider reported an error in the middle of the stream")
                .requestId(Scrub.controls(requestId))
                .build();
    }

    /**
     * {@return the error for an exception thrown while sending or receiving}
     *
     * @param provider the provider's name
     * @param e        what was thrown
     * @param key      the key to scrub from messages, or null
     */
    public static LlmException fromException(String provider, Throwable e, ApiKey key) {
        return fromException(provider, e, key, null);
    }

    /**
     * {@return the error for an exception thrown while sending or receiving}; a failure to
     * connect names the host (and port, when the URL gives one) and says why: the name could not
     * be resolved, the connection was refused, or it timed out
     *
     * @param provider the provider's name
     * @param e        what was thrown
     * @param key      the key to scrub from messages, or null
     * @param uri      the request's URI, or null when not known
     */
    public static LlmException fromException(String provider, Throwable e, ApiKey key, URI uri) {
        if (e instanceof LlmException l) {
            return l;
        }
        if (e instanceof Error error) {
            throw error;        // an OutOfMemoryError is never a network error, and never retried
        }
        String host = uri == null || uri.getHost() == null ? null
                : uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        String to = host == null ? "" : " to " + host;
        Kind kind = Kind.NETWORK;
        String what;
        String detail = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        if (e instanceof HttpConnectTimeoutException) {
            kind = Kind.TIMEOUT;
            what = "timed out connecting" + to;
            detail = null;
        } else if (e instanceof HttpTimeoutException) {
            kind = Kind.TIMEOUT;
            what = "timed out waiting for the response";
        } else if (e instanceof ConnectException || e instanceof UnresolvedAddressException
                || e instanceof UnknownHostException || e instanceof NoRouteToHostException) {
            what = "could not connect" + to;
            String why = connectFailure(e);
            if (why != null) {
                what += ": " + why;
                detail = null;
            }
        } else if (e instanceof EOFException || e instanceof ClosedChannelException) {
            what = "the connection was closed before the response was complete";
        } else if (e instanceof IOException) {
            what = "network error";
        } else {
            what = "unexpected failure";
        }
        return LlmException.newBuilder(kind)
                .provider(provider)
                .message(detail == null ? what : what + " (" + redact(key, detail) + ")")
                .cause(Scrub.redact(e, key))
                .build();
    }

    /** {@return why a connection could not be made, for a person; null when the exception does not say} */
    private static String connectFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "the host name could not be resolved (check the base URL, and the network or DNS)";
            }
            if (t instanceof NoRouteToHostException || m.contains("no route to host")) {
                return "there is no route to the host (check the network)";
            }
            if (m.contains("refused")) {
                return "the connection was refused (is the server running, on that port?)";
            }
            if (m.contains("timed out")) {
                return "the connection timed out";
            }
        }
        // The JDK's HttpClient reports a refused connection as a ConnectException without a
        // message whose cause is a ClosedChannelException.
        if (e instanceof ConnectException && e.getMessage() == null && e.getCause() instanceof ClosedChannelException) {
            return "the connection was refused (is the server running, on that port?)";
        }
        return null;
    }

    /**
     * {@return the AWS error type of a response}: the {@code x-amzn-errortype} header without
     * its {@code :namespace} suffix, such as {@code ThrottlingException}; null when absent
     */
    private static String awsErrorType(HttpHeaders headers) {
        String v = headers.firstValue("x-amzn-errortype").orElse(null);
        if (v == null || v.isBlank()) {
            return null;
        }
        int colon = v.indexOf(':');
        return Scrub.controls((colon < 0 ? v : v.substring(0, colon)).strip());
    }

    /**
     * {@return the kind an AWS error type names, whatever the status}, or null for another type:
     * AWS sends a bad signature as 403 (an authentication failure here, not a permission one), a
     * model still loading as 429 (unavailable, not rate limited), and a service quota as 400
     */
    private static Kind awsKind(String type) {
        return switch (type) {
            case "throttlingexception", "toomanyrequestsexception" -> Kind.RATE_LIMITED;
            case "servicequotaexceededexception" -> Kind.QUOTA_EXCEEDED;
            case "serviceunavailableexception", "modelnotreadyexception" -> Kind.UNAVAILABLE;
            case "accessdeniedexception" -> Kind.PERMISSION_DENIED;
            case "unrecognizedclientexception", "invalidsignatureexception", "expiredtokenexception",
                    "incompletesignatureexception", "missingauthenticationtokenexception" -> Kind.AUTHENTICATION;
            case "resourcenotfoundexception" -> Kind.NOT_FOUND;
            case "validationexception" -> Kind.INVALID_REQUEST;
            case "modeltimeoutexception" -> Kind.TIMEOUT;
            case "internalserverexception", "modelerrorexception", "modelstreamerrorexception" -> Kind.SERVER_ERROR;
            default -> null;
        };
    }

    /**
     * {@return the kind for a status and the provider's error type and code}; with status 0
     * (errors inside streams) the type alone decides. AWS error types (such as
     * {@code ThrottlingException}, or {@code throttlingException} in an event stream) decide
     * whatever the status.
     */
    static Kind kindOf(int status, String type, String code) {
        String t = type == null ? "" : type.toLowerCase(Locale.ROOT);
        String c = code == null ? "" : code.toLowerCase(Locale.ROOT);
        Kind aws = awsKind(t);
        if (aws != null) {
            return aws;
        }
        if (c.equals("insufficient_quota") || c.equals("billing_hard_limit_reached") || t.equals("insufficient_quota")
                || t.equals("billing_error") || c.equals("insufficient_balance")) {
            return Kind.QUOTA_EXCEEDED;
        }
        if (status == 0) {
            return switch (t) {
                case "overloaded_error", "service_unavailable", "server_overloaded" -> Kind.UNAVAILABLE;
                case "rate_limit_error", "rate_limit_exceeded", "tokens", "requests" -> Kind.RATE_LIMITED;
                case "authentication_error" -> Kind.AUTHENTICATION;
                case "permission_error" -> Kind.PERMISSION_DENIED;
                case "not_found_error" -> Kind.NOT_FOUND;
                case "invalid_request_error", "request_too_large" -> Kind.INVALID_REQUEST;
                default -> Kind.SERVER_ERROR;
            };
        }
        return switch (status) {
            case 400, 413, 422 -> Kind.INVALID_REQUEST;
            case 401 -> Kind.AUTHENTICATION;
            case 402 -> Kind.QUOTA_EXCEEDED;
            case 403 -> Kind.PERMISSION_DENIED;
            case 404 -> Kind.NOT_FOUND;
            case 408 -> Kind.TIMEOUT;
            case 429 -> Kind.RATE_LIMITED;
            case 503, 529 -> Kind.UNAVAILABLE;
            default -> status >= 500 || status == 409 ? Kind.SERVER_ERROR : Kind.INVALID_REQUEST;
        };
    }

    /**
     * {@return how long the server asked to wait}, from {@code retry-after-ms}, or
     * {@code retry-after} in seconds or as an HTTP date; null when absent or unreadable
     */
    public static Duration retryAfter(HttpHeaders headers) {
        Optional<String> ms = headers.firstValue("retry-after-ms");
        if (ms.isPresent()) {
            try {
                double v = Double.parseDouble(ms.get().trim());
                if (v >= 0 && v < 1e12) {
                    return Duration.ofNanos((long) (v * 1_000_000));
                }
            } catch (NumberFormatException ignored) {
                // fall through to retry-after
            }
        }
        Optional<String> after = headers.firstValue("retry-after");
        if (after.isEmpty()) {
            return null;
        }
        String v = after.get().trim();
        try {
            double seconds = Double.parseDouble(v);
            return seconds >= 0 && seconds < 1e9 ? Duration.ofMillis((long) (seconds * 1000)) : null;
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    /** {@return the provider's request id from the headers, or null} */
    public static String requestId(HttpHeaders headers) {
        for (String name : new String[] {"x-request-id", "request-id", "x-amzn-requestid", "x-ds-trace-id", "apim-request-id",
                "cf-ray"}) {
            Optional<String> v = headers.firstValue(name);
            if (v.isPresent()) {
                return v.get();
            }
        }
        return null;
    }

    private static String describeNonJson(HttpHeaders headers, byte[] body) {
        String contentType = headers.firstValue("content-type").orElse("no content type");
        String text = new String(body, 0, Math.min(body.length, 4096), StandardCharsets.UTF_8);
        int t1 = text.toLowerCase(Locale.ROOT).indexOf("<title>");
        int t2 = text.toLowerCase(Locale.ROOT).indexOf("</title>");
        String gist;
        if (t1 >= 0 && t2 > t1) {
            gist = text.substring(t1 + 7, t2).strip();
        } else {
            gist = text.replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ").strip();
        }
        if (gist.length() > MAX_QUOTE) {
            gist = gist.substring(0, MAX_QUOTE) + "...";
        }
        return "the response was not JSON (" + contentType + ", " + body.length + " bytes)"
                + (gist.isEmpty() ? "" : ": " + gist);
    }

    private static String text(JsonObject o, String name) {
        JsonValue v = o.get(name).orElse(null);
        if (v instanceof JsonString s) {
            return s.value();
        }
        if (v instanceof dev.parley.json.JsonNumber n) {
            return n.toString();
        }
        return null;
    }

    private static String firstText(JsonObject o, String... names) {
        for (String n : names) {
            String v = text(o, n);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** The key redacted, and control characters removed: the text came from the network. */
    private static String redact(ApiKey key, String text) {
        return Scrub.controls(key == null ? text : key.redact(text));
    }
}
