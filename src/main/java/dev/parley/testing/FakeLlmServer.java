package dev.parley.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.parley.json.Json;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/**
 * A fake LLM provider on a local port that speaks OpenAI's, Anthropic's and Ollama's wire
 * formats with realistic bodies, for tests, demos and benchmarks: deterministic answers,
 * injectable latency, and faults (error statuses, resets, stalls, cut streams, trickling
 * bodies) applied to the next requests.
 *
 * {@snippet :
 * try (FakeLlmServer server = FakeLlmServer.newBuilder().reply("Paris").streamChunks(3).build().start()) {
 *     URI openAiBase = server.uri("/v1");           // an OpenAI client's base URL
 *     server.enqueue(Fault.rateLimited(Duration.ofSeconds(1)));
 *     // ... the next request gets a 429 with Retry-After, the one after it "Paris" ...
 *     RecordedRequest sent = server.takeRequest();
 * }
 * }
 *
 * <table>
 * <caption>Endpoints</caption>
 * <tr><td>OpenAI</td><td>{@code POST /v1/chat/completions} (plain, or SSE with {@code "stream": true}),
 *     {@code POST /v1/embeddings}, {@code GET /v1/models}</td></tr>
 * <tr><td>Anthropic</td><td>{@code POST /v1/messages} (plain, or SSE with {@code "stream": true})</td></tr>
 * <tr><td>Ollama</td><td>{@code POST /api/chat} (NDJSON unless {@code "stream": false}),
 *     {@code POST /api/embed}, {@code GET /api/tags}</td></tr>
 * </table>
 *
 * <p>Answers: the {@linkplain Builder#reply scripted reply}, or {@code "You said: <last user
 * message>"}; cut to the request's token limit ({@code max_tokens}, {@code max_completion_tokens},
 * {@code options.num_predict}) with finish reason "length"; streamed in
 * {@linkplain Builder#streamChunks about equal pieces}; token counts are characters / 4, rounded
 * up. Embeddings are unit vectors derived from the text (equal texts, equal vectors), of
 * {@linkplain Builder#embeddingDimensions 1536 dimensions} by default (the size of OpenAI's
 * text-embedding-3-small, so payloads are realistic), or the request's {@code dimensions}.
 * Tool calls are not simulated.
 *
 * <p>Runtime settings ({@link #reply}, {@link #latency}, faults ...) may be changed at any time
 * from any thread; they apply to requests that start afterwards. Faults are taken one per API
 * request, in order. Each request runs on its own virtual thread. Waits (latency, delays,
 * stalls) end early when the server stops, so {@link #close()} never hangs. Thread-safe.
 *
 * <p>Run it on its own with {@code java -cp parley.jar dev.parley.testing.FakeLlmServer --port 8099}
 * (see {@link #main}).
 */
public final class FakeLlmServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.parley.testing");

    /** Thrown out of the handler to make the HTTP server drop the connection without finishing the response. */
    private static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abort() {
            super("connection dropped on purpose", null, false, false);
        }
    }

    private enum Format { OPENAI, ANTHROPIC, OLLAMA }

    private final String host;
    private final int port;
    private final int dimensions;
    private final List<String> models;
    private final String apiKey;
    private final int recordLimit;
    private volatile String reply;
    private volatile int streamChunks;
    private volatile Duration latency;
    private volatile Duration interChunkDelay;
    private final ConcurrentLinkedDeque<Fault> faults = new ConcurrentLinkedDeque<>();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();
    private final LongAdder disconnects = new LongAdder();
    private final BlockingDeque<RecordedRequest> unread = new LinkedBlockingDeque<>();
    private final ArrayDeque<RecordedRequest> history = new ArrayDeque<>();
    /** Guards start and close. Request threads never take it, so close() can wait for them. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Guards the recorded requests. */
    private final ReentrantLock historyLock = new ReentrantLock();
    private final AtomicLong ids = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private HttpServer server;
    private ExecutorService executor;

    private FakeLlmServer(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.dimensions = b.dimensions;
        this.models = List.copyOf(b.models);
        this.apiKey = b.apiKey;
        this.recordLimit = b.recordLimit;
        this.reply = b.reply;
        this.streamChunks = b.streamChunks;
        this.latency = b.latency;
        this.interChunkDelay = b.interChunkDelay;
        faults.addAll(b.faults);
    }

    /** {@return a builder for a server on 127.0.0.1 and a free port} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /**
     * Binds the port and starts answering.
     *
     * @return this server
     * @throws IllegalStateException if it was started before
     * @throws UncheckedIOException  if the address cannot be bound
     */
    public FakeLlmServer start() {
        lock.lock();
        try {
            if (server != null || stopped.getCount() == 0) {
                throw new IllegalStateException("a FakeLlmServer can be started only once");
            }
            ExecutorService exec = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("fake-llm-", 0).factory());
            try {
                HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 1024);
                s.setExecutor(exec);
                s.createContext("/", this::handle);
                s.start();
                server = s;
                executor = exec;
            } catch (IOException e) {
                exec.close();
                throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
            }
            return this;
        } finally {
            lock.unlock();
        }
    }

    /** Stops at once: waits end, open connections are closed. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            stopped.countDown();
            if (server != null) {
                server.stop(0);
                executor.shutdownNow();
                try {
                    if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
                        LOG.log(Level.WARNING, "FakeLlmServer closed, but some request threads are still finishing");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Same as {@link #close()}. */
    public void stop() {
        close();
    }

    // ---- where it listens

    /** {@return the bound address} @throws IllegalStateException before start */
    public InetSocketAddress address() {
        if (server == null) {
            throw new IllegalStateException("the server has not been started");
        }
        return server.getAddress();
    }

    /** {@return the bound port} @throws IllegalStateException before start */
    public int port() {
        return address().getPort();
    }

    /** {@return the root URL, such as {@code http://127.0.0.1:8099}} @throws IllegalStateException before start */
    public URI uri() {
        InetAddress ip = address().getAddress();
        String h = ip.isAnyLocalAddress() ? "127.0.0.1"
                : ip.getHostAddress().indexOf(':') >= 0 ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress();
        return URI.create("http://" + h + ":" + port());
    }

    /** {@return the URL of {@code path} on this server, such as {@code uri("/v1")} for an OpenAI base URL} */
    public URI uri(String path) {
        return URI.create(uri() + path);
    }

    // ---- runtime settings

    /** Sets the reply text; null to echo the last user message. @return this server */
    public FakeLlmServer reply(String text) {
        this.reply = text;
        return this;
    }

    /** Sets how many pieces a streamed answer is split into, 1 to 10 000. @return this server */
    public FakeLlmServer streamChunks(int chunks) {
        this.streamChunks = Builder.checkChunks(chunks);
        return this;
    }

    /** Sets the wait before the response headers of every request. @return this server */
    public FakeLlmServer latency(Duration latency) {
        this.latency = Builder.checkDuration("latency", latency);
        return this;
    }

    /** Sets the wait between the frames of a stream. @return this server */
    public FakeLlmServer interChunkDelay(Duration delay) {
        this.interChunkDelay = Builder.checkDuration("interChunkDelay", delay);
        return this;
    }

    /** Queues faults for the next API requests, one each, in order. @return this server */
    public FakeLlmServer enqueue(Fault... faults) {
        for (Fault f : faults) {
            this.faults.add(Objects.requireNonNull(f, "fault"));
        }
        return this;
    }

    /** Queues {@code fault} for each of the next {@code times} API requests. @return this server */
    public FakeLlmServer failNext(int times, Fault fault) {
        Objects.requireNonNull(fault, "fault");
        for (int i = 0; i < times; i++) {
            faults.add(fault);
        }
        return this;
    }

    /** Drops the faults not yet applied. */
    public void clearFaults() {
        faults.clear();
    }

    /** {@return how many queued faults are not yet applied} */
    public int pendingFaults() {
        return faults.size();
    }

    // ---- what it saw

    /** {@return how many requests arrived for {@code path}, such as "/v1/chat/completions"} */
    public long requestCount(String path) {
        LongAdder n = counts.get(path);
        return n == null ? 0 : n.sum();
    }

    /** {@return how many requests arrived in all} */
    public long requestCount() {
        return total.sum();
    }

    /**
     * {@return how many responses could not be written because the client had gone}; best
     * effort: a client that leaves during a stall or after the last write is not noticed
     */
    public long clientDisconnects() {
        return disconnects.sum();
    }

    /** {@return the oldest request not yet taken, waiting up to 5 seconds} @throws IllegalStateException if none came */
    public RecordedRequest takeRequest() {
        return takeRequest(Duration.ofSeconds(5));
    }

    /** {@return the oldest request not yet taken, waiting up to {@code timeout}} @throws IllegalStateException if none came */
    public RecordedRequest takeRequest(Duration timeout) {
        try {
            RecordedRequest r = unread.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new IllegalStateException("no request arrived within " + timeout);
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a request", e);
        }
    }

    /** {@return the recorded requests, oldest first: the last {@linkplain Builder#recordLimit few}} */
    public List<RecordedRequest> requests() {
        historyLock.lock();
        try {
            return List.copyOf(history);
        } finally {
            historyLock.unlock();
        }
    }

    private void record(RecordedRequest r) {
        if (recordLimit == 0) {
            return;
        }
        historyLock.lock();
        try {
            if (history.size() == recordLimit) {
                history.pollFirst();
            }
            history.addLast(r);
            if (unread.size() >= recordLimit) {
                unread.pollFirst();
            }
            unread.addLast(r);
        } finally {
            historyLock.unlock();
        }
    }

    // ---- serving

    private void handle(HttpExchange ex) {
        try {
            serve(ex);
        } catch (Abort a) {
            throw a; // the HTTP server closes the connection without finishing the response
        } catch (IOException gone) {
            disconnects.increment();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "FakeLlmServer failed on " + ex.getRequestURI(), e);
        }
        ex.close();
    }

    private void serve(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        total.increment();
        counts.computeIfAbsent(path, p -> new LongAdder()).increment();
        byte[] body = ex.getRequestBody().readAllBytes();
        record(new RecordedRequest(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(),
                ex.getRequestHeaders(), body));
        Format format = path.startsWith("/api/") ? Format.OLLAMA : path.equals("/v1/messages") ? Format.ANTHROPIC : Format.OPENAI;
        long seq = ids.incrementAndGet();
        String id = switch (format) {
            case OPENAI -> "chatcmpl-fake" + seq;
            case ANTHROPIC -> "msg_fake" + seq;
            case OLLAMA -> "ollama" + seq;
        };
        boolean endpoint = FakeEndpoints.known(path);
        FakeResponse response = respond(ex.getRequestMethod(), path, ex.getRequestHeaders(), body, format, id);
        Fault fault = endpoint ? faults.poll() : null;
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
        if (!r.streamed()) {
            byte[] body = r.body();
            ex.sendResponseHeaders(r.status(), body.length == 0 ? -1 : body.length);
            OutputStream out = ex.getResponseBody();
            if (kind == Fault.Kind.CUT || kind == Fault.Kind.TRUNCATE) {
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
            if (fault != null && i == fault.frames && (kind == Fault.Kind.CUT || kind == Fault.Kind.TRUNCATE)) {
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

    /** {@return whether every request thread has ended, for tests} */
    boolean terminated() {
        return executor != null && executor.isTerminated();
    }

    @Override
    public String toString() {
        return "FakeLlmServer[" + (server == null ? host + ":" + port : uri().toString()) + "]";
    }

    /**
     * Runs a server until the process is killed, printing its URL. Options: {@code --port N}
     * (default 0: a free port), {@code --host H} (default 127.0.0.1), {@code --latency D},
     * {@code --inter-chunk-delay D} (durations such as {@code 250ms}, {@code 2s} or
     * {@code PT1S}), {@code --chunks N}, {@code --reply TEXT}, {@code --dimensions N}.
     *
     * @param args the options
     * @throws InterruptedException if interrupted while running
     */
    public static void main(String[] args) throws InterruptedException {
        Builder b;
        try {
            b = FakeServerArgs.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("FakeLlmServer: " + e.getMessage());
            System.err.println(FakeServerArgs.USAGE);
            System.exit(2);
            return;
        }
        if (b == null) {
            System.out.println(FakeServerArgs.USAGE);
            return;
        }
        FakeLlmServer server = b.build().start();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            done.countDown();
        }));
        System.out.println("FakeLlmServer listening on " + server.uri()
                + " (OpenAI: " + server.uri("/v1") + ", Anthropic: " + server.uri() + "/v1/messages, Ollama: "
                + server.uri() + "/api)");
        done.await();
    }

    /** Configures a {@link FakeLlmServer}. Each setter checks its argument at once. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private String reply;
        private int streamChunks = 5;
        private Duration latency = Duration.ZERO;
        private Duration interChunkDelay = Duration.ZERO;
        private int dimensions = 1536;
        private List<String> models = List.of("gpt-4o-mini", "text-embedding-3-small", "claude-3-5-haiku-latest", "llama3.2:latest");
        private String apiKey;
        private int recordLimit = 1000;
        private final List<Fault> faults = new ArrayList<>();

        private Builder() {
        }

        /** Sets the address to bind; default 127.0.0.1. @return this builder */
        public Builder host(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host: must not be blank");
            }
            this.host = host;
            return this;
        }

        /** Sets the port, 0 to 65535; default 0, a free port. @return this builder */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: expected 0 to 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Sets the reply text; default null, which echoes "You said: " and the last user message. @return this builder */
        public Builder reply(String reply) {
            this.reply = reply;
            return this;
        }

        /** Sets how many pieces a streamed answer is split into, 1 to 10 000; default 5. @return this builder */
        public Builder streamChunks(int chunks) {
            this.streamChunks = checkChunks(chunks);
            return this;
        }

        /** Sets the wait before every response's headers; default none. @return this builder */
        public Builder latency(Duration latency) {
            this.latency = checkDuration("latency", latency);
            return this;
        }

        /** Sets the wait between the frames of a stream; default none. @return this builder */
        public Builder interChunkDelay(Duration delay) {
            this.interChunkDelay = checkDuration("interChunkDelay", delay);
            return this;
        }

        /** Sets the size of embedding vectors when the request names none, 1 to 65 536; default 1536. @return this builder */
        public Builder embeddingDimensions(int dimensions) {
            if (dimensions < 1 || dimensions > 65536) {
                throw new IllegalArgumentException("embeddingDimensions: expected 1 to 65536, got " + dimensions);
            }
            this.dimensions = dimensions;
            return this;
        }

        /** Sets the model ids {@code /v1/models} and {@code /api/tags} list. @return this builder */
        public Builder models(List<String> models) {
            this.models = List.copyOf(models);
            return this;
        }

        /**
         * Requires this key: {@code Authorization: Bearer <key>} on OpenAI paths, {@code x-api-key}
         * on Anthropic's (Ollama needs none); others get a 401 in the provider's shape. Default: none.
         *
         * @return this builder
         */
        public Builder apiKey(String key) {
            if (key != null && key.isBlank()) {
                throw new IllegalArgumentException("apiKey: must not be blank");
            }
            this.apiKey = key;
            return this;
        }

        /** Sets how many requests are kept for {@link #requests()} and {@link #takeRequest()}, 0 to 1 000 000; default 1000. @return this builder */
        public Builder recordLimit(int limit) {
            if (limit < 0 || limit > 1_000_000) {
                throw new IllegalArgumentException("recordLimit: expected 0 to 1000000, got " + limit);
            }
            this.recordLimit = limit;
            return this;
        }

        /** Queues faults for the first API requests. @return this builder */
        public Builder faults(Fault... faults) {
            for (Fault f : faults) {
                this.faults.add(Objects.requireNonNull(f, "fault"));
            }
            return this;
        }

        /** {@return the server, not yet started} */
        public FakeLlmServer build() {
            return new FakeLlmServer(this);
        }

        static int checkChunks(int chunks) {
            if (chunks < 1 || chunks > 10_000) {
                throw new IllegalArgumentException("streamChunks: expected 1 to 10000, got " + chunks);
            }
            return chunks;
        }

        static Duration checkDuration(String what, Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(what + ": must not be negative, got " + d);
            }
            return d;
        }
    }
}
