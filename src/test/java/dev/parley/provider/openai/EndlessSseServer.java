package dev.parley.provider.openai;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

/**
 * A loopback server that answers every request with an SSE stream that never ends by itself
 * (it gives up after 30 seconds), repeating one event, and counts down {@link #disconnected}
 * when a write fails because the client went away. Thread-safe; close it after use.
 */
final class EndlessSseServer implements AutoCloseable {

    /** Counted down when the client closes the connection while the server is writing. */
    final CountDownLatch disconnected = new CountDownLatch(1);
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    /** Starts a server that repeats {@code data: <event>} forever. */
    EndlessSseServer(String event) {
        byte[] frame = ("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("content-type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            try (OutputStream out = exchange.getResponseBody()) {
                while (System.nanoTime() < deadline) {
                    out.write(frame);
                    out.flush();
                }
            } catch (IOException clientWentAway) {
                disconnected.countDown();
            }
        });
        server.start();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
