package dev.parley.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A fake provider on 127.0.0.1 for tests: answers each path with a canned response (a fixture
 * replayed byte for byte, or any bytes), and records every request it receives.
 *
 * {@snippet :
 * try (ReplayServer server = ReplayServer.start()) {
 *     server.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_basic"));
 *     ... call server.uri("/v1") ...
 *     RecordedRequest r = server.takeRequest();
 * }
 * }
 *
 * <p>Thread-safe. {@link #close()} stops the server and its threads.
 */
public final class ReplayServer implements AutoCloseable {

    /** A request the server received. */
    public record RecordedRequest(String method, String path, String query, Headers headers, byte[] body) {
        /** {@return the body as UTF-8 text} */
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** {@return the first value of a header, or null} */
        public String header(String name) {
            return headers.getFirst(name);
        }
    }

    /** How the body is written. */
    public enum Pace {
        /** All at once with a Content-Length. */
        WHOLE,
        /** Chunked, one byte per write, flushed each time. */
        ONE_BYTE_PER_WRITE
    }

    /**
     * A canned response.
     *
     * @param status  the HTTP status
     * @param headers response headers
     * @param body    the body bytes
     * @param pace    how to write the body
     */
    public record Reply(int status, Map<String, String> headers, byte[] body, Pace pace) {

        /** {@return a reply with the fixture {@code name} (e.g. "openai/chat_basic"): its headers file if present, else 200} */
        public static Reply fixture(String name) {
            String[] bodies = {".response.json", ".response.sse", ".response.ndjson"};
            byte[] body = null;
            String contentType = "application/json";
            for (String suffix : bodies) {
                byte[] b = Fixtures.bytesOrNull(name + suffix);
                if (b != null) {
                    body = b;
                    contentType = suffix.endsWith("sse") ? "text/event-stream"
                            : suffix.endsWith("ndjson") ? "application/x-ndjson" : "application/json";
                    break;
                }
            }
            if (body == null) {
                throw new IllegalArgumentException("no response fixture named " + name);
            }
            int status = 200;
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("content-type", contentType);
            byte[] head = Fixtures.bytesOrNull(name + ".headers.txt");
            if (head != null) {
                String[] lines = new String(head, StandardCharsets.UTF_8).split("\n");
                status = Integer.parseInt(lines[0].trim().split(" ")[1]);
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    if (colon > 0) {
                        String n = lines[i].substring(0, colon).trim();
                        if (!n.equalsIgnoreCase("content-length")) {
                            headers.put(n.toLowerCase(), lines[i].substring(colon + 1).trim());
                        }
                    }
                }
            }
            return new Reply(status, headers, body, Pace.WHOLE);
        }

        /** {@return a JSON reply} */
        public static Reply json(int status, String json) {
            return new Reply(status, Map.of("content-type", "application/json"), json.getBytes(StandardCharsets.UTF_8), Pace.WHOLE);
        }

        /** {@return a reply with the given content type} */
        public static Reply of(int status, String contentType, String body) {
            return new Reply(status, Map.of("content-type", contentType), body.getBytes(StandardCharsets.UTF_8), Pace.WHOLE);
        }

        /** {@return this reply with another status} */
        public Reply withStatus(int status) {
            return new Reply(status, headers, body, pace);
        }

        /** {@return this reply with one more header} */
        public Reply withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(status, h, body, pace);
        }

        /** {@return this reply written at another pace} */
        public Reply paced(Pace pace) {
            return new Reply(status, headers, body, pace);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, List<Reply>> routes = new ConcurrentHashMap<>();
    private final BlockingQueue<RecordedRequest> requests = new LinkedBlockingQueue<>();

    private ReplayServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** {@return a started server on 127.0.0.1 and a free port} */
    public static ReplayServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            server.setExecutor(executor);
            ReplayServer replay = new ReplayServer(server, executor);
            server.createContext("/", replay::handle);
            server.start();
            return replay;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers {@code method path} with {@code replies} in turn; the last one repeats. @return this server */
    public ReplayServer on(String method, String path, Reply... replies) {
        routes.put(method + " " + path, new ArrayList<>(List.of(replies)));
        return this;
    }

    /** {@return the URI of {@code path} on this server} */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** {@return the next recorded request, waiting up to 5 seconds} @throws AssertionError if none came */
    public RecordedRequest takeRequest() {
        try {
            RecordedRequest r = requests.poll(5, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("the server received no request within 5 seconds");
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@return how many requests are recorded and not yet taken} */
    public int pendingRequests() {
        return requests.size();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            URI uri = exchange.getRequestURI();
            requests.add(new RecordedRequest(exchange.getRequestMethod(), uri.getPath(), uri.getRawQuery(),
                    exchange.getRequestHeaders(), body));
            List<Reply> replies = routes.get(exchange.getRequestMethod() + " " + uri.getPath());
            Reply reply;
            if (replies == null) {
                reply = Reply.json(404, "{\"error\":{\"message\":\"no route for " + uri.getPath() + "\"}}");
            } else {
                synchronized (replies) {
                    reply = replies.size() > 1 ? replies.remove(0) : replies.get(0);
                }
            }
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            if (reply.pace() == Pace.WHOLE) {
                exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(reply.body());
                }
            } else {
                exchange.sendResponseHeaders(reply.status(), 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    for (byte b : reply.body()) {
                        out.write(b);
                        out.flush();
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

}
