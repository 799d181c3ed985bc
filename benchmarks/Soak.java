import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.parley.Llm;
import dev.parley.gateway.Gateway;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;
import dev.parley.retry.RetryPolicy;
import dev.parley.timeout.TimeoutPolicy;
import dev.parley.testing.FakeLlmServer;
import dev.parley.testing.Fault;

/**
 * A soak run: mixed traffic through {@code parley serve}'s gateway for N minutes while a fake
 * upstream injects random faults, checking every answer against the one it must be.
 *
 * <pre>
 * mvn -q -DskipTests package
 * java -cp target/parley.jar benchmarks/Soak.java [--minutes 10] [--clients 32] [--seed 1]
 * </pre>
 *
 * <p>Everything runs in this one JVM, on 127.0.0.1: a {@link FakeLlmServer} (OpenAI wire format)
 * that echoes "You said: PROMPT", a {@link Gateway} in front of it with retries and timeouts, and
 * {@code --clients} virtual threads sending chats (plain and streamed, each with a unique prompt)
 * and embeddings through the gateway with the JDK's {@code HttpClient}. A fault injector enqueues
 * one random upstream fault every {@code --fault-ms} (default 100; 429, 500, 503, reset, stall, a stream cut or
 * truncated after some frames, a trickling body); a tenth of the streaming clients hang up
 * mid-stream on purpose.
 *
 * <p>Every answer is checked: a complete answer (plain, or a stream that ended with
 * {@code [DONE]}) must be exactly "You said: PROMPT"; a stream that ended with an error event
 * must have delivered a prefix of it. Anything else is counted as a lost or duplicated chunk.
 * Every {@code --sample-s} it prints the counts, the heap in use after a GC, the live threads and
 * the open file descriptors, so that a leak shows as a slope. Exits 1 if any answer was wrong or
 * a client hung past its deadline.
 */
public final class Soak {

    record Options(Duration length, int clients, long seed, Duration faultEvery, Duration sampleEvery) {
        static Options parse(String[] args) {
            Map<String, String> m = new TreeMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
                }
                m.put(args[i].substring(2), args[i + 1]);
            }
            return new Options(Duration.ofSeconds(Math.round(Double.parseDouble(m.getOrDefault("minutes", "10")) * 60)),
                    Integer.parseInt(m.getOrDefault("clients", "32")),
                    Long.parseLong(m.getOrDefault("seed", "1")),
                    Duration.ofMillis(Long.parseLong(m.getOrDefault("fault-ms", "100"))),
                    Duration.ofSeconds(Long.parseLong(m.getOrDefault("sample-s", "30"))));
        }
    }

    /** What happened to one request. */
    enum Outcome { OK, HTTP_ERROR, STREAM_ERROR, CLIENT_HANGUP, IO_ERROR, WRONG_ANSWER, TIMEOUT }

    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final LongAdder chunks = new LongAdder();
    private final LongAdder wrong = new LongAdder();
    private final AtomicLong requests = new AtomicLong();
    private final List<String> firstWrong = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        new Soak().run(o);
    }

    void run(Options o) throws Exception {
        try (FakeLlmServer upstream = FakeLlmServer.newBuilder().streamChunks(8).embeddingDimensions(64).build().start()) {
            Llm llm = Llm.newBuilder()
                    .provider("openai-compatible")
                    .settings(Map.of("OPENAI_BASE_URL", upstream.uri("/v1").toString(), "OPENAI_API_KEY", "soak-key"))
                    .defaultModel("soak-model")
                    .embeddingModel("soak-embed")
                    .retry(RetryPolicy.newBuilder().maxAttempts(3).baseDelay(Duration.ofMillis(50))
                            .maxRetryAfter(Duration.ofSeconds(1)).build())
                    .timeouts(TimeoutPolicy.newBuilder().attemptTimeout(Duration.ofSeconds(3))
                            .firstChunkTimeout(Duration.ofSeconds(2)).idleTimeout(Duration.ofSeconds(2)).build())
                    .timeout(Duration.ofSeconds(10))
                    .build();
            try (Gateway gateway = Gateway.newBuilder().host("127.0.0.1").port(0).defaultRoute(llm).build().start()) {
                soak(o, upstream, gateway.uri());
            }
        }
    }

    private void soak(Options o, FakeLlmServer upstream, URI gateway) throws Exception {
        System.out.printf("Soak: %d clients for %s through %s, a fault every %d ms, seed %d, %s %s, %d cores%n",
                o.clients(), o.length(), gateway, o.faultEvery().toMillis(), o.seed(),
                System.getProperty("java.vm.name"), Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.println();
        System.out.println("| time | requests | ok | http errors | stream errors | hang-ups | i/o errors | timeouts | wrong | chunks | heap MiB | threads | fds |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        Instant started = Instant.now();
        Instant end = started.plus(o.length());
        AtomicBoolean running = new AtomicBoolean(true);
        // The clients' own HttpClient runs on virtual threads, so that the platform threads counted
        // below are Parley's and the JVM's (a default client grows a pool of its own).
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        Thread injector = Thread.ofVirtual().start(() -> injectFaults(o, upstream, running));
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < o.clients(); c++) {
                long seed = o.seed() * 1_000_003L + c;
                clients.submit(() -> clientLoop(client, gateway, new SplittableRandom(seed), running));
            }
            sample(started);
            while (Instant.now().isBefore(end)) {
                Thread.sleep(Math.min(o.sampleEvery().toMillis(), Math.max(1, Duration.between(Instant.now(), end).toMillis())));
                sample(started);
            }
            running.set(false);
            clients.shutdown();
            if (!clients.awaitTermination(30, TimeUnit.SECONDS)) {
                System.out.println("clients still running 30 s after the end: a hang");
                count(Outcome.TIMEOUT);
                clients.shutdownNow();
            }
        }
        injector.join();
        upstream.clearFaults();
        sample(started);
        System.out.println();
        System.out.println("outcomes: " + new TreeMap<>(outcomes));
        if (!firstWrong.isEmpty()) {
            System.out.println("first wrong answers: " + firstWrong);
        }
        long bad = wrong.sum() + outcomes.getOrDefault(Outcome.TIMEOUT.name(), new LongAdder()).sum();
        System.out.println(bad == 0 ? "PASS: 0 lost or duplicated chunks, no hang" : "FAIL: " + bad + " wrong answers or hangs");
        System.exit(bad == 0 ? 0 : 1);
    }

    private void injectFaults(Options o, FakeLlmServer upstream, AtomicBoolean running) {
        SplittableRandom r = new SplittableRandom(o.seed());
        while (running.get()) {
            if (upstream.pendingFaults() < 4) {
                upstream.enqueue(switch (r.nextInt(8)) {
                    case 0 -> Fault.rateLimited(Duration.ofMillis(100));
                    case 1 -> Fault.status(500);
                    case 2 -> Fault.status(503);
                    case 3 -> Fault.resetBeforeHeaders();
                    case 4 -> Fault.stall(Duration.ofSeconds(5));
                    case 5 -> Fault.cutAfter(r.nextInt(6));
                    case 6 -> Fault.truncateAfter(r.nextInt(6));
                    default -> Fault.trickle(16, Duration.ofMillis(5));
                });
            }
            try {
                Thread.sleep(o.faultEvery());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void clientLoop(HttpClient client, URI gateway, SplittableRandom r, AtomicBoolean running) {
        while (running.get()) {
            long n = requests.incrementAndGet();
            String prompt = "soak request " + n + " " + Long.toHexString(r.nextLong());
            int kind = r.nextInt(10);
            try {
                if (kind < 5) {
                    stream(client, gateway, prompt, r.nextInt(10) == 0);
                } else if (kind < 9) {
                    chat(client, gateway, prompt);
                } else {
                    embed(client, gateway, prompt);
                }
            } catch (IOException e) {
                count(Outcome.IO_ERROR);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                wrong(prompt, e.toString());
            }
        }
    }

    private HttpRequest.Builder post(URI gateway, String path, String body) {
        return HttpRequest.newBuilder(gateway.resolve(path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static String chatBody(String prompt, boolean stream) {
        JsonObject message = JsonObject.newBuilder().put("role", "user").put("content", prompt).build();
        return Json.write(JsonObject.newBuilder()
                .put("model", "soak-model")
                .put("stream", stream)
                .put("messages", JsonArray.of(message))
                .build());
    }

    private void chat(HttpClient client, URI gateway, String prompt) throws IOException, InterruptedException {
        HttpResponse<String> res = send(client, post(gateway, "/v1/chat/completions", chatBody(prompt, false)).build());
        if (res == null) {
            return;
        }
        if (res.statusCode() != 200) {
            count(Outcome.HTTP_ERROR);
            return;
        }
        JsonObject answer = (JsonObject) Json.parse(res.body());
        check(prompt, answer.array("choices").object(0).object("message").string("content"), true);
    }

    private void embed(HttpClient client, URI gateway, String prompt) throws IOException, InterruptedException {
        String body = Json.write(JsonObject.newBuilder().put("model", "soak-embed").put("input", prompt).build());
        HttpResponse<String> res = send(client, post(gateway, "/v1/embeddings", body).build());
        if (res == null) {
            return;
        }
        if (res.statusCode() != 200) {
            count(Outcome.HTTP_ERROR);
            return;
        }
        JsonObject o = (JsonObject) Json.parse(res.body());
        if (o.array("data").size() != 1) {
            wrong(prompt, "embeddings: " + o.array("data").size() + " vectors for one input");
        } else {
            count(Outcome.OK);
        }
    }

    private HttpResponse<String> send(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException e) {
            count(Outcome.TIMEOUT);
            return null;
        }
    }

    private void stream(HttpClient client, URI gateway, String prompt, boolean hangUp) throws IOException, InterruptedException {
        HttpResponse<InputStream> res;
        try {
            res = client.send(post(gateway, "/v1/chat/completions", chatBody(prompt, true)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.net.http.HttpTimeoutException e) {
            count(Outcome.TIMEOUT);
            return;
        }
        try (InputStream body = res.body();
             BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            if (res.statusCode() != 200) {
                count(Outcome.HTTP_ERROR);
                return;
            }
            StringBuilder text = new StringBuilder();
            int seen = 0;
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("data: ")) {
                    continue;
                }
                String data = line.substring(6);
                if (data.equals("[DONE]")) {
                    check(prompt, text.toString(), true);
                    return;
                }
                JsonObject event = (JsonObject) Json.parse(data);
                if (event.has("error")) {
                    check(prompt, text.toString(), false);
                    count(Outcome.STREAM_ERROR);
                    return;
                }
                JsonArray choices = event.array("choices");
                JsonValue delta = choices.isEmpty() ? null
                        : choices.object(0).optObject("delta").flatMap(d -> d.get("content")).orElse(null);
                if (delta instanceof JsonString s) {
                    text.append(s.value());
                    chunks.increment();
                    if (hangUp && ++seen == 2) {
                        count(Outcome.CLIENT_HANGUP);
                        return;       // closing the body mid-stream hangs up on the gateway
                    }
                }
            }
            check(prompt, text.toString(), false);
            count(Outcome.IO_ERROR);     // the body ended without [DONE] or an error event
        }
    }

    private void check(String prompt, String text, boolean complete) {
        String expected = "You said: " + prompt;
        if (complete ? text.equals(expected) : expected.startsWith(text)) {
            if (complete) {
                count(Outcome.OK);
            }
        } else {
            wrong(prompt, (complete ? "complete answer " : "partial answer ") + text);
        }
    }

    private void wrong(String prompt, String what) {
        wrong.increment();
        count(Outcome.WRONG_ANSWER);
        synchronized (firstWrong) {
            if (firstWrong.size() < 5) {
                firstWrong.add(prompt + " -> " + what);
            }
        }
    }

    private void count(Outcome o) {
        outcomes.computeIfAbsent(o.name(), k -> new LongAdder()).increment();
    }

    private long n(Outcome o) {
        LongAdder a = outcomes.get(o.name());
        return a == null ? 0 : a.sum();
    }

    private void sample(Instant started) {
        System.gc();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long fds = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            fds = unix.getOpenFileDescriptorCount();
        }
        Duration t = Duration.between(started, Instant.now());
        System.out.printf("| %d:%02d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %.1f | %d | %d |%n",
                t.toMinutes(), t.toSecondsPart(), requests.get(), n(Outcome.OK), n(Outcome.HTTP_ERROR),
                n(Outcome.STREAM_ERROR), n(Outcome.CLIENT_HANGUP), n(Outcome.IO_ERROR), n(Outcome.TIMEOUT),
                wrong.sum(), chunks.sum(), memory.getHeapMemoryUsage().getUsed() / 1048576.0,
                threads.getThreadCount(), fds);
    }
}
