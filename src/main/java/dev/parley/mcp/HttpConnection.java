package dev.parley.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.http.HttpErrors;
import dev.parley.http.SseDecoder;
import dev.parley.http.StreamFormatException;
import dev.parley.json.Json;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;

/**
 * Streamable HTTP: every message is a POST to the endpoint; the answer to a request comes back as
 * one JSON body or as a Server-Sent Events stream that may carry the server's notifications and
 * requests first. The server's session id is kept and sent back; a stream that ends before the
 * answer is resumed with a GET and {@code Last-Event-ID} when the server numbered its events.
 * After the handshake a GET stream carries what the server sends outside any request (such as
 * {@code notifications/tools/list_changed}), when the server offers one. Closing sends DELETE.
 */
final class HttpConnection implements Connection {

    /** Headers the client sets itself, which a user may not set. */
    static final Set<String> OWN_HEADERS = Set.of("accept", "content-type", "content-length", "host",
            "mcp-session-id", "mcp-protocol-version", "last-event-id", "connection", "upgrade");
    /** How often a broken stream is resumed before the request fails. */
    private static final int RESUMPTIONS = 5;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Session session;
    private final URI endpoint;
    private final Map<String, String> headers;
    private final Duration requestTimeout;
    private final int maxMessageSize;
    private final HttpClient client;
    /** The threads waiting on the answer to each request, to stop on cancellation. */
    private final Map<Long, Thread> inflight = new ConcurrentHashMap<>();
    private volatile String sessionId;
    private volatile String protocolVersion;
    private volatile Thread listener;
    private volatile boolean closed;

    HttpConnection(Session session, URI endpoint, Map<String, String> headers, Duration requestTimeout, int maxMessageSize) {
        this.session = session;
        this.endpoint = endpoint;
        this.headers = Map.copyOf(headers);
        this.requestTimeout = requestTimeout;
        this.maxMessageSize = maxMessageSize;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(requestTimeout.compareTo(Duration.ofSeconds(10)) < 0 ? requestTimeout : Duration.ofSeconds(10))
                .build();
    }

    /** {@return the session id the server gave, or null} */
    String sessionId() {
        return sessionId;
    }

    /** {@return the URI without user info, query or fragment, fit for a message} */
    static String redacted(URI uri) {
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        return uri.getScheme() + "://" + uri.getHost() + port + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private HttpRequest.Builder request() {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint);
        headers.forEach(b::header);
        String id = sessionId;
        if (id != null) {
            b.header("Mcp-Session-Id", id);
        }
        String version = protocolVersion;
        if (version != null) {
            b.header("MCP-Protocol-Version", version);
        }
        return b;
    }

    @Override
    public void send(JsonObject message, long requestId) {
        if (closed) {
            throw Session.error(Kind.NETWORK, "the connection to the MCP server is closed", null);
        }
        HttpRequest.Builder b = request()
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.writeBytes(message)));
        if (requestId >= 0) {
            // The caller's own deadline bounds a request (it abandons this exchange when it passes).
            HttpRequest post = b.build();
            Thread t = Thread.ofVirtual().name("mcp-http-" + requestId).unstarted(() -> exchange(post, requestId));
            inflight.put(requestId, t);
            t.start();
            return;
        }
        HttpRequest post = b.timeout(requestTimeout).build();
        if ("notifications/initialized".equals(message.stringOr("method", ""))) {
            post(post); // before any request of the session, and before the server's own stream
            listener = Thread.ofVirtual().name("mcp-http-listen").start(this::listen);
        } else {
            // On a thread of its own: a cancellation must not hold a caller whose deadline passed.
            Thread.ofVirtual().name("mcp-http-notify").start(() -> {
                try {
                    post(post);
                } catch (LlmException ignored) {
                    // A lost notification or answer: the next request reports a broken connection.
                }
            });
        }
    }

    /** Sends a notification or an answer, which the server acknowledges (202) with no body. */
    private void post(HttpRequest post) {
        try {
            HttpResponse<InputStream> r = client.send(post, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = r.body()) {
                if (r.statusCode() / 100 != 2) {
                    throw statusError(r.statusCode(), readBounded(body));
                }
            }
        } catch (IOException e) {
            throw HttpErrors.fromException(Session.PROVIDER, e, null, endpoint);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Session.error(Kind.TIMEOUT, "interrupted while sending to the MCP server", e);
        }
    }

    /** Sends a request and delivers its answer, from a thread of its own. */
    private void exchange(HttpRequest post, long id) {
        try {
            HttpResponse<InputStream> r = client.send(post, HttpResponse.BodyHandlers.ofInputStream());
            if (sessionId == null) {
                r.headers().firstValue("Mcp-Session-Id").ifPresent(s -> sessionId = s);
            }
            try (InputStream body = r.body()) {
                int status = r.statusCode();
                if (status == 404 && post.headers().firstValue("Mcp-Session-Id").isPresent()) {
                    session.fail(LlmException.newBuilder(Kind.NOT_FOUND).provider(Session.PROVIDER).statusCode(404)
                            .message("the server no longer knows this session (it expired or was ended); connect again")
                            .build());
                    return;
                }
                if (status / 100 != 2) {
                    session.fail(id, statusError(status, readBounded(body)));
                    return;
                }
                String type = r.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
                if (type.startsWith("text/event-stream")) {
                    readEvents(body, id);
                } else if (type.startsWith("application/json")) {
                    byte[] bytes = readBounded(body);
                    session.receive(Json.parse(bytes));
                } else {
                    session.fail(id, Session.protocolError("an answer of type \"" + type + "\" (HTTP " + status
                            + "), neither JSON nor an event stream"));
                    return;
                }
            }
            if (session.awaits(id)) {
                session.fail(id, Session.error(Kind.NETWORK, "the server ended its answer without the result", null));
            }
        } catch (LlmException e) {
            session.fail(id, e);
        } catch (JsonException e) {
            session.fail(id, Session.protocolError("an answer that is not JSON (" + e.getMessage() + ")"));
        } catch (IOException e) {
            if (!closed && session.awaits(id)) {
                session.fail(id, HttpErrors.fromException(Session.PROVIDER, e, null, endpoint));
            }
        } catch (InterruptedException e) {
            // Abandoned: the caller no longer waits.
        } finally {
            inflight.remove(id);
        }
    }

    /**
     * Delivers the events of an answer's stream; when the stream ends before the answer and the
     * server numbered its events, asks for the rest with {@code Last-Event-ID}.
     */
    private void readEvents(InputStream body, long id) throws IOException, InterruptedException {
        EventReader events = new EventReader();
        for (int resumed = 0; ; resumed++) {
            events.read(body);
            if (!session.awaits(id) || closed) {
                return;
            }
            if (events.lastEventId.isEmpty() || resumed == RESUMPTIONS) {
                return; // the caller reports the missing answer
            }
            Thread.sleep(Math.min(events.retryMillis < 0 ? 500 : events.retryMillis, 5_000));
            HttpRequest get = request().header("Accept", "text/event-stream").header("Last-Event-ID", events.lastEventId)
                    .GET().build();
            HttpResponse<InputStream> r = client.send(get, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                body = r.body();
                body.close();
                session.fail(id, statusError(r.statusCode(), new byte[0]).toBuilder()
                        .note("(resuming the answer's event stream)").build());
                return;
            }
            body = r.body();
        }
    }

    /** Reads one event stream into the session, keeping the id and retry time for a resumption. */
    private final class EventReader {
        String lastEventId = "";
        long retryMillis = -1;

        void read(InputStream body) throws IOException {
            SseDecoder decoder = new SseDecoder(event -> {
                lastEventId = event.lastEventId();
                retryMillis = event.retryMillis();
                if (!event.dataShorterThan(1)) {
                    session.receive(event.parseJson()); // an empty event only primes the stream
                }
            }, null, maxMessageSize);
            byte[] buffer = new byte[16 * 1024];
            try (body) {
                int n;
                while ((n = body.read(buffer)) >= 0) {
                    decoder.decode(buffer, 0, n);
                }
            } catch (StreamFormatException e) {
                throw Session.error(Kind.SERVER_ERROR, "the server sent an event larger than " + maxMessageSize + " bytes", e);
            }
        }
    }

    @Override
    public void initialized(String version) {
        this.protocolVersion = version;
    }

    /** Reads the stream the server uses for messages outside any request, for as long as it gives one. */
    private void listen() {
        EventReader events = new EventReader();
        int failures = 0;
        while (!closed && failures < RESUMPTIONS) {
            HttpRequest.Builder get = request().header("Accept", "text/event-stream").GET();
            if (!events.lastEventId.isEmpty()) {
                get.header("Last-Event-ID", events.lastEventId);
            }
            try {
                HttpResponse<InputStream> r = client.send(get.build(), HttpResponse.BodyHandlers.ofInputStream());
                if (r.statusCode() != 200) {
                    r.body().close();
                    return; // 405: this server has no such stream
                }
                String before = events.lastEventId;
                events.read(r.body());
                failures = events.lastEventId.equals(before) ? failures + 1 : 0;
                Thread.sleep(Math.min(events.retryMillis < 0 ? 1_000 : events.retryMillis, 5_000));
            } catch (IOException | LlmException | JsonException e) {
                failures++;
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void abandon(long requestId) {
        Thread t = inflight.remove(requestId);
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread l = listener;
        if (l != null) {
            l.interrupt();
        }
        inflight.values().forEach(Thread::interrupt);
        String id = sessionId;
        if (id != null) {
            try {
                HttpResponse<Void> r = client.send(request().timeout(CLOSE_TIMEOUT).DELETE().build(),
                        HttpResponse.BodyHandlers.discarding());
                r.statusCode(); // 200, or 405 when the server does not let clients end sessions
            } catch (IOException e) {
                // The server is gone: so is the session.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        client.shutdownNow();
        try {
            if (l != null) {
                l.join(CLOSE_TIMEOUT);
            }
            for (Thread t : inflight.values()) {
                t.join(CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@return a bounded read of a body, for a JSON answer or an error message} */
    private byte[] readBounded(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(maxMessageSize + 1);
        if (bytes.length > maxMessageSize) {
            throw Session.error(Kind.SERVER_ERROR, "the server sent an answer larger than " + maxMessageSize + " bytes", null);
        }
        return bytes;
    }

    /** The error for an HTTP status other than 2xx, with the server's JSON-RPC error message when it gave one. */
    private static LlmException statusError(int status, byte[] body) {
        Kind kind = switch (status) {
            case 401 -> Kind.AUTHENTICATION;
            case 403 -> Kind.PERMISSION_DENIED;
            case 404 -> Kind.NOT_FOUND;
            case 429 -> Kind.RATE_LIMITED;
            case 503 -> Kind.UNAVAILABLE;
            default -> status >= 500 ? Kind.SERVER_ERROR : Kind.INVALID_REQUEST;
        };
        String message = null;
        try {
            if (Json.parse(body) instanceof JsonObject o && o.members().get("error") instanceof JsonObject e
                    && e.members().get("message") instanceof JsonString s) {
                message = s.value();
            }
        } catch (JsonException e) {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            message = text.isEmpty() ? null : Session.excerpt(text);
        }
        return LlmException.newBuilder(kind).provider(Session.PROVIDER).statusCode(status)
                .message("the MCP server refused the request").providerMessage(message).build();
    }

}
