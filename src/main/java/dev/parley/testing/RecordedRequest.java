package dev.parley.testing;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.parley.json.Json;
import dev.parley.json.JsonValue;

/**
 * A request {@link FakeLlmServer} received.
 *
 * <p>{@link #toString()} hides the values of credential headers ({@code Authorization},
 * {@code x-api-key}, {@code api-key}), so a recorded request can be logged; the accessors give
 * them in full, for assertions. Immutable apart from the body array, which callers should not
 * modify.
 *
 * @param method  the HTTP method
 * @param path    the path, such as {@code /v1/chat/completions}
 * @param query   the raw query string, or null
 * @param headers the request headers, names matched without regard to case
 * @param body    the body bytes
 */
public record RecordedRequest(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {

    private static final Set<String> SECRET = Set.of("authorization", "x-api-key", "api-key", "proxy-authorization");

    /** Copies the headers into a case-insensitive, unmodifiable map. */
    public RecordedRequest {
        Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
        headers = Collections.unmodifiableMap(h);
        body = body == null ? new byte[0] : body;
    }

    /**
     * {@return the first value of header {@code name}, or null}
     *
     * @param name the header's name, in any case
     */
    public String header(String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** {@return the body as UTF-8 text} */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** {@return the body parsed as JSON} @throws dev.parley.json.JsonParseException if it is not JSON */
    public JsonValue bodyJson() {
        return Json.parse(body);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("RecordedRequest[").append(method).append(' ').append(path);
        if (query != null) {
            sb.append('?').append(query);
        }
        sb.append(", headers={");
        headers.forEach((k, v) -> sb.append(k).append('=')
                .append(SECRET.contains(k.toLowerCase(Locale.ROOT)) ? "[redacted]" : String.join(",", v)).append(", "));
        return sb.append("}, body=").append(body.length).append(" bytes]").toString();
    }
}
