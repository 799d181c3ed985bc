package dev.parley.support;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A minimal HTTP/1.1 server with keep-alive on 127.0.0.1 that counts the TCP connections it
 * accepts and how many are open, for tests of connection reuse. Built on plain sockets because
 * {@code com.sun.net.httpserver} does not tell when a connection is accepted or closed.
 *
 * <p>Each request is answered by a {@link Reply} from the handler; the connection stays open for
 * the next request until the client closes it (or a reply closes it).
 *
 * <p>Thread-safe. {@link #close()} closes the listening socket and every connection and waits
 * for their threads.
 */
public final class CountingHttpServer implements AutoCloseable {

    /** A request the server read. Header names are lower case. */
    public record Request(String method, String path, Map<String, String> headers, byte[] body) {
        /** {@return a header's value, or null} */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Writes one response. */
    @FunctionalInterface
    public interface Reply {
        /** Writes the whole response, head and body; throws when the client went away. */
        void write(OutputStream out) throws IOException;

        /**
         * {@return a {@code Content-Length} response}
         */
        static Reply fixed(int status, String contentType, byte[] body) {
            return out -> {
                head(out, status, contentType, "Content-Length: " + body.length);
                out.write(body);
                out.flush();
            };
        }

        /**
         * {@return a chunked response whose body is {@code body} in one chunk, then, after
         * {@code pause}, the terminating chunk}: as a server that flushes its last event and
         * only then finishes the body. The pause makes the order of arrival certain; a client
         * that stops reading at the last event never sees the end of the body.
         */
        static Reply chunked(int status, String contentType, byte[] body, Duration pause) {
            return out -> {
                head(out, status, contentType, "Transfer-Encoding: chunked");
                chunk(out, body);
                out.flush();
                if (!pause.isZero()) {
                    LockSupport.parkNanos(pause.toNanos()); // the server's own pace, not a test's wait
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            };
        }

        /**
         * {@return a chunked response that sends {@code prefix} (if not empty), then repeats
         * {@code unit} without end}, until writing
         * fails because the client closed the connection (or after 4 GiB, so a broken client
         * cannot keep a test running for ever)
         */
        static Reply endless(int status, String contentType, byte[] prefix, byte[] unit) {
            return out -> {
                head(out, status, contentType, "Transfer-Encoding: chunked");
                if (prefix.length > 0) {
                    chunk(out, prefix);
                }
                for (long sent = 0; sent < (4L << 30); sent += unit.length) {
                    chunk(out, unit);
                    out.flush();
                }
                throw new IOException("the client read 4 GiB without stopping");
            };
        }

        private static void head(OutputStream out, int status, String contentType, String framing)
                throws IOException {
            out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: " + contentType + "\r\n" + framing
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        }

        private static void chunk(OutputStream out, byte[] bytes) throws IOException {
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private final Function<Request, Reply> handler;
    private final ServerSocket server;
    private final Thread acceptor;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    /** Every request read, in order. */
    public final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Failures other than a client going away. */
    public final List<Throwable> errors = new CopyOnWriteArrayList<>();

    private CountingHttpServer(Function<Request, Reply> handler) {
        this.handler = handler;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = Thread.ofPlatform().daemon().name("test-counting-acceptor").start(this::accept);
    }

    /** {@return a running server answering every request with {@code handler}'s reply} */
    public static CountingHttpServer start(Function<Request, Reply> handler) {
        return new CountingHttpServer(handler);
    }

    /** {@return the URL of {@code path} on this server} */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    /** {@return how many connections were accepted so far} */
    public int accepted() {
        return accepted.get();
    }

    /** {@return how many connections are open now} */
    public int open() {
        return open.get();
    }

    /**
     * Waits until at most {@code n} connections are open.
     *
     * @return whether that happened within {@code timeout}
     */
    public boolean awaitOpenAtMost(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (open.get() > n) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return true;
    }

    private void accept() {
        try {
            while (!server.isClosed()) {
                Socket s = server.accept();
                accepted.incrementAndGet();
                open.incrementAndGet();
                sockets.add(s);
                threads.add(Thread.ofPlatform().daemon().name("test-counting-connection").start(() -> serve(s)));
            }
        } catch (IOException closed) {
            // close() closed the listening socket
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            Request r;
            while ((r = read(in)) != null) {
                requests.add(r);
                handler.apply(r).write(out);
            }
        } catch (IOException clientWentAway) {
            // the client closed the connection mid-response: what some tests want
        } catch (Throwable t) {
            errors.add(t);
        } finally {
            open.decrementAndGet();
        }
    }

    /** {@return the next request, or null when the client closed the connection between requests} */
    private static Request read(InputStream in) throws IOException {
        String line = line(in);
        if (line == null) {
            return null;
        }
        String[] parts = line.split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h; (h = line(in)) != null && !h.isEmpty(); ) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("the request body ended early");
        }
        return new Request(parts[0], parts[1], headers, body);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                return null;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
