package dev.parley.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on 127.0.0.1 that speaks raw bytes on a plain socket, for what a well-behaved HTTP
 * server cannot send: a broken status line, endless headers, a body that never ends, a stall at
 * any phase. Each connection reads one request's head and body, then runs the {@link Behaviour}.
 *
 * <p>It counts the connections it accepted and the ones still open (a connection is open until
 * the behaviour returns and the socket is closed), so a test can check that the client hung up
 * on every connection it gave up on. Thread-safe; {@link #close()} closes every socket.
 */
public final class HostileServer implements AutoCloseable {

    /** What the server does with a connection once it has read a request. */
    @FunctionalInterface
    public interface Behaviour {
        /**
         * Answers (or not).
         *
         * @param in  the rest of the connection's input, for noticing the client leave
         * @param out the connection's output
         * @throws IOException when the client has gone
         * @throws InterruptedException when the server closes
         */
        void serve(InputStream in, OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket socket;
    private final Behaviour behaviour;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    private HostileServer(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("hostile-server-accept").start(this::acceptLoop);
    }

    /**
     * {@return a started server}
     *
     * @param behaviour what to do with each connection
     */
    public static HostileServer start(Behaviour behaviour) {
        try {
            return new HostileServer(behaviour);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return http://127.0.0.1:PORT} */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    /** {@return how many connections were accepted} */
    public int accepted() {
        return accepted.get();
    }

    /** {@return how many connections are still open} */
    public int open() {
        return open.size();
    }

    /**
     * Waits until every connection is closed.
     *
     * @param max how long to wait at most
     * @return whether they all closed in time
     * @throws InterruptedException if interrupted
     */
    public boolean awaitAllClosed(Duration max) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!open.isEmpty()) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            Thread.sleep(10);      // polling for a state that must come, with a deadline
        }
        return true;
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            open.add(s);
            Thread.ofVirtual().start(() -> handle(s));
        }
    }

    private void handle(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            if (readRequest(in)) {
                OutputStream out = s.getOutputStream();
                behaviour.serve(in, out);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the client left, or the server closes: either way this connection is done
        } finally {
            open.remove(s);
        }
    }

    /** Reads a request head and its Content-Length body; false if the client left first. */
    private static boolean readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return false;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
        long length = 0;
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                length = Long.parseLong(line.substring(colon + 1).trim());
            }
        }
        in.skipNBytes(length);
        return true;
    }

    /**
     * Reads until the client closes its side, or the server closes.
     *
     * @param in the connection's input
     * @throws IOException when the connection breaks
     */
    public static void awaitClientClose(InputStream in) throws IOException {
        while (in.read() >= 0) {
            // discard whatever the client still sends
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            acceptor.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
