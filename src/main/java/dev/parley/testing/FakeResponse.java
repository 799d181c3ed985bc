package dev.parley.testing;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.parley.json.Json;
import dev.parley.json.JsonValue;

/**
 * What {@link FakeLlmServer} will send for one request: a status, headers, and the body as
 * frames (one frame for a plain body; one SSE event or NDJSON line each for a stream), so that
 * faults can cut between frames and delays can fall between them. Immutable apart from the
 * header map, which is filled before the response is sent.
 *
 * @param status   the HTTP status
 * @param headers  response headers, content type included
 * @param frames   the body, in pieces
 * @param streamed whether the body is a stream (sent chunked, with delays between frames)
 */
record FakeResponse(int status, Map<String, String> headers, List<byte[]> frames, boolean streamed) {

    /** {@return a plain JSON response} */
    static FakeResponse json(int status, JsonValue body) {
        return new FakeResponse(status, contentType("application/json"), List.of(Json.writeBytes(body)), false);
    }

    /** {@return a plain text response} */
    static FakeResponse text(int status, String body) {
        return new FakeResponse(status, contentType("text/plain; charset=utf-8"),
                List.of(body.getBytes(StandardCharsets.UTF_8)), false);
    }

    /** {@return a streamed response of these frames} */
    static FakeResponse stream(String contentType, List<byte[]> frames) {
        return new FakeResponse(200, contentType(contentType), frames, true);
    }

    private static Map<String, String> contentType(String type) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", type);
        return h;
    }

    /** {@return this response with one more header} */
    FakeResponse header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** {@return the whole body in one array} */
    byte[] body() {
        if (frames.size() == 1) {
            return frames.get(0);
        }
        int n = 0;
        for (byte[] f : frames) {
            n += f.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] f : frames) {
            System.arraycopy(f, 0, all, at, f.length);
            at += f.length;
        }
        return all;
    }

    /** {@return an SSE event: optional {@code event:} line, then {@code data: json}, then a blank line} */
    static byte[] sse(String event, JsonValue data) {
        String head = event == null ? "" : "event: " + event + "\n";
        return (head + "data: " + Json.write(data) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** {@return an NDJSON line} */
    static byte[] ndjson(JsonValue line) {
        return (Json.write(line) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
