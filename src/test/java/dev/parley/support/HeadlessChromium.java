package dev.parley.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;

import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/**
 * A real Chromium, headless, driven over the DevTools protocol with the JDK's own WebSocket
 * client: no driver, no dependency. It runs with a new profile in a temporary directory,
 * without network services of its own (no sync, no component updates, no background
 * networking), and {@link #close()} ends it, every child process included, and deletes the
 * profile.
 *
 * {@snippet :
 * try (HeadlessChromium chromium = HeadlessChromium.start(binary)) {
 *     HeadlessChromium.Page page = chromium.page();
 *     page.navigate(uri);
 *     JsonValue v = page.evaluate("document.title");
 * }
 * }
 */
public final class HeadlessChromium implements AutoCloseable {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final Path profile;
    private final int port;
    private final HttpClient http;
    private Page page;

    private HeadlessChromium(Process process, Path profile, int port, HttpClient http) {
        this.process = process;
        this.profile = profile;
        this.port = port;
        this.http = http;
    }

    /** {@return the Chromium executable of the OS packages, if installed} */
    public static Optional<Path> find() {
        return Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser")
                .map(Path::of).filter(Files::isExecutable).findFirst();
    }

    /**
     * Starts Chromium and waits until its DevTools endpoint answers.
     *
     * @param binary the executable
     * @param width  the window's width in CSS pixels
     * @param height its height
     * @return the running browser; close it
     * @throws IOException if it cannot be started or does not come up within 30 seconds
     */
    public static HeadlessChromium start(Path binary, int width, int height) throws IOException {
        Path profile = Files.createTempDirectory("parley-chromium-");
        Path log = profile.resolveSibling(profile.getFileName() + ".log");
        Process p = new ProcessBuilder(binary.toString(),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--disable-breakpad", "--no-proxy-server",
                "--disable-dev-shm-usage", // containers often have a small /dev/shm; use /tmp instead
                "--window-size=" + width + "," + height, "--user-data-dir=" + profile, "--remote-debugging-port=0",
                "about:blank")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).proxy(HttpClient.Builder.NO_PROXY).build();
        HeadlessChromium chromium = new HeadlessChromium(p, profile, 0, http);
        try {
            int port = waitForPort(p, profile.resolve("DevToolsActivePort"), log);
            chromium = new HeadlessChromium(p, profile, port, http);
            return chromium;
        } catch (IOException | RuntimeException e) {
            chromium.close();
            throw e;
        }
    }

    private static int waitForPort(Process p, Path file, Path log) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("chromium exited with " + p.exitValue() + ": " + tail(log));
            }
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (lines.size() >= 2) { // the file is written whole, but may be read mid-write
                    return Integer.parseInt(lines.get(0).strip());
                }
            }
            pause(50);
        }
        throw new IOException("chromium did not open its DevTools port within 30 s: " + tail(log));
    }

    /** {@return the last lines Chromium wrote, for failure messages} */
    public String log() {
        return tail(profile.resolveSibling(profile.getFileName() + ".log"));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * {@return the browser's first tab, connected}
     *
     * @throws IOException if DevTools does not list it
     */
    public Page page() throws IOException {
        if (page != null) {
            return page;
        }
        HttpResponse<String> list;
        try {
            list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                    .timeout(CALL_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        for (JsonValue v : ((JsonArray) Json.parse(list.body())).values()) {
            JsonObject target = (JsonObject) v;
            if (target.string("type").equals("page")) {
                page = new Page(http, URI.create(target.string("webSocketDebuggerUrl")));
                return page;
            }
        }
        throw new IOException("chromium lists no page: " + list.body());
    }

    /** Ends Chromium and its child processes, and deletes its profile. */
    @Override
    public void close() {
        if (page != null) {
            page.close();
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle c : children) {
            c.onExit().completeOnTimeout(c, 5, TimeUnit.SECONDS).join();
        }
        delete(profile);
        try {
            Files.deleteIfExists(profile.resolveSibling(profile.getFileName() + ".log"));
        } catch (IOException ignored) {
            // a temporary file; the OS cleans its temp directory
        }
    }

    private static void delete(Path dir) {
        for (int attempt = 0; attempt < 3 && Files.exists(dir); attempt++) {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // a file appeared or vanished while walking: walk again
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // polling a file or a page with a deadline
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One tab, over its DevTools WebSocket: commands with answers, and the events it sent. */
    public static final class Page implements WebSocket.Listener {

        private final WebSocket socket;
        private final AtomicLong ids = new AtomicLong();
        private final Map<Long, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
        private final List<JsonObject> events = new CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();

        private Page(HttpClient http, URI ws) throws IOException {
            try {
                this.socket = http.newWebSocketBuilder().connectTimeout(CALL_TIMEOUT).buildAsync(ws, this)
                        .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException("could not connect to " + ws + ": " + e, e);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonObject message = (JsonObject) Json.parse(partial.toString());
                partial.setLength(0);
                if (message.has("id")) {
                    CompletableFuture<JsonObject> f = pending.remove(message.longValue("id"));
                    if (f != null) {
                        f.complete(message);
                    }
                } else {
                    events.add(message);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            pending.values().forEach(f -> f.completeExceptionally(error));
        }

        /**
         * Sends a command and waits for its result.
         *
         * @param method such as {@code Page.navigate}
         * @param params its parameters
         * @return the {@code result} object
         * @throws IllegalStateException if it fails or takes more than 20 seconds
         */
        public JsonObject call(String method, JsonObject params) {
            long id = ids.incrementAndGet();
            CompletableFuture<JsonObject> answer = new CompletableFuture<>();
            pending.put(id, answer);
            String message = Json.write(JsonObject.newBuilder().put("id", id).put("method", method)
                    .put("params", params).build());
            try {
                socket.sendText(message, true).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                JsonObject m = answer.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                if (m.has("error")) {
                    throw new IllegalStateException(method + " failed: " + m.get("error").orElseThrow());
                }
                return m.object("result");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException(method + " got no answer: " + e, e);
            } finally {
                pending.remove(id);
            }
        }

        /** Loads {@code uri} in this tab; returns once the browser has started loading it. */
        public void navigate(URI uri) {
            call("Page.enable", JsonObject.of());
            call("Runtime.enable", JsonObject.of());
            call("Log.enable", JsonObject.of());
            JsonObject r = call("Page.navigate", JsonObject.of("url", dev.parley.json.JsonString.of(uri.toString())));
            if (r.has("errorText")) {
                throw new IllegalStateException("navigating to " + uri + " failed: " + r.string("errorText"));
            }
        }

        /**
         * {@return the value of a JavaScript expression in the page} (by value: JSON-like)
         *
         * @throws IllegalStateException if it throws
         */
        public JsonValue evaluate(String expression) {
            JsonObject r = call("Runtime.evaluate", JsonObject.newBuilder().put("expression", expression)
                    .put("returnByValue", true).build());
            if (r.has("exceptionDetails")) {
                throw new IllegalStateException("the page threw: " + r.get("exceptionDetails").orElseThrow());
            }
            return r.object("result").get("value").orElse(dev.parley.json.JsonNull.INSTANCE);
        }

        /**
         * Evaluates {@code expression} (which must give a JSON string) until {@code until} holds.
         *
         * @return the last value, which satisfied {@code until}
         * @throws AssertionError naming the last value if it does not before the deadline
         */
        public JsonObject poll(String expression, Predicate<JsonObject> until, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            JsonObject last = null;
            while (true) {
                JsonValue v = evaluate(expression);
                last = v instanceof dev.parley.json.JsonString s ? (JsonObject) Json.parse(s.value()) : null;
                if (last != null && until.test(last)) {
                    return last;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the page did not show what was expected within " + timeout + "; last: "
                            + last + "; events: " + events);
                }
                pause(100);
            }
        }

        /**
         * Saves a PNG screenshot of the whole page.
         *
         * @param file where to write it
         * @throws IOException if it cannot be written
         */
        public void screenshot(Path file) throws IOException {
            JsonObject r = call("Page.captureScreenshot", JsonObject.newBuilder().put("format", "png")
                    .put("captureBeyondViewport", true).build());
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, Base64.getDecoder().decode(r.string("data")));
        }

        /** {@return the events the page sent so far: console messages, exceptions, log entries} */
        public List<JsonObject> events() {
            return List.copyOf(events);
        }

        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(2, TimeUnit.SECONDS)
                    .exceptionally(t -> null).join();
            socket.abort();
        }
    }
}
