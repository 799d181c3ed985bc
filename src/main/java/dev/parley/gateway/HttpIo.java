package dev.parley.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import dev.parley.gateway.GatewayServer.Exchange;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonParseException;
import dev.parley.json.JsonValue;

/**
 * Reading request bodies within a size limit, and writing JSON and text answers, on a
 * {@link GatewayServer.Exchange}. Stateless and thread-safe.
 */
final class HttpIo {

    private HttpIo() {
    }

    /**
     * {@return the request body, at most {@code max} bytes}
     *
     * <p>A declared {@code Content-Length} above the limit is refused before a byte is read; a
     * chunked body is read until it passes the limit and no further. The body stream is left
     * open, so the error answer goes out before the server drains (at most 64 KiB of) what is
     * left; the answer says {@code Connection: close}.
     *
     * @throws ApiError    413 when the body is larger than {@code max}
     * @throws IOException if the client goes away
     */
    static byte[] readBody(Exchange ex, long max) throws IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            long n;
            try {
                n = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw ApiError.invalid("Malformed Content-Length header.", null);
            }
            if (n > max) {
                throw tooLarge(max);
            }
        }
        InputStream in = ex.getRequestBody();
        byte[] body = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
        if (body.length > max) {
            throw tooLarge(max);
        }
        return body;
    }

    private static ApiError tooLarge(long max) {
        return new ApiError(413, "invalid_request_error", "request_too_large", null,
                "The request body is larger than this gateway's limit of " + max + " bytes.")
                .withHeader("Connection", "close");
    }

    /**
     * {@return the request body parsed as a JSON object}
     *
     * @throws ApiError    400 with the parser's message when it is not JSON, or not an object; 413 when too large
     * @throws IOException if the client goes away
     */
    static JsonObject readJson(Exchange ex, long max) throws IOException {
        byte[] body = readBody(ex, max);
        JsonValue v;
        try {
            v = Json.parse(body);
        } catch (JsonParseException e) {
            throw ApiError.invalid("We could not parse the JSON body of your request: " + e.getMessage(), null);
        }
        if (v instanceof JsonObject o) {
            return o;
        }
        throw ApiError.invalid("The request body must be a JSON object, not " + v.kind() + ".", null);
    }

    /** Sends a JSON answer. @return the status @throws IOException if the client goes away */
    static int sendJson(Exchange ex, int status, JsonValue body) throws IOException {
        return send(ex, status, "application/json", Json.writeBytes(body));
    }

    /** Sends a text answer. @return the status @throws IOException if the client goes away */
    static int sendText(Exchange ex, int status, String contentType, String text) throws IOException {
        return send(ex, status, contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    private static int send(Exchange ex, int status, String contentType, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return status;
        }
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            OutputStream out = ex.getResponseBody();
            out.write(bytes);
            out.flush();
        }
        return status;
    }

    /**
     * Answers an error, unless an answer has already begun (a stream), in which case nothing
     * more can be said. Never throws.
     *
     * @return the status sent, or the one already sent
     */
    static int sendError(Exchange ex, ApiError e) {
        if (ex.getResponseCode() != -1) {
            return ex.getResponseCode();
        }
        try {
            e.headers.forEach((name, value) -> ex.getResponseHeaders().set(name, value));
            return sendJson(ex, e.status, e.body());
        } catch (IOException gone) {
            return e.status;
        }
    }
}
