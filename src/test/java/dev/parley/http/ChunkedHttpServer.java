package dev.parley.http;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A minimal HTTP/1.1 server on the loopback interface for end-to-end tests: it answers every
 * request with a {@code Transfer-Encoding: chunked} body produced by a handler, which controls
 * exactly where chunk boundaries fall (down to one byte per chunk, flushed each time).
 *
 * <p>It exists because {@code com.sun.net.httpserver} is not readable from the {@code dev.parley}
 * module that the tests are patched into (module-info requires only {@code java.net.http}). Only
 * {@code java.net} sockets are used.
 *
 * <p>Thread-safe; {@link #close()} stops the acceptor and every connection and waits for their
 * threads.
 */
final class ChunkedHttpServer implements AutoCloseable {

    /** Writes the body of one response. */
    @FunctionalInterface
    interface Handler {
        /**
         * Writes a response body. Returning normally ends the body properly; throwing
         * {@link AbortConnection} closes the connection without the final chunk.
         */
        void respond(ChunkedBody body) throws IOException;
    }

    /** Thrown by a handler to drop the connection mid-body, as a crashed server would. */
    static final class AbortConnection extends IOException {
        AbortConnection() {
            super("handler aborted the connection");
        }
    }

    /** A chunked response body. Not thread-safe: used by the handler's thread only. */
    static final class ChunkedBody {
        private final OutputStream out;

        ChunkedBody(OutputStream out) {
            this.out = out;
        }

        /** Writes {@code bytes} as one chunk and flushes. */
        void chunk(byte[] bytes) throws IOException {
            if (bytes.length == 0) {
                return; // a zero-length chunk would end the body
            }
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        void chunk(String text) throws IOException {
            chunk(text.getBytes(StandardCharsets.UTF_8));
        }

        /** Writes every byte of {@code text} as its own chunk, flushing after each. */
        void oneBytePerChunk(String text) throws IOException {
            for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
                chunk(new byte[] {b});
            }
        }
    }

    private final String contentType;
    private final Handler handler;
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final List<Thread> workers = new CopyOnWriteArrayList<>();
    /** Exceptions thrown by handlers (including the IOException of a closed connection). */
    final List<Throwable> handlerErrors = new CopyOnWriteArrayList<>();

    ChunkedHttpServer(String contentType, Handler handler) throws IOException {
        this.contentType = contentType;
        this.handler = handler;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.acceptor = Thread.ofPlatform().name("test-http-acceptor").daemon().start(this::accept);
    }

    URI uri(String path) {
        return URI.create("http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":"
                + server.getLocalPort() + path);
    }

    private void accept() {
        try {
            while (!server.isClosed()) {
                Socket socket = server.accept();
                connections.add(socket);
                workers.add(Thread.ofPlatform().name("test-http-connection").daemon()
                        .start(() -> serve(socket)));
            }
        } catch (IOException closed) {
            // close() closed the server socket.
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            readRequestHead(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            out.write(("HTTP/1.1 200 OK\r\n"
                    + "Content-Type: " + contentType + "\r\n"
                    + "Transfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            handler.respond(new ChunkedBody(out));
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (AbortConnection abort) {
            // Closing the socket (try-with-resources) without the final chunk is the point.
        } catch (Throwable t) {
            handlerErrors.add(t);
        }
    }

    /** Reads up to the blank line that ends the request head; GET requests have no body. */
    private static void readRequestHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new SocketException("client closed before sending a request");
            }
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
        for (Socket s : connections) {
            s.close();
        }
        acceptor.join(TimeUnit.SECONDS.toMillis(5));
        for (Thread t : workers) {
            t.join(TimeUnit.SECONDS.toMillis(5));
        }
    }
}
