package dev.parley.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import dev.parley.internal.LocalServer;
import dev.parley.json.Json;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/**
 * Serves {@link FakeLlmServer}'s requests: records them, builds the answer in the provider's
 * format, applies latency and the next fault, and writes the answer frame by frame.
 *
 * <p>Dropping a connection on purpose (resets, stalls, cut streams) is done by throwing out of
 * {@link #handle}: the JDK's server then closes the socket without finishing the response, so
 * the client sees neither a response nor HTTP's end of body. Waits end early when the server
 * stops ({@code stopped} released), by dropping the connection.
 *
 * <p>Thread-safe: the runtime settings are volatile, the fault queue is concurrent.
 */
final class FakeHandler implements HttpHandler {

    private static final System.Logger LOG = System.getLogger("dev.parley.testing");

    /** Thrown out of the handler to make the HTTP server drop the connection without finishing the response. */
    private static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abort() {
            super("connection dropped on purpose", null, false, false);
        }
    }

    private enum Format { OPENAI, ANTHROPIC, OLLAMA }

    private final int dimensions;
    private final List<String> models;
    private final String apiKey;
    private final RequestLog log;
    private final CountDownLatch stopped;
    private final AtomicLong ids = new AtomicLong();
    final ConcurrentLinkedDeque<Fault> faults = new ConcurrentLinkedDeque<>();
    volatile String reply;
    volatile int streamChunks;
    volatile Duration latency;
    volatile Duration interChunkDelay;

    FakeHandler(int dimensions, List<String> models, String apiKey, RequestLog log, CountDownLatch stopped) {
        this.dimensions = dimensions;
        this.models = List.copyOf(models);
        this.apiKey = apiKey;
        this.log = log;
        this.stopped = stopped;
    }

    /**
     * Binds {@code host:port} and serves with this handler. Here, not in {@link FakeLlmServer}:
     * passing this handler as an {@code HttpHandler} makes the verifier load that interface, so
     * the class that does it cannot be loaded without the module, and FakeLlmServer must load to
     * say that the module is missing.
     */
    LocalServer listen(String host, int port) {
        return LocalServer.start(host, port, "fake-llm-", this);
    }

    @Override
    public void handle(HttpExchange ex) {
        try {
            serve(ex);
        } catch (Abort a) {
            throw a; // the HTTP server closes the connection without finishing the response
        } catch (IOException gone) {
            log.clientLeft();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "FakeLlmServer failed on " + ex.getRequestURI(), e);
        }
        ex.close();
    }

    private void serve(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        log.arrived(path);
        byte[] body = ex.getRequestBody().readAllBytes();
        log.record(new RecordedRequest(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(),
                ex.getRequestHeaders(), body));
        Format format = path.startsWith("/api/") ? Format.OLLAMA : path.equals("/v1/messages") ? Format.ANTHROPIC : Format.OPENAI;
        long seq = ids.incrementAndGet();
        String id = switch (format) {
            case OPENAI -> "chatcmpl-fake" + seq;
            case ANTHROPIC -> "msg_fake" + seq;
            case OLLAMA -> "ollama" + seq;
        };
        FakeResponse response = respond(ex.getRequestMethod(), path, ex.getRequestHeaders(), body, format, id);
        Fault fault = FakeEndpoints.known(path) ? faults.poll() : null;
        pause(latency);
        if (fault != null) {
            switch (fault.kind) {
                case STATUS -> response = error(format, fault.status, "Simulated failure (HTTP " + fault.status + ").", id,
                        fault.retryAfter);
                case RESET -> throw new Abort();
                case STALL -> {
                    response.headers().forEach(ex.getResponseHeaders()::set);
                    ex.sendResponseHeaders(response.status(), response.streamed() ? 0 : response.body().length);
                    ex.getResponseBody().flush();
                    pause(fault.pause);
                    throw new Abort();
                }
                default -> { }
            }
        }
        if (format == Format.OPENAI) {
            response.headers().putIfAbsent("x-request-id", "req_fake" + seq);
        }
        write(ex, response, fault);
    }

    private FakeResponse respond(String method, String path, Headers headers, byte[] body, Format format, String id) {
        if (!FakeEndpoints.known(path)) {
            return format == Format.OLLAMA ? FakeResponse.text(404, "404 page not found")
                    : FakeOpenAi.error(404, "Invalid URL (" + method + " " + path + ")", null);
        }
        String allowed = FakeEndpoints.method(path);
        if (!allowed.equals(method)) {
            return error(format, 405, "Method " + method + " not allowed; use " + allowed + ".", id, null).header("Allow", allowed);
        }
        if (apiKey != null && format != Format.OLLAMA && !authorized(format, headers)) {
            return error(format, 401, format == Format.ANTHROPIC ? "invalid x-api-key" : "Incorrect API key provided.", id, null);
        }
        if (method.equals("GET")) {
            return path.equals("/api/tags") ? FakeOllama.tags(models) : FakeOpenAi.models(models);
        }
        JsonObject req;
        try {
            JsonValue v = Json.parse(body);
            if (!(v instanceof JsonObject o)) {
                return error(format, 400, "The body must be a JSON object.", id, null);
            }
            req = o;
        } catch (JsonException e) {
            return error(format, 400, "We could not parse the JSON body of your request: " + e.getMessage(), id, null);
        }
        try {
            return switch (path) {
                case "/v1/chat/completions" -> FakeOpenAi.chat(req, id, reply, streamChunks);
                case "/v1/embeddings" -> FakeOpenAi.embeddings(req, dimensions);
                case "/v1/messages" -> FakeAnthropic.messages(req, id, reply, streamChunks);
                case "/api/chat" -> FakeOllama.chat(req, reply, streamChunks);
                default -> FakeOllama.embed(req, dimensions);
            };
        } catch (JsonException | IllegalArgumentException e) {
            return error(format, 400, "Invalid request: " + e.getMessage(), id, null);
        }
    }

    private boolean authorized(Format format, Headers headers) {
        return format == Format.ANTHROPIC ? apiKey.equals(headers.getFirst("x-api-key"))
                : ("Bearer " + apiKey).equals(headers.getFirst("Authorization"));
    }

    private static FakeResponse error(Format format, int status, String message, String id, Duration retryAfter) {
        FakeResponse r = switch (format) {
            case OPENAI -> FakeOpenAi.error(status, message, null);
            case ANTHROPIC -> FakeAnthropic.error(status, message, id);
            case OLLAMA -> FakeOllama.error(status, message);
        };
        if (retryAfter != null) {
            r.header("retry-after", Long.toString((retryAfter.toMillis() + 999) / 1000));
            r.header("retry-after-ms", Long.toString(retryAfter.toMillis()));
        }
        return r;
    }

    private void write(HttpExchange ex, FakeResponse r, Fault fault) throws IOException {
        r.headers().forEach(ex.getResponseHeaders()::set);
        Fault.Kind kind = fault == null ? null : fault.kind;
        boolean cut = kind == Fault.Kind.CUT || kind == Fault.Kind.TRUNCATE;
        if (!r.streamed()) {
            byte[] body = r.body();
            ex.sendResponseHeaders(r.status(), body.length == 0 ? -1 : body.length);
            OutputStream out = ex.getResponseBody();
            if (cut) {
                out.write(body, 0, body.length / 2);
                out.flush();
                throw new Abort();
            }
            send(out, body, fault);
            return;
        }
        ex.sendResponseHeaders(r.status(), 0);
        OutputStream out = ex.getResponseBody();
        List<byte[]> frames = r.frames();
        for (int i = 0; i < frames.size(); i++) {
            if (cut && i == fault.frames) {
                out.flush();
                if (kind == Fault.Kind.CUT) {
                    throw new Abort();
                }
                return;
            }
            if (i > 0) {
                pause(interChunkDelay);
            }
            send(out, frames.get(i), fault);
        }
    }

    private void send(OutputStream out, byte[] bytes, Fault fault) throws IOException {
        if (fault == null || fault.kind != Fault.Kind.TRICKLE) {
            out.write(bytes);
            out.flush();
            return;
        }
        for (int off = 0; off < bytes.length; off += fault.bytesPerWrite) {
            if (off > 0) {
                pause(fault.pause);
            }
            out.write(bytes, off, Math.min(fault.bytesPerWrite, bytes.length - off));
            out.flush();
        }
    }

    /** Waits, unless the server stops first, in which case the connection is dropped. */
    private void pause(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            if (stopped.await(d.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new Abort();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Abort();
        }
    }
}
