package dev.parley.testing;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.internal.ListenAddress;
import dev.parley.internal.LocalServer;



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
 *
 * <p>It runs on the JDK's HTTP server, the module {@code jdk.httpserver}, which Parley only
 * needs for this class: a full JDK has it, and a class-path application sees it; a module-path
 * application adds it with {@code --add-modules jdk.httpserver} (or {@code requires jdk.httpserver}
 * in its test module), and a {@code jlink} image with {@code jlink --add-modules jdk.httpserver}.
 * Without it, {@link Builder#build()} says so in an {@link IllegalStateException}.
 */
public final class FakeLlmServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.parley.testing");

    private final String host;
    private final int port;
    private final RequestLog log;
    private final FakeHandler handler;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Guards start and close. Request threads never take it, so close() can wait for them. */
    private final ReentrantLock lock = new ReentrantLock();
    private volatile LocalServer local;

    private FakeLlmServer(Builder b) {
        LocalServer.require("FakeLlmServer"); // before FakeHandler, which needs the module, is loaded
        this.host = b.host;
        this.port = b.port;
        this.log = new RequestLog(b.recordLimit);
        this.handler = new FakeHandler(b.dimensions, b.models, b.apiKey, log, stopped);
        handler.reply = b.reply;
        handler.streamChunks = b.streamChunks;
        handler.latency = b.latency;
        handler.interChunkDelay = b.interChunkDelay;
        handler.faults.addAll(b.faults);
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
     * @throws java.io.UncheckedIOException  if the address cannot be bound
     */
    public FakeLlmServer start() {
        lock.lock();
        try {
            if (local != null || stopped.getCount() == 0) {
                throw new IllegalStateException("a FakeLlmServer can be started only once");
            }
            local = handler.listen(host, port);
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
            if (local != null && !local.stop(2000)) {
                LOG.log(Level.WARNING, "FakeLlmServer closed, but some request threads are still finishing");
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
        LocalServer l = local;
        if (l == null) {
            throw new IllegalStateException("the server has not been started");
        }
        return l.address();
    }

    /** {@return the bound port} @throws IllegalStateException before start */
    public int port() {
        return address().getPort();
    }

    /** {@return the root URL, such as {@code http://127.0.0.1:8099}} @throws IllegalStateException before start */
    public URI uri() {
        return ListenAddress.uri(address());
    }

    /**
     * {@return the URL of {@code path} on this server, such as {@code uri("/v1")} for an OpenAI base URL}
     *
     * @param path a path on this server, starting with {@code /}
     */
    public URI uri(String path) {
        return URI.create(uri() + path);
    }

    // ---- runtime settings

    /**
     * Sets the reply text; null to echo the last user message.
     *
     * @param text the reply text, or null to echo
     * @return this server
     */
    public FakeLlmServer reply(String text) {
        handler.reply = text;
        return this;
    }

    /**
     * Sets how many pieces a streamed answer is split into, 1 to 10 000.
     *
     * @param chunks how many pieces a streamed answer is split into, 1 to 10 000
     * @return this server
     */
    public FakeLlmServer streamChunks(int chunks) {
        handler.streamChunks = Builder.checkChunks(chunks);
        return this;
    }

    /**
     * Sets the wait before the response headers of every request.
     *
     * @param latency the wait before the response headers of every request
     * @return this server
     */
    public FakeLlmServer latency(Duration latency) {
        handler.latency = Builder.checkDuration("latency", latency);
        return this;
    }

    /**
     * Sets the wait between the frames of a stream.
     *
     * @param delay the wait between the frames of a stream
     * @return this server
     */
    public FakeLlmServer interChunkDelay(Duration delay) {
        handler.interChunkDelay = Builder.checkDuration("interChunkDelay", delay);
        return this;
    }

    /**
     * Queues faults for the next API requests, one each, in order.
     *
     * @param faults the faults, one per request, in order
     * @return this server
     */
    public FakeLlmServer enqueue(Fault... faults) {
        for (Fault f : faults) {
            handler.faults.add(Objects.requireNonNull(f, "fault"));
        }
        return this;
    }

    /**
     * Queues {@code fault} for each of the next {@code times} API requests.
     *
     * @param times how many requests get the fault
     * @param fault what those requests get instead of an answer
     * @return this server
     */
    public FakeLlmServer failNext(int times, Fault fault) {
        Objects.requireNonNull(fault, "fault");
        for (int i = 0; i < times; i++) {
            handler.faults.add(fault);
        }
        return this;
    }

    /** Drops the faults not yet applied. */
    public void clearFaults() {
        handler.faults.clear();
    }

    /** {@return how many queued faults are not yet applied} */
    public int pendingFaults() {
        return handler.faults.size();
    }

    // ---- what it saw

    /**
     * {@return how many requests arrived for {@code path}, such as "/v1/chat/completions"}
     *
     * @param path the request path
     */
    public long requestCount(String path) {
        return log.countOf(path);
    }

    /** {@return how many requests arrived in all} */
    public long requestCount() {
        return log.total();
    }

    /**
     * {@return how many responses could not be written because the client had gone}; best
     * effort: a client that leaves during a stall or after the last write is not noticed
     */
    public long clientDisconnects() {
        return log.disconnects();
    }

    /** {@return the oldest request not yet taken, waiting up to 5 seconds} @throws IllegalStateException if none came */
    public RecordedRequest takeRequest() {
        return takeRequest(Duration.ofSeconds(5));
    }

    /**
     * {@return the oldest request not yet taken, waiting up to {@code timeout}}
     *
     * @param timeout how long to wait for one
     * @throws IllegalStateException if none came
     */
    public RecordedRequest takeRequest(Duration timeout) {
        try {
            RecordedRequest r = log.take(timeout);
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
        return log.requests();
    }

    /** {@return whether every request thread has ended, for tests} */
    boolean terminated() {
        LocalServer l = local;
        return l != null && l.terminated();
    }

    @Override
    public String toString() {
        return "FakeLlmServer[" + (local == null ? host + ":" + port : uri().toString()) + "]";
    }

    /**
     * Runs a server until the process is killed, printing its URL. Options: {@code --port N}
     * (default 0: a free port), {@code --host H} (default 127.0.0.1), {@code --latency D},
     * {@code --inter-chunk-delay D} (durations as Parley's settings read them: a bare number is
     * seconds, or {@code 250ms}, {@code 2s}, {@code 1m} or {@code PT1S}), {@code --chunks N}, {@code --reply TEXT}, {@code --dimensions N}.
     *
     * @param args the options
     * @throws InterruptedException if interrupted while running
     */
    public static void main(String[] args) throws InterruptedException {
        FakeServerArgs.run(args);
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

        /**
         * Sets the address to bind; default 127.0.0.1.
         *
         * @param host the address to bind
         * @return this builder
         */
        public Builder host(String host) {
            this.host = ListenAddress.checkHost(host);
            return this;
        }

        /**
         * Sets the port, 0 to 65535; default 0, a free port.
         *
         * @param port the port, 0 to 65535
         * @return this builder
         */
        public Builder port(int port) {
            this.port = ListenAddress.checkPort(port);
            return this;
        }

        /**
         * Sets the reply text; default null, which echoes "You said: " and the last user message.
         *
         * @param reply the reply text, or null to echo
         * @return this builder
         */
        public Builder reply(String reply) {
            this.reply = reply;
            return this;
        }

        /**
         * Sets how many pieces a streamed answer is split into, 1 to 10 000; default 5.
         *
         * @param chunks how many pieces a streamed answer is split into, 1 to 10 000
         * @return this builder
         */
        public Builder streamChunks(int chunks) {
            this.streamChunks = checkChunks(chunks);
            return this;
        }

        /**
         * Sets the wait before every response's headers; default none.
         *
         * @param latency the wait before every response's headers
         * @return this builder
         */
        public Builder latency(Duration latency) {
            this.latency = checkDuration("latency", latency);
            return this;
        }

        /**
         * Sets the wait between the frames of a stream; default none.
         *
         * @param delay the wait between the frames of a stream
         * @return this builder
         */
        public Builder interChunkDelay(Duration delay) {
            this.interChunkDelay = checkDuration("interChunkDelay", delay);
            return this;
        }

        /**
         * Sets the size of embedding vectors when the request names none, 1 to 65 536; default 1536.
         *
         * @param dimensions the size of embedding vectors when the request names none, 1 to 65 536
         * @return this builder
         */
        public Builder embeddingDimensions(int dimensions) {
            if (dimensions < 1 || dimensions > 65536) {
                throw new IllegalArgumentException("embeddingDimensions: expected 1 to 65536, got " + dimensions);
            }
            this.dimensions = dimensions;
            return this;
        }

        /**
         * Sets the model ids {@code /v1/models} and {@code /api/tags} list.
         *
         * @param models the model ids {@code /v1/models} and {@code /api/tags} list
         * @return this builder
         */
        public Builder models(List<String> models) {
            this.models = List.copyOf(models);
            return this;
        }

        /**
         * Requires this key: {@code Authorization: Bearer <key>} on OpenAI paths, {@code x-api-key}
         * on Anthropic's (Ollama needs none); others get a 401 in the provider's shape. Default: none.
         *
         * @param key the key clients must send, or null for none
         * @return this builder
         */
        public Builder apiKey(String key) {
            if (key != null && key.isBlank()) {
                throw new IllegalArgumentException("apiKey: must not be blank");
            }
            this.apiKey = key;
            return this;
        }

        /**
         * Sets how many requests are kept for {@link #requests()} and {@link #takeRequest()}, 0 to 1 000 000; default 1000.
         *
         * @param limit how many requests are kept for {@link #requests()} and {@link #takeRequest()}, 0 to 1 000 000
         * @return this builder
         */
        public Builder recordLimit(int limit) {
            if (limit < 0 || limit > 1_000_000) {
                throw new IllegalArgumentException("recordLimit: expected 0 to 1000000, got " + limit);
            }
            this.recordLimit = limit;
            return this;
        }

        /**
         * Queues faults for the first API requests.
         *
         * @param faults the faults, one per request, in order
         * @return this builder
         */
        public Builder faults(Fault... faults) {
            for (Fault f : faults) {
                this.faults.add(Objects.requireNonNull(f, "fault"));
            }
            return this;
        }

        /**
         * Makes the server, not yet started.
         *
         * @return the server
         * @throws IllegalStateException if the Java runtime lacks the JDK's HTTP server (the
         *     module {@code jdk.httpserver}, which the fake server runs on); the message says how to add it
         */
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
