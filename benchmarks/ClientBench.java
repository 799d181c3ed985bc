import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.Llm;
import dev.parley.Message;
import dev.parley.MetricsSnapshot;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderFactory;

/**
 * One measured run of one client against a running fake provider: Parley through its
 * {@code Llm} facade (default policies: retries, per-attempt timeouts, cost tracking), or a
 * hand-written minimal {@code java.net.http} client ("raw") that builds the JSON body as a
 * String and extracts the answer with {@code indexOf}. Prints one {@code RESULT key=value ...}
 * line; {@code RunAll.java} runs this in fresh JVMs, interleaving the two clients.
 *
 * <pre>
 *   java -cp target/parley.jar benchmarks/ClientBench.java --scenario chat --client parley \
 *        --url http://127.0.0.1:8099 --n 5000 --concurrency 1 --warmup 2000
 * </pre>
 *
 * Scenarios: {@code chat} (n chats from {@code concurrency} virtual threads), {@code stream}
 * ({@code concurrency} streams at once, {@code rounds} times, each expecting {@code chunks}
 * content chunks), {@code embed} (n sequential embedding requests, {@code --encoding base64|float}).
 */
public class ClientBench {

    static final String PROMPT = "Summarise the plot of Hamlet in three sentences, for a reader who has"
            + " never seen the play, and mention \"Elsinore\" once.";
    static final String EMBED_TEXT = "The quick brown fox jumps over the lazy dog, again and again, for embeddings.";

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        String scenario = o.getOrDefault("scenario", "chat");
        String client = o.getOrDefault("client", "parley");
        String url = o.get("url");
        int n = Integer.parseInt(o.getOrDefault("n", "1000"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "500"));
        int concurrency = Integer.parseInt(o.getOrDefault("concurrency", "1"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "1"));
        int chunks = Integer.parseInt(o.getOrDefault("chunks", "100"));
        int expectedLength = Integer.parseInt(o.getOrDefault("expect-length", "-1"));
        String encoding = o.getOrDefault("encoding", "float");
        int dims = Integer.parseInt(o.getOrDefault("dims", "1536"));
        int port = URI.create(url).getPort();

        Set<Integer> before = Tcp.clientPorts(port);
        // --http vt|default: the HttpClient's executor (raw: default; Parley: its shared client, vt)
        String http = o.getOrDefault("http", "");
        Client c = switch (client) {
            case "raw" -> new Raw(url, encoding, http);
            case "parley-bare" -> new Bare(url, encoding);
            default -> new Parley(url, encoding, http.equals("default"));
        };
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("scenario", scenario);
        out.put("client", client);
        switch (scenario) {
            case "chat" -> chat(c, n, warmup, concurrency, expectedLength, out);
            case "stream" -> stream(c, warmup, concurrency, rounds, chunks, out);
            case "embed" -> embed(c, n, warmup, dims, out);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
        Set<Integer> after = Tcp.clientPorts(port);
        after.removeAll(before);
        out.put("connections", after.size());
        out.put("rssPeakMb", Proc.hwmKb() / 1024.0);
        out.put("retries", c.retries());
        StringBuilder sb = new StringBuilder("RESULT");
        out.forEach((k, v) -> sb.append(' ').append(k).append('=').append(
                v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : v));
        System.out.println(sb);
        System.exit(0); // the HttpClient's selector thread would otherwise keep the JVM briefly
    }

    // ---- scenarios

    /** n chats from {@code concurrency} virtual threads (1: the main thread, sequential). */
    static void chat(Client c, int n, int warmup, int concurrency, int expectedLength, Map<String, Object> out)
            throws Exception {
        runChats(c, warmup, concurrency, expectedLength, new long[warmup]);
        Meter m = Meter.start();
        long[] lat = new long[n];
        long t0 = System.nanoTime();
        int errors = runChats(c, n, concurrency, expectedLength, lat);
        long wall = System.nanoTime() - t0;
        m.stop(n, out);
        Arrays.sort(lat);
        out.put("n", n);
        out.put("concurrency", concurrency);
        out.put("errors", errors);
        out.put("reqPerSec", n / (wall / 1e9));
        out.put("p50us", lat[(int) (n * 0.50)] / 1e3);
        out.put("p99us", lat[Math.min(n - 1, (int) (n * 0.99))] / 1e3);
        out.put("maxUs", lat[n - 1] / 1e3);
    }

    static int runChats(Client c, int n, int concurrency, int expectedLength, long[] lat) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        Runnable worker = () -> {
            for (int i; (i = next.getAndIncrement()) < n; ) {
                long s = System.nanoTime();
                try {
                    String text = c.chat(PROMPT);
                    if (expectedLength >= 0 && text.length() != expectedLength) {
                        throw new IllegalStateException("answer of " + text.length() + " chars, expected " + expectedLength);
                    }
                } catch (Exception e) {
                    if (errors.getAndIncrement() < 3) {
                        System.err.println("chat failed: " + e);
                    }
                }
                lat[i] = System.nanoTime() - s;
            }
        };
        if (concurrency == 1) {
            worker.run();
        } else {
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < concurrency; t++) {
                    ex.execute(worker);
                }
            }
        }
        return errors.get();
    }

    /** {@code concurrency} streams at once, {@code rounds} times; chunks/s, time to first chunk, lost chunks. */
    static void stream(Client c, int warmup, int concurrency, int rounds, int chunks, Map<String, Object> out)
            throws Exception {
        for (int i = 0; i < warmup; i++) {
            streams(c, Math.min(concurrency, 100), chunks);
        }
        Meter m = Meter.start();
        List<Double> walls = new ArrayList<>();
        List<Double> ttfc = new ArrayList<>();
        long lost = 0;
        long errors = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            long[] res = streams(c, concurrency, chunks);
            walls.add((System.nanoTime() - t0) / 1e6);
            lost += res[0];
            errors += res[1];
            ttfc.add(res[2] / 1e3);
        }
        m.stop((long) rounds * concurrency, out);
        double wallMs = median(walls);
        out.put("streams", concurrency);
        out.put("rounds", rounds);
        out.put("chunksPerStream", chunks);
        out.put("wallMs", wallMs);
        out.put("chunksPerSec", (double) concurrency * chunks / (wallMs / 1e3));
        out.put("ttfcUs", median(ttfc));
        out.put("lost", lost);
        out.put("errors", errors);
    }

    /** @return lost chunks, failed streams, median time to first chunk (ns) */
    static long[] streams(Client c, int concurrency, int chunks) throws Exception {
        AtomicLong lost = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long[] first = new long[concurrency];
        Runnable[] tasks = new Runnable[concurrency];
        for (int t = 0; t < concurrency; t++) {
            int id = t;
            tasks[t] = () -> {
                long s = System.nanoTime();
                long[] got = {0};
                try {
                    c.stream(PROMPT, () -> {
                        if (got[0]++ == 0) {
                            first[id] = System.nanoTime() - s;
                        }
                    });
                } catch (Exception e) {
                    if (errors.getAndIncrement() < 3) {
                        System.err.println("stream failed: " + e);
                    }
                }
                lost.addAndGet(chunks - got[0]);
            };
        }
        if (concurrency == 1) {
            tasks[0].run();
        } else {
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                for (Runnable r : tasks) {
                    ex.execute(r);
                }
            }
        }
        Arrays.sort(first);
        return new long[] {lost.get(), errors.get(), first[concurrency / 2]};
    }

    static void embed(Client c, int n, int warmup, int dims, Map<String, Object> out) throws Exception {
        for (int i = 0; i < warmup; i++) {
            c.embed(EMBED_TEXT);
        }
        Meter m = Meter.start();
        long[] lat = new long[n];
        int errors = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            try {
                float[] v = c.embed(EMBED_TEXT);
                if (v.length != dims) {
                    throw new IllegalStateException(v.length + " dimensions, expected " + dims);
                }
            } catch (Exception e) {
                if (errors++ < 3) {
                    System.err.println("embed failed: " + e);
                }
            }
            lat[i] = System.nanoTime() - s;
        }
        long wall = System.nanoTime() - t0;
        m.stop(n, out);
        Arrays.sort(lat);
        out.put("n", n);
        out.put("errors", errors);
        out.put("reqPerSec", n / (wall / 1e9));
        out.put("p50us", lat[n / 2] / 1e3);
        out.put("p99us", lat[Math.min(n - 1, (int) (n * 0.99))] / 1e3);
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int k = s.size();
        return k % 2 == 1 ? s.get(k / 2) : (s.get(k / 2 - 1) + s.get(k / 2)) / 2;
    }

    // ---- the two clients

    interface Client {
        String chat(String prompt) throws Exception;

        /** Streams an answer, calling {@code onContent} once per content chunk. */
        void stream(String prompt, Runnable onContent) throws Exception;

        float[] embed(String text) throws Exception;

        long retries();
    }

    /** Parley as an application uses it: the facade, default policies. */
    static final class Parley implements Client {
        final Llm llm;

        Parley(String url, String encoding, boolean defaultExecutor) {
            ProviderConfig.Builder config = ProviderConfig.newBuilder();
            if (defaultExecutor) {
                config.httpClient(HttpClient.newBuilder().build());
            }
            this.llm = Llm.newBuilder()
                    .provider("openai-compatible", config
                            .baseUrl(URI.create(url + "/v1"))
                            .option("embeddingEncoding", encoding)
                            .build())
                    .defaultModel("m")
                    .embeddingModel("text-embedding-3-small")
                    .build();
        }

        @Override
        public String chat(String prompt) {
            ChatResponse r = llm.chat(ChatRequest.newBuilder().addMessage(Message.user(prompt)).build());
            return r.text();
        }

        @Override
        public void stream(String prompt, Runnable onContent) {
            try (ChatStream s = llm.stream(ChatRequest.newBuilder().addMessage(Message.user(prompt)).build())) {
                for (ChatChunk chunk : s) {
                    if (!chunk.textDelta().isEmpty()) {
                        onContent.run();
                    }
                }
            }
        }

        @Override
        public float[] embed(String text) {
            EmbeddingResponse r = llm.embed(List.of(text));
            return r.vector(0);
        }

        @Override
        public long retries() {
            MetricsSnapshot s = llm.metrics().snapshot();
            return s.retries();
        }
    }

    /**
     * Parley's adapter alone, from its factory, without the {@code Llm} stack (no retries,
     * timeouts, cost, metrics): separates the adapter's cost from the policies'.
     */
    static final class Bare implements Client {
        final Provider provider;

        Bare(String url, String encoding) {
            ProviderFactory f = ServiceLoader.load(ProviderFactory.class).stream().map(ServiceLoader.Provider::get)
                    .filter(x -> x.name().equals("openai-compatible")).findFirst().orElseThrow();
            this.provider = f.create(ProviderConfig.newBuilder().baseUrl(URI.create(url + "/v1"))
                    .option("embeddingEncoding", encoding).build());
        }

        @Override
        public String chat(String prompt) {
            return provider.chat(ChatRequest.newBuilder().model("m").addMessage(Message.user(prompt)).build()).text();
        }

        @Override
        public void stream(String prompt, Runnable onContent) {
            try (ChatStream s = provider.stream(ChatRequest.newBuilder().model("m").addMessage(Message.user(prompt)).build())) {
                for (ChatChunk chunk : s) {
                    if (!chunk.textDelta().isEmpty()) {
                        onContent.run();
                    }
                }
            }
        }

        @Override
        public float[] embed(String text) {
            return provider.embed(EmbeddingRequest.of("text-embedding-3-small", List.of(text))).vector(0);
        }

        @Override
        public long retries() {
            return 0;
        }
    }

    /**
     * The floor: what a careful hand-written client must do at least. One HttpClient (HTTP/1.1,
     * as Parley uses for http URLs), the body built as a String, the answer found with indexOf.
     */
    static final class Raw implements Client {
        final HttpClient http;
        final URI chatUri;
        final URI embedUri;
        final boolean base64;

        final boolean perRequestVersion;

        /**
         * @param client "" (HTTP/1.1, default executor), "vt" (virtual threads), "h2" (HTTP/2 client,
         *               HTTP/1.1 requests), "timeout" (a connect timeout), or "parley" (all of Parley's
         *               shared client's settings)
         */
        Raw(String url, String encoding, String client) {
            HttpClient.Builder b = HttpClient.newBuilder();
            perRequestVersion = client.equals("parley") || client.equals("h2");
            if (!perRequestVersion) {
                b.version(HttpClient.Version.HTTP_1_1);
            }
            if (client.equals("parley") || client.equals("timeout")) {
                b.connectTimeout(java.time.Duration.ofSeconds(10));
            }
            if (client.equals("vt") || client.equals("parley")) {
                b.executor(Executors.newVirtualThreadPerTaskExecutor());
            }
            this.http = b.build();
            this.chatUri = URI.create(url + "/v1/chat/completions");
            this.embedUri = URI.create(url + "/v1/embeddings");
            this.base64 = encoding.equals("base64");
        }

        HttpRequest post(URI uri, String body, String accept) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri);
            if (perRequestVersion) {
                b.version(HttpClient.Version.HTTP_1_1);
            }
            return b
                    .header("Content-Type", "application/json")
                    .header("Accept", accept)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
        }

        @Override
        public String chat(String prompt) throws IOException, InterruptedException {
            String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":" + quote(prompt) + "}]}";
            HttpResponse<String> r = http.send(post(chatUri, body, "application/json"), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode());
            }
            String s = r.body();
            int at = s.indexOf("\"content\":");
            if (at < 0) {
                throw new IOException("no content in " + s);
            }
            return string(s, s.indexOf('"', at + 10));
        }

        @Override
        public void stream(String prompt, Runnable onContent) throws IOException, InterruptedException {
            // The same body Parley sends: usage on the last chunk.
            String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":" + quote(prompt)
                    + "}],\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
            HttpResponse<Stream<String>> r = http.send(post(chatUri, body, "text/event-stream"),
                    HttpResponse.BodyHandlers.ofLines());
            if (r.statusCode() != 200) {
                r.body().close();
                throw new IOException("HTTP " + r.statusCode());
            }
            boolean done = false;
            try (Stream<String> lines = r.body()) {
                Iterator<String> it = lines.iterator();
                while (it.hasNext()) {
                    String line = it.next();
                    if (!line.startsWith("data: ")) {
                        continue;
                    }
                    if (line.startsWith("[DONE]", 6)) {
                        done = true;
                        break;
                    }
                    int at = line.indexOf("\"content\":\"");
                    if (at >= 0 && line.charAt(at + 11) != '"') {
                        string(line, at + 10);
                        onContent.run();
                    }
                }
            }
            if (!done) {
                throw new IOException("stream ended without [DONE]");
            }
        }

        @Override
        public float[] embed(String text) throws IOException, InterruptedException {
            String body = "{\"model\":\"text-embedding-3-small\",\"input\":[" + quote(text) + "]"
                    + (base64 ? ",\"encoding_format\":\"base64\"" : "") + "}";
            HttpResponse<String> r = http.send(post(embedUri, body, "application/json"), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode());
            }
            String s = r.body();
            int at = s.indexOf("\"embedding\":");
            if (at < 0) {
                throw new IOException("no embedding");
            }
            int start = at + 12;
            while (s.charAt(start) == ' ') {
                start++;
            }
            if (s.charAt(start) == '"') {
                byte[] bytes = Base64.getDecoder().decode(s.substring(start + 1, s.indexOf('"', start + 1)));
                float[] v = new float[bytes.length / 4];
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                return v;
            }
            int end = s.indexOf(']', start);
            float[] v = new float[64];
            int k = 0;
            int p = start + 1;
            while (p < end) {
                int comma = s.indexOf(',', p);
                int stop = comma < 0 || comma > end ? end : comma;
                if (k == v.length) {
                    v = Arrays.copyOf(v, k * 2);
                }
                v[k++] = Float.parseFloat(s.substring(p, stop).trim());
                p = stop + 1;
            }
            return Arrays.copyOf(v, k);
        }

        @Override
        public long retries() {
            return 0;
        }

        /** A JSON string literal. */
        static String quote(String s) {
            StringBuilder b = new StringBuilder(s.length() + 16).append('"');
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                switch (ch) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (ch < 0x20) {
                            b.append(String.format("\\u%04x", (int) ch));
                        } else {
                            b.append(ch);
                        }
                    }
                }
            }
            return b.append('"').toString();
        }

        /** The JSON string starting at the quote at {@code q}, unescaped; fast path without escapes. */
        static String string(String s, int q) throws IOException {
            int end = s.indexOf('"', q + 1);
            int bs = s.indexOf('\\', q + 1);
            if (end < 0) {
                throw new IOException("unterminated string");
            }
            if (bs < 0 || bs > end) {
                return s.substring(q + 1, end);
            }
            StringBuilder b = new StringBuilder();
            for (int i = q + 1; ; i++) {
                char ch = s.charAt(i);
                if (ch == '"') {
                    return b.toString();
                }
                if (ch != '\\') {
                    b.append(ch);
                    continue;
                }
                char e = s.charAt(++i);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s, i + 1, i + 5, 16));
                        i += 4;
                    }
                    default -> b.append(e);
                }
            }
        }
    }

    // ---- measuring

    /** Client CPU, bytes allocated and platform threads over the measured part of a run. */
    record Meter(long cpu, long alloc) {
        static final com.sun.management.OperatingSystemMXBean OS =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        static final com.sun.management.ThreadMXBean THREADS =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        static Meter start() {
            THREADS.resetPeakThreadCount();
            return new Meter(OS.getProcessCpuTime(), THREADS.getTotalThreadAllocatedBytes());
        }

        void stop(long ops, Map<String, Object> out) {
            long cpuNs = OS.getProcessCpuTime() - cpu;
            long bytes = THREADS.getTotalThreadAllocatedBytes() - alloc;
            out.put("cpuUsPerOp", cpuNs / 1e3 / ops);
            out.put("allocKbPerOp", bytes / 1024.0 / ops);
            out.put("peakThreads", THREADS.getPeakThreadCount());
        }
    }

    static final class Proc {
        /** {@return the peak resident set size of this process in kB (VmHWM)} */
        static long hwmKb() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmHWM:")) {
                        return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux
            }
            return -1;
        }
    }

    /**
     * Connections to the server, from /proc/net/tcp: the client-side ports of every socket with
     * the server's port at one end, in any state. A closed connection stays there in TIME_WAIT
     * for 60 s, so a snapshot after the run, less one before it, counts the connections it opened.
     */
    static final class Tcp {
        static Set<Integer> clientPorts(int serverPort) {
            Set<Integer> ports = new HashSet<>();
            for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                try {
                    List<String> lines = Files.readAllLines(Path.of(file));
                    for (int i = 1; i < lines.size(); i++) {
                        String[] f = lines.get(i).trim().split("\\s+");
                        int local = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                        int remote = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
                        if (remote == serverPort && local != serverPort) {
                            ports.add(local);
                        } else if (local == serverPort && remote != 0) {
                            ports.add(remote);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // not Linux
                }
            }
            return ports;
        }
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            o.put(args[i].substring(2), args[++i]);
        }
        return o;
    }
}
