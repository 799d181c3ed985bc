package dev.parley.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.parley.json.Json;
import dev.parley.json.JsonObject;

/**
 * An OpenAI-style upstream on 127.0.0.1 that answers every chat completion with
 * "from NAME" (or fails with the status it is {@linkplain #answerWith told}), records each
 * request's model and {@code Authorization} header, and can hold the
 * requests until {@link #open()}: for tests of which client served a request while the routes
 * were reloaded. Close it.
 */
final class GatedUpstream implements AutoCloseable {

    /** A request as received. @param model its model @param authorization its Authorization header */
    record Seen(String model, String authorization) {
    }

    private final String name;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private boolean closed;
    private volatile CountDownLatch gate = new CountDownLatch(0);
    /** Released when a request has arrived (counted down once per request). */
    volatile CountDownLatch arrived = new CountDownLatch(1);
    /** The status requests are answered with; other than 200, with an OpenAI-style error body. */
    private volatile int status = 200;

    GatedUpstream(String name) {
        this.name = name;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@return the base URL an OpenAI client takes: http://127.0.0.1:PORT/v1} */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Holds the requests that arrive from now on until {@link #open()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    /** Lets held requests, and those after them, through. */
    void open() {
        gate.countDown();
    }

    /** Answers the requests that arrive from now on with {@code status} (200: the usual answer). */
    void answerWith(int status) {
        this.status = status;
    }

    /** {@return the requests received so far} */
    List<Seen> seen() {
        return List.copyOf(seen);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String model = "";
            if (body.length > 0 && Json.parse(new String(body, StandardCharsets.UTF_8)) instanceof JsonObject o) {
                model = o.optString("model").orElse("");
            }
            seen.add(new Seen(model, ex.getRequestHeaders().getFirst("Authorization")));
            arrived.countDown();
            try {
                if (!gate.await(30, TimeUnit.SECONDS)) {
                    throw new IOException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            int code = status;
            if (code != 200) {
                byte[] error = ("{\"error\":{\"message\":\"" + name + " is failing\",\"type\":\"server_error\"}}")
                        .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(code, error.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(error);
                }
                return;
            }
            byte[] answer = ("{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + model + "\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"from " + name + "\"},"
                    + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, answer.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    @Override
    public synchronized void close() {
        open();
        if (!closed) {
            closed = true;
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
