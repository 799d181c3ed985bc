package dev.parley.gateway;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.json.Json;

/**
 * The gateway's own HTTP/1.1 server: the gateway faces clients it does not trust, and the JDK's
 * {@code com.sun.net.httpserver} cannot defend it. That server reads request headers with no
 * deadline, has no per-address limit, and its only limits ({@code sun.net.httpserver.maxReqTime},
 * {@code jdk.httpserver.maxConnections}) are system properties read once per JVM, which a
 * library must not set behind its users' back. This server owns the sockets, so it can:
 * <ul>
 * <li>refuse a connection over the {@linkplain ServerLimits limits} at once (429 for an address
 *     over its share, 503 when the gateway is full), before reading a byte, so one client cannot
 *     take the slots others need;</li>
 * <li>give every phase a deadline: the headers, the body, the wait for a kept-alive connection's
 *     next request, and each write of the answer. One watchdog thread closes the connections
 *     past their deadline, which wakes whatever thread was blocked on them;</li>
 * <li>notice a client that leaves while its request runs: once the body is read, a thread waits
 *     for the client's next byte; end of stream means the client left, and the request's thread
 *     is interrupted, which cancels its upstream call. (A client that half-closes its side after
 *     sending the request is taken as gone too, as nginx does.)</li>
 * </ul>
 * Handlers see an {@link Exchange}, a small type of the gateway's own, so the gateway does not
 * need the {@code jdk.httpserver} module and runs in a {@code jlink} image without it.
 * Requests are parsed strictly: one of {@code Content-Length} or {@code Transfer-Encoding:
 * chunked}, never both; no obsolete line folding; at most {@value #MAX_HEADERS} header lines
 * and {@value #MAX_HEAD_BYTES} bytes of head. One virtual thread per connection runs its
 * requests one after another (pipelined requests wait their turn).
 *
 * <p>Thread-safe.
 */
final class GatewayServer {

    /** Answers one request; runs on the connection's thread. */
    @FunctionalInterface
    interface Handler {
        /**
         * Answers {@code ex}.
         *
         * @throws IOException if the client cannot be read or written
         */
        void handle(Exchange ex) throws IOException;
    }

    private static final System.Logger LOG = System.getLogger("dev.parley.gateway");
    static final int MAX_HEAD_BYTES = 64 * 1024;
    static final int MAX_HEADERS = 100;
    private static final int DRAIN_BYTES = 64 * 1024;
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long ACCEPT_BACKOFF_MILLIS = 100;

    private final ServerSocket listener;
    private final ServerLimits limits;
    private final Handler handler;
    private final GatewayMetrics metrics;
    private final ExecutorService threads;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final ReentrantLock countLock = new ReentrantLock();
    /** Open connections by client address; guarded by {@link #countLock}. */
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private final long tickMillis;
    private volatile boolean closed;
    /** Accept failures, and when the last was logged; used by the accept thread only. */
    private long acceptFailures;
    private long lastAcceptWarning;

    private GatewayServer(ServerSocket listener, ServerLimits limits, Handler handler, GatewayMetrics metrics,
            ExecutorService threads) {
        this.listener = listener;
        this.limits = limits;
        this.handler = handler;
        this.metrics = metrics;
        this.threads = threads;
        long shortest = Math.min(limits.headerNanos(), Math.min(limits.bodyNanos(), limits.idleNanos()));
        this.tickMillis = Math.clamp(TimeUnit.NANOSECONDS.toMillis(shortest) / 4, 10, 250);
    }

    /**
     * Binds {@code host:port} and starts serving with {@code handler}, on virtual threads named
     * {@code threadPrefix} and a number.
     *
     * @return the running server
     * @throws UncheckedIOException if the address cannot be bound
     */
    static GatewayServer start(String host, int port, ServerLimits limits, String threadPrefix, Handler handler,
            GatewayMetrics metrics) {
        ExecutorService exec = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(threadPrefix, 0).factory());
        try {
            ServerSocket ss = new ServerSocket();
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(host, port), 1024);
            GatewayServer server = new GatewayServer(ss, limits, handler, metrics, exec);
            metrics.openConnections = server::openConnections;
            exec.execute(server::acceptLoop);
            exec.execute(server::watchdog);
            return server;
        } catch (IOException e) {
            exec.close();
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** {@return the bound address, with the actual port} */
    InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** {@return how many connections are open now} */
    int openConnections() {
        return connections.size();
    }

    /** {@return whether every thread of this server has ended} */
    boolean terminated() {
        return threads.isTerminated();
    }

    /**
     * Closes the listener and every connection, interrupts the requests still running and waits
     * up to {@code waitMillis} for every thread to end.
     *
     * @return whether they all ended in time
     */
    boolean stop(long waitMillis) {
        closed = true;
        closeQuietly(listener);
        connections.forEach(Connection::close);
        threads.shutdownNow();
        try {
            return threads.awaitTermination(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return threads.isTerminated();
        }
    }

    // ---- accepting

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // Out of file descriptors, most likely: the listener stays ready, so retrying at
                // once would spin a core. Wait a little for connections to close, and warn once
                // a minute at most.
                acceptFailures++;
                long now = System.nanoTime();
                if (lastAcceptWarning == 0 || now - lastAcceptWarning > TimeUnit.MINUTES.toNanos(1)) {
                    lastAcceptWarning = now;
                    LOG.log(Level.WARNING, "gateway: cannot accept connections ({0} failures so far): {1}",
                            acceptFailures, e.getMessage());
                }
                try {
                    Thread.sleep(ACCEPT_BACKOFF_MILLIS);
                } catch (InterruptedException stop) {
                    return;
                }
                continue;
            }
            InetAddress address = s.getInetAddress();
            int refusal = admit(address);
            if (refusal != 0) {
                (refusal == 429 ? metrics.refusedPerAddress : metrics.refusedTotal).increment();
                refuse(s, refusal);
                continue;
            }
            Connection c = new Connection(s, address);
            connections.add(c);
            try {
                threads.execute(c::run);
            } catch (RejectedExecutionException stopping) {
                c.close();
                release(c);
            }
        }
    }

    /** {@return 0 when {@code address} may open one more connection (now counted), else the status to refuse it with} */
    private int admit(InetAddress address) {
        countLock.lock();
        try {
            if (connections.size() >= limits.maxConnections()) {
                return 503;
            }
            int mine = perAddress.getOrDefault(address, 0);
            if (mine >= limits.maxPerAddress()) {
                return 429;
            }
            perAddress.put(address, mine + 1);
            return 0;
        } finally {
            countLock.unlock();
        }
    }

    private void release(Connection c) {
        countLock.lock();
        try {
            connections.remove(c);
            perAddress.computeIfPresent(c.address, (a, n) -> n <= 1 ? null : n - 1);
        } finally {
            countLock.unlock();
        }
    }

    /**
     * Answers a refused connection and closes it, without reading from it: a hundred bytes fit
     * in a new socket's send buffer, so the accept loop never waits on a client.
     */
    private static void refuse(Socket s, int status) {
        try (s) {
            answerAndShut(s, s.getOutputStream(), status == 429 ? TOO_MANY_FROM_ADDRESS : TOO_MANY_IN_ALL);
        } catch (IOException ignored) {
            // the client is gone already
        }
    }

    private static final byte[] TOO_MANY_FROM_ADDRESS = closingAnswer(new ApiError(429, "rate_limit_error",
            "too_many_connections", null, "Too many connections from your address; close some and retry.")
            .withHeader("Retry-After", "1"));
    private static final byte[] TOO_MANY_IN_ALL = closingAnswer(new ApiError(503, "server_error", "server_busy", null,
            "The gateway has too many open connections; retry shortly.").withHeader("Retry-After", "1"));

    /** {@return a whole answer for {@code e}, with its headers and {@code Connection: close}} */
    private static byte[] closingAnswer(ApiError e) {
        byte[] body = Json.writeBytes(e.body());
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(e.status).append(' ').append(reason(e.status))
                .append("\r\nContent-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        e.headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        byte[] h = head.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** Writes {@code answer} and ends the sending side of {@code s}; the caller closes it. */
    private static void answerAndShut(Socket s, OutputStream out, byte[] answer) throws IOException {
        out.write(answer);
        out.flush();
        s.shutdownOutput();
    }

    // ---- deadlines

    private void watchdog() {
        while (!closed) {
            try {
                Thread.sleep(tickMillis);
            } catch (InterruptedException stop) {
                return;
            }
            long now = System.nanoTime();
            for (Connection c : connections) {
                long d = c.deadline;
                if (d != 0 && now - d > 0) {
                    String phase = c.phase.equals("handler") ? "write" : c.phase; // only a write has a deadline then
                    LOG.log(Level.DEBUG, "gateway: closing a connection from {0}: the {1} deadline passed",
                            c.address.getHostAddress(), phase);
                    c.deadline = 0;
                    metrics.timedOut(phase);
                    c.close();
                }
            }
        }
    }

    // ---- one connection

    /** Thrown for a request the server answers itself, and then closes the connection. */
    private static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /**
     * One client connection: its socket, a read buffer shared by the request heads and bodies,
     * the deadline of the phase it is in, and the thread watching for the client to leave.
     */
    private final class Connection {
        final Socket socket;
        final InetAddress address;
        final byte[] buf = new byte[8192];
        int pos;
        int lim;
        InputStream raw;
        OutputStream out;
        /** When the current phase must be over ({@link System#nanoTime()}), or 0 for none. */
        volatile long deadline;
        volatile String phase = "header";
        /** Guards the fields below, shared with the watcher thread. */
        final ReentrantLock lock = new ReentrantLock();
        final Condition watched = lock.newCondition();
        Thread handlerThread;
        Exchange running;
        boolean watching;
        /** What the watcher read: bytes (then in {@link #buf}), or -1 for end of stream. */
        int watchResult;

        Connection(Socket socket, InetAddress address) {
            this.socket = socket;
            this.address = address;
        }

        void close() {
            closeQuietly(socket);
        }

        void run() {
            try {
                socket.setTcpNoDelay(true);
                raw = socket.getInputStream();
                out = new BufferedOutputStream(new DeadlineOutput(this, socket.getOutputStream()), 16 * 1024);
                deadline = System.nanoTime() + limits.headerNanos();
                boolean first = true;
                while (!closed) {
                    if (!first) {
                        phase = "idle";
                        deadline = System.nanoTime() + limits.idleNanos();
                        if (!awaitNextRequest()) {
                            return;
                        }
                        deadline = System.nanoTime() + limits.headerNanos();
                    }
                    first = false;
                    phase = "header";
                    if (!serveOne()) {
                        return;
                    }
                }
            } catch (IOException e) {
                LOG.log(Level.TRACE, "gateway: connection ended: {0}", e.toString());
            } finally {
                close();
                release(this);
            }
        }

        /** Waits for the first byte of the next request. @return false at end of stream */
        boolean awaitNextRequest() throws IOException {
            lock.lock();
            try {
                while (watching) {
                    watched.awaitUninterruptibly();
                }
                if (watchResult < 0) {
                    return false;
                }
            } finally {
                lock.unlock();
            }
            return pos < lim || fill();
        }

        /** Reads more bytes into the empty buffer. @return false at end of stream */
        boolean fill() throws IOException {
            int n = raw.read(buf, 0, buf.length);
            if (n < 0) {
                return false;
            }
            pos = 0;
            lim = n;
            return true;
        }

        /** Serves one request. @return whether the connection may carry another */
        boolean serveOne() throws IOException {
            Exchange ex;
            try {
                ex = readHead();
            } catch (BadRequest e) {
                deadline = System.nanoTime() + limits.idleNanos();
                answerItself(e.status, e.getMessage());
                return false;
            }
            if (ex == null) {
                return false;
            }
            lock.lock();
            try {
                handlerThread = Thread.currentThread();
                running = ex;
            } finally {
                lock.unlock();
            }
            if (ex.body.isDone()) {
                deadline = 0;
                phase = "handler";
                startWatching();
            } else {
                phase = "body";
                deadline = System.nanoTime() + limits.bodyNanos();
                ex.body.continueOwed = ex.expectContinue;
            }
            try {
                handler.handle(ex);
            } catch (RuntimeException | IOException e) {
                LOG.log(Level.DEBUG, "gateway: the handler failed", e);
                ex.closeAfter = true;
            } finally {
                lock.lock();
                try {
                    handlerThread = null;
                    running = null;
                } finally {
                    lock.unlock();
                }
                Thread.interrupted(); // a late "client left" is about a request that is over
            }
            ex.close();
            if (ex.closeAfter || ex.clientLeft || !ex.complete()) {
                return false;
            }
            if (!ex.body.isDone()) {
                if (ex.body.continueOwed) {
                    return false; // the client waits for "100 Continue" before sending the body it will not send now
                }
                // The answer went out before the body was read (413, 401): read what is left, up
                // to a limit, so the client sees the answer instead of a reset connection.
                phase = "drain";
                deadline = System.nanoTime() + Math.min(DRAIN_NANOS, limits.bodyNanos());
                if (!ex.body.drain(DRAIN_BYTES)) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Starts a thread that reads the client's next bytes while the request runs: end of
         * stream means the client left, and the request's thread is interrupted. Bytes (a next
         * request) are kept in the buffer for it. Nothing to do when the buffer holds some already.
         */
        void startWatching() {
            if (pos < lim) {
                return;
            }
            lock.lock();
            try {
                watching = true;
                watchResult = 0;
            } finally {
                lock.unlock();
            }
            try {
                threads.execute(this::watch);
            } catch (RejectedExecutionException stopping) {
                lock.lock();
                try {
                    watching = false;
                    watchResult = -1;
                    watched.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }

        private void watch() {
            int n;
            try {
                n = raw.read(buf, 0, buf.length);
            } catch (IOException e) {
                n = -1;
            }
            lock.lock();
            try {
                if (n > 0) {
                    pos = 0;
                    lim = n;
                }
                watchResult = n;
                watching = false;
                if (n < 0 && running != null && !running.responseDone && !closed) {
                    running.clientLeft = true;
                    LOG.log(Level.DEBUG, "gateway: the client left during {0} {1}; cancelling it",
                            running.method, running.uri.getPath());
                    handlerThread.interrupt();
                }
                watched.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Sends a small error answer of the server's own, then the connection closes. */
        void answerItself(int status, String message) {
            try {
                answerAndShut(socket, out, closingAnswer(new ApiError(status, "invalid_request_error", null, null, message)));
            } catch (IOException ignored) {
                // the client is gone
            }
        }

        // ---- parsing

        /** {@return the next byte of the head, or -1 at end of stream} */
        int read() throws IOException {
            if (pos == lim && !fill()) {
                return -1;
            }
            return buf[pos++] & 0xff;
        }

        /** {@return one line without its CRLF (or bare LF), or null at end of stream before any byte} */
        String line(int[] budget) throws IOException, BadRequest {
            StringBuilder sb = new StringBuilder(64);
            while (true) {
                int b = read();
                if (b < 0) {
                    if (sb.isEmpty()) {
                        return null;
                    }
                    throw new EOFException("the client left in the middle of the request's headers");
                }
                if (--budget[0] < 0) {
                    throw new BadRequest(431, "The request's headers are larger than " + MAX_HEAD_BYTES + " bytes.");
                }
                if (b == '\n') {
                    int len = sb.length();
                    if (len > 0 && sb.charAt(len - 1) == '\r') {
                        sb.setLength(len - 1);
                    }
                    return sb.toString();
                }
                sb.append((char) b); // ISO-8859-1, as HTTP heads are
            }
        }

        /** {@return the next request, or null when the client closed the connection between requests} */
        Exchange readHead() throws IOException, BadRequest {
            int[] budget = {MAX_HEAD_BYTES};
            String requestLine = line(budget);
            while (requestLine != null && requestLine.isEmpty()) {
                requestLine = line(budget); // RFC 9112 2.2: ignore empty lines before a request
            }
            if (requestLine == null) {
                return null;
            }
            String[] parts = requestLine.split(" ", -1);
            if (parts.length != 3 || parts[0].isEmpty() || !isToken(parts[0])) {
                throw new BadRequest(400, "Malformed request line.");
            }
            String version = parts[2];
            if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
                throw new BadRequest(505, "Only HTTP/1.1 and HTTP/1.0 are supported.");
            }
            URI uri;
            try {
                uri = new URI(parts[1]);
            } catch (URISyntaxException e) {
                throw new BadRequest(400, "Malformed request target.");
            }
            if (uri.getRawPath() == null || !uri.getRawPath().startsWith("/")) {
                throw new BadRequest(400, "Malformed request target.");
            }
            Headers headers = new Headers();
            int count = 0;
            for (String h = line(budget); ; h = line(budget)) {
                if (h == null) {
                    throw new EOFException("the client left in the middle of the request's headers");
                }
                if (h.isEmpty()) {
                    break;
                }
                if (++count > MAX_HEADERS) {
                    throw new BadRequest(431, "The request has more than " + MAX_HEADERS + " headers.");
                }
                int colon = h.indexOf(':');
                if (colon <= 0 || !isToken(h.substring(0, colon))) {
                    throw new BadRequest(400, "Malformed header line.");
                }
                String value = trimOws(h.substring(colon + 1));
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if ((c < ' ' && c != '\t') || c == 127) {
                        throw new BadRequest(400, "A header value holds a control character.");
                    }
                }
                headers.add(h.substring(0, colon), value);
            }
            boolean http10 = version.equals("HTTP/1.0");
            java.util.List<String> host = headers.get("Host");
            if (host != null ? host.size() != 1 : !http10) {
                // RFC 9112 3.2: an HTTP/1.1 request without exactly one Host is a 400, so that
                // a proxy in front and this server never disagree on which host was meant
                throw new BadRequest(400, host == null ? "An HTTP/1.1 request needs a Host header."
                        : "A request may have only one Host header.");
            }
            Body body = body(headers);
            String connection = String.join(",", headers.getOrDefault("Connection", java.util.List.of()))
                    .toLowerCase(Locale.ROOT);
            Exchange ex = new Exchange(this, parts[0], uri, version, headers, body);
            ex.closeAfter = http10 || connection.contains("close");
            // RFC 9110 10.1.1: an HTTP/1.0 client may not know "100 Continue"; the expectation is ignored
            ex.expectContinue = !http10 && "100-continue".equalsIgnoreCase(headers.getFirst("Expect"));
            return ex;
        }

        private Body body(Headers headers) throws BadRequest {
            java.util.List<String> te = headers.get("Transfer-Encoding");
            java.util.List<String> cl = headers.get("Content-Length");
            if (te != null) {
                if (cl != null) {
                    throw new BadRequest(400, "A request cannot have both Content-Length and Transfer-Encoding.");
                }
                if (te.size() != 1 || !te.get(0).equalsIgnoreCase("chunked")) {
                    throw new BadRequest(501, "Only the chunked transfer coding is supported.");
                }
                return new Body(this, -1);
            }
            if (cl == null) {
                return new Body(this, 0);
            }
            long n = -1;
            for (String v : cl) {
                long m;
                if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new BadRequest(400, "Malformed Content-Length header.");
                }
                m = Long.parseLong(v);
                if (n != -1 && m != n) {
                    throw new BadRequest(400, "Conflicting Content-Length headers.");
                }
                n = m;
            }
            return new Body(this, n);
        }
    }

    /**
     * {@return {@code s} without the spaces and tabs around it}: HTTP's optional whitespace, and
     * nothing else ({@link String#strip()} would also drop control characters such as U+001F,
     * which must instead make the request invalid)
     */
    private static String trimOws(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean isHexDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    // ---- request bodies

    /**
     * A request body: {@code length} bytes, or chunked when {@code length} is -1. Reaching its end
     * clears the body deadline and starts watching for the client to leave.
     */
    private static final class Body extends InputStream {
        private final Connection c;
        private final boolean chunked;
        /** Bytes left in the body (fixed length) or in the current chunk. */
        private long left;
        private boolean done;
        private boolean closed;
        /** Whether the client asked for "100 Continue" before sending the body, and has not had it. */
        boolean continueOwed;

        Body(Connection c, long length) {
            this.c = c;
            this.chunked = length < 0;
            this.left = chunked ? 0 : length;
            this.done = length == 0;
        }

        boolean isDone() {
            return done;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException("the request body is closed");
            }
            if (len == 0) {
                return 0;
            }
            if (done) {
                return -1;
            }
            if (continueOwed) {
                continueOwed = false;
                c.out.write(CONTINUE);
                c.out.flush();
            }
            if (left == 0 && chunked && !nextChunk()) {
                finish();
                return -1;
            }
            if (c.pos == c.lim && !c.fill()) {
                throw new IOException("the client closed the connection before the end of the request body");
            }
            int n = (int) Math.min(Math.min(len, left), c.lim - c.pos);
            System.arraycopy(c.buf, c.pos, b, off, n);
            c.pos += n;
            left -= n;
            if (left == 0) {
                if (chunked) {
                    crlf();
                } else {
                    finish();
                }
            }
            return n;
        }

        /** Reads the next chunk's size line. @return false at the last (empty) chunk, whose trailers are skipped */
        private boolean nextChunk() throws IOException {
            String sizeLine = chunkLine();
            int semi = sizeLine.indexOf(';');
            // Hex digits only (RFC 9112 7.1), then optional whitespace before an extension:
            // Long.parseLong alone would take a sign ("-0", "+5") and String.strip() leading
            // blanks, where a proxy in front may see the body end elsewhere.
            int end = semi < 0 ? sizeLine.length() : semi;
            while (semi > 0 && end > 0 && (sizeLine.charAt(end - 1) == ' ' || sizeLine.charAt(end - 1) == '\t')) {
                end--;
            }
            String hex = sizeLine.substring(0, end);
            if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(GatewayServer::isHexDigit)) {
                throw new IOException("malformed chunk size in the request body");
            }
            long size = Long.parseLong(hex, 16);
            if (size == 0) {
                for (int trailers = 0; !chunkLine().isEmpty(); trailers++) {
                    if (trailers == MAX_HEADERS) {
                        throw new IOException("the request body has more than " + MAX_HEADERS + " trailer lines");
                    }
                }
                return false;
            }
            left = size;
            return true;
        }

        private void crlf() throws IOException {
            if (!chunkLine().isEmpty()) {
                throw new IOException("a chunk of the request body is longer than it said");
            }
        }

        private String chunkLine() throws IOException {
            StringBuilder sb = new StringBuilder(16);
            for (int budget = 4096; ; budget--) {
                int b = c.read();
                if (b < 0) {
                    throw new IOException("the client closed the connection before the end of the request body");
                }
                if (budget == 0) {
                    throw new IOException("a chunk line of the request body is too long");
                }
                // CRLF only, and no other control character (RFC 9112 7.1): a proxy in front that
                // took a bare LF or CR as part of the line would see other chunks than this server.
                if (b == '\r') {
                    if (c.read() != '\n') {
                        throw new IOException("a chunk line of the request body does not end with CRLF");
                    }
                    return sb.toString();
                }
                if ((b < ' ' && b != '\t') || b == 127) {
                    throw new IOException("a chunk line of the request body holds a control character");
                }
                sb.append((char) b);
            }
        }

        private void finish() {
            done = true;
            c.deadline = 0;
            c.phase = "handler";
            c.startWatching();
        }

        /** Reads and drops the rest, up to {@code max} bytes. @return whether the body ended within them */
        boolean drain(int max) {
            byte[] skip = new byte[8192];
            long total = 0;
            try {
                while (!done && total <= max) {
                    int n = read(skip, 0, skip.length);
                    if (n < 0) {
                        break;
                    }
                    total += n;
                }
            } catch (IOException e) {
                return false;
            }
            return done;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    // ---- answers

    /** Writes to the socket, closing the connection when one write stalls past the idle limit. */
    private final class DeadlineOutput extends OutputStream {
        private final Connection c;
        private final OutputStream socket;

        DeadlineOutput(Connection c, OutputStream socket) {
            this.c = c;
            this.socket = socket;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            long before = c.deadline;
            long mine = System.nanoTime() + limits.idleNanos();
            c.deadline = before != 0 && before - mine < 0 ? before : mine;
            try {
                socket.write(b, off, len);
            } finally {
                c.deadline = before;
            }
        }

        @Override
        public void flush() throws IOException {
            socket.flush();
        }
    }

    /**
     * One request and its answer, as the handlers know it: its method, target and headers, its
     * body to read, and the answer's status, headers and body to write (the methods keep the
     * names of {@code com.sun.net.httpserver.HttpExchange}'s).
     */
    static final class Exchange {
        private final Connection c;
        final String method;
        final URI uri;
        private final String protocol;
        private final Headers requestHeaders;
        private final Headers responseHeaders = new Headers();
        final Body body;
        private final OutputStream responseOut;
        private int status = -1;
        /** -1 none, 0 chunked, else the fixed length left. */
        private long responseLeft;
        private boolean chunkedResponse;
        /** Whether the answer's body ends when the connection closes (a stream to an HTTP/1.0 client). */
        private boolean untilClose;
        private boolean responseClosed;
        boolean closeAfter;
        boolean expectContinue;
        volatile boolean clientLeft;
        /**
         * Set before the last byte of the answer is written: a client that closes after that may
         * have the whole answer, and is not taken as having left.
         */
        volatile boolean responseDone;

        Exchange(Connection c, String method, URI uri, String protocol, Headers requestHeaders, Body body) {
            this.c = c;
            this.method = method;
            this.uri = uri;
            this.protocol = protocol;
            this.requestHeaders = requestHeaders;
            this.body = body;
            this.responseOut = new ResponseBody();
        }

        /** {@return whether the answer was sent in full} */
        boolean complete() {
            return status != -1 && responseClosed && (chunkedResponse || responseLeft <= 0);
        }

        /** {@return the request's headers} */
        Headers getRequestHeaders() {
            return requestHeaders;
        }

        /** {@return the answer's headers, to fill before {@link #sendResponseHeaders}} */
        Headers getResponseHeaders() {
            return responseHeaders;
        }

        /** {@return the request target} */
        URI getRequestURI() {
            return uri;
        }

        /** {@return the request's method, such as {@code POST}} */
        String getRequestMethod() {
            return method;
        }

        /** Ends the answer; one not started yet closes the connection after this request. */
        void close() {
            try {
                if (status == -1) {
                    closeAfter = true;
                    return;
                }
                responseOut.close();
            } catch (IOException e) {
                closeAfter = true;
            }
        }

        /** {@return the request's body} */
        InputStream getRequestBody() {
            return body;
        }

        /** {@return the answer's body, to write after {@link #sendResponseHeaders}} */
        OutputStream getResponseBody() {
            return responseOut;
        }

        /**
         * Sends the status line and headers. {@code responseLength} is the body's length, 0 for a
         * body of unknown length (chunked, or until the close for an HTTP/1.0 client), -1 for none.
         */
        void sendResponseHeaders(int rCode, long responseLength) throws IOException {
            if (status != -1) {
                throw new IOException("the response headers were sent already");
            }
            if (rCode < 200 || rCode > 999) {
                throw new IllegalArgumentException("status " + rCode);
            }
            status = rCode;
            if (!body.isDone()) {
                c.deadline = 0; // the answer is decided; what is left of the body is drained afterwards
                c.phase = "handler";
            }
            boolean noBody = method.equals("HEAD") || rCode == 204 || rCode == 304;
            String close = responseHeaders.getFirst("Connection");
            if (close != null && close.equalsIgnoreCase("close")) {
                closeAfter = true;
            }
            StringBuilder head = new StringBuilder(256);
            head.append("HTTP/1.1 ").append(rCode).append(' ').append(reason(rCode)).append("\r\n");
            responseHeaders.remove("Content-Length");
            responseHeaders.remove("Transfer-Encoding");
            if (noBody) {
                responseLeft = 0;
                if (method.equals("HEAD") && responseLength > 0) {
                    head.append("Content-Length: ").append(responseLength).append("\r\n");
                }
            } else if (responseLength < 0) {
                responseLeft = 0;
                head.append("Content-Length: 0\r\n");
            } else if (responseLength == 0 && protocol.equals("HTTP/1.0")) {
                // HTTP/1.0 knows no chunked coding (RFC 9112 6.1): the end of the body is the close
                untilClose = true;
                closeAfter = true;
                responseLeft = Long.MAX_VALUE;
            } else if (responseLength == 0) {
                chunkedResponse = true;
                head.append("Transfer-Encoding: chunked\r\n");
            } else {
                responseLeft = responseLength;
                head.append("Content-Length: ").append(responseLength).append("\r\n");
            }
            if (closeAfter) {
                responseHeaders.set("Connection", "close");
            }
            responseHeaders.forEach((name, values) -> {
                for (String v : values) {
                    head.append(name).append(": ").append(v).append("\r\n");
                }
            });
            head.append("\r\n");
            if (noBody || responseLength < 0) {
                responseDone = true;
            }
            c.out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (noBody || responseLength < 0) {
                c.out.flush();
                responseClosed = true;
            }
        }

        /** {@return the status sent, or -1 before {@link #sendResponseHeaders}} */
        int getResponseCode() {
            return status;
        }

        /** The answer's body: fixed length or chunked, one chunk per flush (or full buffer). */
        private final class ResponseBody extends OutputStream {
            private final byte[] pending = new byte[8192];
            private int count;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                java.util.Objects.checkFromIndexSize(off, len, b.length);
                if (status == -1) {
                    throw new IOException("send the response headers before the body");
                }
                if (responseClosed) {
                    throw new IOException("the response body is closed");
                }
                if (!chunkedResponse) {
                    if (len > responseLeft) {
                        throw new IOException("the response body is longer than its Content-Length");
                    }
                    responseLeft -= len;
                    if (responseLeft == 0) {
                        responseDone = true;
                    }
                    c.out.write(b, off, len);
                    return;
                }
                if (count + len > pending.length) {
                    emit();
                }
                if (len >= pending.length) {
                    chunk(b, off, len);
                } else {
                    System.arraycopy(b, off, pending, count, len);
                    count += len;
                }
            }

            private void emit() throws IOException {
                if (count > 0) {
                    chunk(pending, 0, count);
                    count = 0;
                }
            }

            private void chunk(byte[] b, int off, int len) throws IOException {
                c.out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                c.out.write(b, off, len);
                c.out.write(CRLF);
            }

            @Override
            public void flush() throws IOException {
                if (status == -1 || responseClosed) {
                    return;
                }
                if (chunkedResponse) {
                    emit();
                }
                c.out.flush();
            }

            @Override
            public void close() throws IOException {
                if (status == -1 || responseClosed) {
                    return;
                }
                responseClosed = true;
                if (chunkedResponse) {
                    emit();
                    responseDone = true;
                    c.out.write(LAST_CHUNK);
                } else if (untilClose) {
                    responseDone = true;
                } else if (responseLeft > 0) {
                    closeAfter = true; // the client is owed bytes it will never get
                }
                c.out.flush();
            }
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** {@return whether the client of {@code ex} left while its request ran} */
    static boolean clientLeft(Exchange ex) {
        return ex.clientLeft;
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 413 -> "Content Too Large";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "";
        };
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
