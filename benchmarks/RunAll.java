import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import javax.tools.ToolProvider;

/**
 * Runs every benchmark of {@code benchmarks/} and writes {@code benchmarks/results/latest.md}.
 * Start it with {@code benchmarks/run-all.sh [--quick] [--peers]}, or from the repository root
 * with a JDK 21+: {@code java benchmarks/RunAll.java [--quick] [--peers] [--only chat,stream,embed,cold,policy,peers]}.
 *
 * <p>What it does: compiles the benchmark programs into {@code target/bench/classes} (so that
 * a measured JVM does not also run javac), starts {@code FakeLlmServer} in its own JVM, and runs
 * {@code ClientBench} in a fresh JVM per measurement, Parley and the raw java.net.http floor
 * interleaved (P R, R P, P R ...). Each figure is the median over those runs, with the range.
 * Cold starts time whole processes; {@code PolicyBench} runs in-process micro-benchmarks.
 *
 * <p>With {@code --peers} (or {@code peers} in {@code --only}) the other Java SDKs in
 * {@link #PEERS} join every client scenario, interleaved with Parley and raw in the same rounds,
 * and every table gets a column for each. Maven fetches them at benchmark time into
 * {@code target/peers/<name>/} (a generated pom per SDK, so each gets its own dependency
 * versions); the library's pom never names them. {@code --only peers} alone runs the client
 * scenarios (chat, stream, embed, cold) with the peers and nothing else.
 */
public class RunAll {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static Path JAR = ROOT.resolve("target/parley.jar");
    static String jarArg = "target/parley.jar";
    static final Path WORK = ROOT.resolve("target/bench");
    static final Path CLASSES = WORK.resolve("classes");
    static String javaBin;
    static boolean quick;
    static int roundsOverride;
    static String runNote;
    static final List<String> notes = new ArrayList<>();
    static final StringBuilder md = new StringBuilder();
    static final List<String[]> targets = new ArrayList<>();

    /** A peer SDK: its column name, its Maven coordinates, and its program in benchmarks/. */
    record Peer(String name, String coordinates, String program) {
    }

    static final List<Peer> PEERS = List.of(
            new Peer("openai-java", "com.openai:openai-java:4.101.0", "PeerOpenAiJava"),
            new Peer("langchain4j", "dev.langchain4j:langchain4j-open-ai:1.19.0", "PeerLangChain4j"),
            new Peer("simple-openai", "io.github.sashirestela:simple-openai:3.22.2", "PeerSimpleOpenAi"));
    static boolean peers;
    /** The class path of each peer's measured JVMs: its compiled program, then its SDK. */
    static final Map<String, String> peerClassPath = new LinkedHashMap<>();
    /** Headline figures of each table, for the side-by-side summary: title, label, client → median. */
    static final List<Object[]> headlines = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        String only = "chat,stream,embed,cold,policy";
        Path out = ROOT.resolve("benchmarks/results/latest.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--peers" -> peers = true;
                case "--only" -> only = args[++i];
                case "--rounds" -> roundsOverride = Integer.parseInt(args[++i]);
                case "--jar" -> { // another build, for before/after
                    jarArg = args[++i];
                    JAR = Path.of(jarArg).toAbsolutePath();
                }
                case "--out" -> out = Path.of(args[++i]).toAbsolutePath();
                case "--note" -> runNote = args[++i]; // printed under the title, such as why the figures are not to be trusted
                default -> {
                    System.err.println("usage: RunAll [--quick] [--peers] [--only chat,stream,embed,cold,policy,peers] [--rounds N]"
                            + " [--jar PATH] [--out FILE] [--note TEXT]");
                    System.exit(2);
                }
            }
        }
        boolean peersOnly = false;
        if (List.of(only.split(",")).contains("peers")) {
            peers = true;
            if (only.replace("peers", "").replace(",", "").isEmpty()) {
                peersOnly = true; // the peer comparison alone: every client scenario, no breakdown, no policies
                only = "chat,stream,embed,cold";
            }
        }
        javaBin = ProcessHandle.current().info().command().orElse("java");
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run mvn -q -B package -DskipTests first");
        }
        // Everything runs from a copy: a JVM loads classes lazily from its jar, and a rebuild
        // during the run would replace the jar under the fake server and the clients.
        Files.createDirectories(WORK);
        Path copy = WORK.resolve("parley-under-test.jar");
        Files.copy(JAR, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        JAR = copy;
        compile();
        if (peers) {
            preparePeers();
        }
        long start = System.nanoTime();
        String loadStart = load();
        header(loadStart);

        String reply400 = text(400);
        Server chatServer = Server.start("chat", "--chunks", "100", "--reply", reply400);
        try {
            if (only.contains("chat")) {
                chat(chatServer, !peersOnly);
            }
            if (only.contains("stream")) {
                Server longServer = Server.start("stream10k", "--chunks", "10000", "--reply", text(40_000));
                try {
                    oneStream(longServer);
                } finally {
                    longServer.stop();
                }
                manyStreams(chatServer);
            }
            if (only.contains("embed")) {
                embed(chatServer);
            }
            if (only.contains("cold")) {
                cold(chatServer);
            }
        } finally {
            chatServer.stop();
        }
        if (only.contains("policy")) {
            policy();
        }
        summary();
        if (peers) {
            sideBySide();
        }
        md.append("\nTotal time ").append(Math.round((System.nanoTime() - start) / 1e9)).append(" s; load (1-min average) at the start ")
                .append(loadStart).append(", at the end ").append(load()).append(".\n");
        if (!notes.isEmpty()) {
            md.append("\nNotes:\n\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println();
        System.out.println(md);
        System.out.println("written to " + ROOT.relativize(out));
    }

    // ---- scenarios

    static void chat(Server s, boolean breakdown) throws Exception {
        int rounds = roundsOverride > 0 ? roundsOverride : quick ? 2 : 5;
        section("1. Round trip", """
                Non-streamed chats against the fake OpenAI-compatible server (400-character answers, no \
                added latency): Parley through `Llm` with its default policies (retries, per-attempt \
                timeouts, cost tracking), against the raw floor (one `HttpClient`, HTTP/1.1, the body \
                written as a String, the answer found with `indexOf`). Each run is a fresh JVM: a \
                warm-up, then the measured calls. CPU is the client process's CPU time (all threads, \
                JIT and GC included) per request; allocation is `getTotalThreadAllocatedBytes` per \
                request; RSS is the client's VmHWM; threads is the peak live thread count (platform \
                threads, virtual threads are not counted) during the measured calls; connections are the \
                TCP connections the run opened to the server (client ports in /proc/net/tcp, in any \
                state, after the run less before it).""");
        int seqN = quick ? 1000 : 5000;
        List<String> seq = List.of("--scenario", "chat", "--n", "" + seqN, "--warmup", quick ? "3000" : "10000",
                "--concurrency", "1", "--expect-length", "400");
        Pair p = pair(s, seq, rounds);
        table("sequential: " + seqN + " chats", p, List.of(
                m("chats/s", "reqPerSec", true), m("p50 latency (µs)", "p50us", false),
                m("p99 latency (µs)", "p99us", false), m("client CPU per chat (µs)", "cpuUsPerOp", false),
                m("allocated per chat (KB)", "allocKbPerOp", false), m("peak RSS (MB)", "rssPeakMb", false),
                m("peak live threads", "peakThreads", false), m("connections opened", "connections", false),
                m("failed chats", "errors", false), m("retries (Parley)", "retries", false)));
        target("sequential chats/s ≥ 0.95× raw", ratio(p, "reqPerSec") >= 0.95, ratio(p, "reqPerSec"));
        if (!quick && breakdown) {
            sequentialBreakdown(s, seq, rounds);
        }

        int concN = quick ? 4000 : 20000;
        List<String> conc = List.of("--scenario", "chat", "--n", "" + concN, "--warmup", quick ? "2000" : "5000",
                "--concurrency", "256", "--expect-length", "400");
        Pair c = pair(s, conc, rounds);
        table("concurrent: " + concN + " chats from 256 virtual threads", c, List.of(
                m("chats/s", "reqPerSec", true), m("p50 latency (µs)", "p50us", false),
                m("p99 latency (µs)", "p99us", false), m("client CPU per chat (µs)", "cpuUsPerOp", false),
                m("allocated per chat (KB)", "allocKbPerOp", false), m("peak RSS (MB)", "rssPeakMb", false),
                m("peak live threads", "peakThreads", false), m("connections opened", "connections", false),
                m("failed chats", "errors", false), m("retries (Parley)", "retries", false)));
        target("concurrent chats/s ≥ 0.95× raw", ratio(c, "reqPerSec") >= 0.95, ratio(c, "reqPerSec"));
        target("concurrent p99 ≤ 1.1× raw", ratio(c, "p99us") <= 1.1, ratio(c, "p99us"));
        double threads = median(c.parley, "peakThreads");
        target("platform threads ≤ 16 with 256 callers", threads <= 16, threads);
        double conns = median(c.parley, "connections");
        target("connections ≤ callers (256)", max(c.parley, "connections") <= 256, conns);
    }

    /**
     * Where the sequential gap goes: the raw floor, the same raw client on the HttpClient
     * settings Parley's shared client uses (virtual-thread executor, connect timeout), Parley's
     * adapter without the Llm stack, and Parley through Llm.
     */
    static void sequentialBreakdown(Server s, List<String> seq, int rounds) throws Exception {
        Map<String, List<String>> clients = new LinkedHashMap<>();
        clients.put("raw java.net.http", bench("--client", "raw"));
        clients.put("raw, on Parley's HttpClient settings", bench("--client", "raw", "--http", "parley"));
        clients.put("Parley's adapter alone (no Llm stack)", bench("--client", "parley-bare"));
        clients.put("Parley through Llm", bench("--client", "parley"));
        Map<String, List<Map<String, String>>> runs = interleaved(s, clients, seq, rounds);
        List<Map<String, String>> raw = runs.get("raw java.net.http");
        md.append("\n**sequential: where the gap goes** (").append(rounds).append(" runs each, interleaved)\n\n")
                .append("| client | chats/s | × raw | p50 (µs) | CPU per chat (µs) | allocated per chat (KB) |\n|---|---|---|---|---|---|\n");
        for (var e : runs.entrySet()) {
            List<Map<String, String>> r = e.getValue();
            md.append("| ").append(e.getKey()).append(" | ").append(rangeOf(r, "reqPerSec")).append(" | ")
                    .append(fmt(median(r, "reqPerSec") / median(raw, "reqPerSec"), 2)).append("× | ")
                    .append(rangeOf(r, "p50us")).append(" | ").append(rangeOf(r, "cpuUsPerOp")).append(" | ")
                    .append(rangeOf(r, "allocKbPerOp")).append(" |\n");
        }
    }

    static void oneStream(Server s) throws Exception {
        int rounds = roundsOverride > 0 ? roundsOverride : quick ? 2 : 5;
        section("2. Streaming", """
                One stream of 10,000 content chunks (4 characters each, plus the role, finish and usage \
                events: the fake server's frames as OpenAI sends them, `stream_options.include_usage` \
                set by both clients). Parley iterates `llm.stream(...)`; the raw floor reads \
                `BodyHandlers.ofLines()` and finds `"content":"` in each `data:` line. Throughput is \
                content chunks per second of the whole stream (the median stream of 20, after 20 of \
                warm-up in the same JVM); time to first chunk is from the call to the first content \
                chunk. Then 1,000 streams of 100 chunks at once, one virtual \
                thread each: wall time of the burst, peak RSS and threads, chunks lost (expected minus \
                received, must be 0).""");
        // A stream of 10,000 chunks takes ~40 ms: 20 warm-up streams (200,000 chunks) so that the
        // JIT has compiled each client's path (with 5, C2 was still compiling Parley's longer one
        // during the measured rounds, and its threads' CPU was counted), then 20 measured ones.
        List<String> one = List.of("--scenario", "stream", "--concurrency", "1", "--chunks", "10000",
                "--warmup", quick ? "10" : "20", "--rounds", quick ? "5" : "20");
        Pair p = pair(s, one, rounds);
        table("one stream of 10,000 chunks", p, List.of(
                m("chunks/s", "chunksPerSec", true), m("time to first chunk (µs)", "ttfcUs", false),
                m("stream wall time (ms)", "wallMs", false), m("client CPU per stream (µs)", "cpuUsPerOp", false),
                m("allocated per stream (KB)", "allocKbPerOp", false), m("lost chunks", "lost", false),
                m("failed streams", "errors", false)));
        target("one stream chunks/s ≥ 0.90× raw", ratio(p, "chunksPerSec") >= 0.90, ratio(p, "chunksPerSec"));
    }

    static void manyStreams(Server s) throws Exception {
        int rounds = roundsOverride > 0 ? roundsOverride : quick ? 2 : 5;
        List<String> many = List.of("--scenario", "stream", "--concurrency", "1000", "--chunks", "100",
                "--warmup", "2", "--rounds", quick ? "1" : "3");
        Pair p = pair(s, many, rounds);
        table("1,000 concurrent streams of 100 chunks", p, List.of(
                m("burst wall time (ms)", "wallMs", false), m("chunks/s", "chunksPerSec", true),
                m("median time to first chunk (µs)", "ttfcUs", false), m("client CPU per stream (µs)", "cpuUsPerOp", false),
                m("allocated per stream (KB)", "allocKbPerOp", false), m("peak RSS (MB)", "rssPeakMb", false),
                m("peak live threads", "peakThreads", false), m("connections opened", "connections", false),
                m("lost chunks", "lost", false), m("failed streams", "errors", false)));
        target("1,000 streams total time ≤ 1.1× raw", ratio(p, "wallMs") <= 1.1, ratio(p, "wallMs"));
        target("1,000 streams RSS ≤ 1.1× raw", ratio(p, "rssPeakMb") <= 1.1, ratio(p, "rssPeakMb"));
        double lost = max(p.parley, "lost") + max(p.parley, "errors");
        target("1,000 streams: 0 lost chunks", lost == 0, lost);
    }

    static void embed(Server s) throws Exception {
        int rounds = roundsOverride > 0 ? roundsOverride : quick ? 2 : 5;
        int n = quick ? 300 : 1000;
        section("3. Embeddings", """
                Sequential embedding requests of one text, 1536 dimensions, as base64 (little-endian \
                float32, what OpenAI's SDKs ask for) and as a JSON array of numbers. The raw floor \
                decodes base64 with `java.util.Base64`, or splits the array on commas and calls \
                `Float.parseFloat`; Parley returns a `float[]` per input through `llm.embed`.""");
        for (String enc : List.of("base64", "float")) {
            List<String> a = List.of("--scenario", "embed", "--encoding", enc, "--n", "" + n,
                    "--warmup", quick ? "300" : "1000");
            Pair p = pair(s, a, rounds);
            table(n + " sequential requests, " + enc, p, List.of(
                    m("requests/s", "reqPerSec", true), m("p50 latency (µs)", "p50us", false),
                    m("p99 latency (µs)", "p99us", false), m("client CPU per request (µs)", "cpuUsPerOp", false),
                    m("allocated per request (KB)", "allocKbPerOp", false), m("failed requests", "errors", false)));
        }
    }

    static void cold(Server s) throws Exception {
        int reps = quick ? 3 : 10;
        section("4. Cold start", """
                A fresh process that builds a client, makes one chat call against the fake server, \
                prints the answer and exits: wall time from spawn to exit, and peak RSS \
                (`/usr/bin/time` %M when present, else VmHWM sampled every 2 ms). The single-file \
                programs are launched from source, so they also pay for compiling themselves in the \
                launcher; `raw, precompiled` is the same raw program from a jar, the true floor. \
                Variants run in rotating order.""");
        String url = s.url;
        String base = url + "/v1";
        Path image = ROOT.resolve("target/image/bin/parley");
        Path rawJar = WORK.resolve("coldraw.jar");
        Map<String, List<String>> variants = new LinkedHashMap<>();
        List<String> chatArgs = List.of("chat", "--provider", "openai-compatible", "--base-url", base, "--model", "m",
                "--no-stream", "hi");
        variants.put("parley: java -jar parley.jar chat", concat(List.of(javaBin, "-jar", JAR.toString()), chatArgs));
        variants.put("parley: single-file script (source)", List.of(javaBin, "-cp", JAR.toString(),
                ROOT.resolve("benchmarks/ColdParley.java").toString(), url));
        variants.put("raw: single-file program (source)", List.of(javaBin, ROOT.resolve("benchmarks/ColdRaw.java").toString(), url));
        variants.put("raw: precompiled (jar)", List.of(javaBin, "-cp", rawJar.toString(), "ColdRaw", url));
        if (peers) {
            // Like for like with the peers' programs: Parley's one-chat program, compiled, in a jar.
            variants.put("parley: precompiled (jar)", List.of(javaBin, "-cp", JAR + ":" + WORK.resolve("coldparley.jar"),
                    "ColdParley", url));
            peerClassPath.forEach((name, cp) -> variants.put(name + ": precompiled (jar)", List.of(javaBin, "-cp", cp,
                    peer(name).program() + "$Cold", url)));
        }
        if (Files.isExecutable(image)) {
            variants.put("parley: jlink image bin/parley chat", concat(List.of(image.toString()), chatArgs));
        } else {
            notes.add("target/image is missing (build it with `mvn -q -Pimage package`): the jlink cold start was skipped.");
        }
        // AOT cache (JEP 483/514, JDK 24+/25+): one training run writes the cache, later runs map it.
        if (Runtime.version().feature() >= 25) {
            Path parleyAot = WORK.resolve("parley-chat.aot");
            Path rawAot = WORK.resolve("coldraw.aot");
            Files.deleteIfExists(parleyAot);
            Files.deleteIfExists(rawAot);
            boolean ok = run(concat(List.of(javaBin, "-XX:AOTCacheOutput=" + parleyAot, "-jar", JAR.toString()), chatArgs)) == 0
                    & run(List.of(javaBin, "-XX:AOTCacheOutput=" + rawAot, "-cp", rawJar.toString(), "ColdRaw", url)) == 0;
            if (ok && Files.exists(parleyAot) && Files.exists(rawAot)) {
                variants.put("parley: java -jar with AOT cache", concat(List.of(javaBin, "-XX:AOTCache=" + parleyAot, "-jar",
                        JAR.toString()), chatArgs));
                variants.put("raw: precompiled with AOT cache", List.of(javaBin, "-XX:AOTCache=" + rawAot, "-cp",
                        rawJar.toString(), "ColdRaw", url));
                Path imageJava = ROOT.resolve("target/image/bin/java");
                Path imageAot = WORK.resolve("image-chat.aot");
                Files.deleteIfExists(imageAot);
                if (Files.isExecutable(image) && run(concat(List.of(imageJava.toString(), "-XX:AOTCacheOutput=" + imageAot,
                        "-m", "dev.parley/dev.parley.cli.Main"), chatArgs)) == 0 && Files.exists(imageAot)) {
                    variants.put("parley: jlink image with AOT cache (bin/java -XX:AOTCache -m dev.parley)", concat(List.of(
                            imageJava.toString(), "-XX:AOTCache=" + imageAot, "-m", "dev.parley/dev.parley.cli.Main"), chatArgs));
                }
            } else {
                notes.add("The AOT cache training run failed; AOT cold starts were skipped.");
            }
        }
        Map<String, List<double[]>> res = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(variants.keySet());
        for (int r = 0; r < reps; r++) {
            for (int k = 0; k < names.size(); k++) {
                String name = names.get((k + r) % names.size());
                res.computeIfAbsent(name, x -> new ArrayList<>()).add(timeProcess(variants.get(name)));
            }
        }
        double rawSrc = medianOf(res.get("raw: single-file program (source)"), 0);
        double rawJarMs = medianOf(res.get("raw: precompiled (jar)"), 0);
        md.append("\n| variant | wall time (ms) | × raw source | × raw precompiled | peak RSS (MB) |\n|---|---|---|---|---|\n");
        for (String name : names) {
            List<double[]> xs = res.get(name);
            double w = medianOf(xs, 0);
            md.append("| ").append(name).append(" | ").append(range(xs, 0, 0)).append(" | ")
                    .append(fmt(w / rawSrc, 2)).append(" | ").append(fmt(w / rawJarMs, 2)).append(" | ")
                    .append(range(xs, 1, 1)).append(" |\n");
        }
        if (peers) {
            for (int i = 0; i < 2; i++) {
                Map<String, Double> v = new LinkedHashMap<>();
                v.put("raw java.net.http", medianOf(res.get("raw: precompiled (jar)"), i));
                v.put("Parley", medianOf(res.get("parley: precompiled (jar)"), i));
                for (String name : peerClassPath.keySet()) {
                    v.put(name, medianOf(res.get(name + ": precompiled (jar)"), i));
                }
                headlines.add(new Object[] {"cold start: one chat, precompiled",
                        m(i == 0 ? "wall time (ms)" : "peak RSS (MB)", "", false), v});
            }
        }
        double jar = medianOf(res.get("parley: java -jar parley.jar chat"), 0);
        target("cold start java -jar ≤ 1.10× raw (single-file source)", jar / rawSrc <= 1.10, jar / rawSrc);
        target("cold start java -jar ≤ 1.10× raw (precompiled)", jar / rawJarMs <= 1.10, jar / rawJarMs);
        if (res.containsKey("parley: jlink image bin/parley chat")) {
            double img = medianOf(res.get("parley: jlink image bin/parley chat"), 0);
            target("jlink image faster than raw (single-file source)", img < rawSrc, img / rawSrc);
            target("jlink image faster than raw (precompiled)", img < rawJarMs, img / rawJarMs);
        }
        String imageAotName = "parley: jlink image with AOT cache (bin/java -XX:AOTCache -m dev.parley)";
        if (res.containsKey(imageAotName)) {
            double img = medianOf(res.get(imageAotName), 0);
            target("jlink image with a trained AOT cache faster than raw (precompiled, no cache)", img < rawJarMs, img / rawJarMs);
        }
        if (res.containsKey("parley: java -jar with AOT cache")) {
            double aot = medianOf(res.get("parley: java -jar with AOT cache"), 0);
            notes.add(String.format(Locale.ROOT, "AOT cache: java -jar %.0f ms → %.0f ms with -XX:AOTCache (%.2f×).",
                    jar, aot, aot / jar));
        }
    }

    static void policy() throws Exception {
        section("5. Policies (in-process, no network)", """
                `PolicyBench` in one JVM: a warm-up, then timed rounds; median ns per operation with \
                the range over rounds, and bytes allocated per operation. The limiter cases go \
                through `RateLimitPolicy.decorate(provider).chat(...)` around a provider that answers \
                at once, so they include the acquire and the release.""");
        List<String> cmd = List.of(javaBin, "-cp", JAR + ":" + CLASSES, "PolicyBench", quick ? "--quick" : "--full");
        List<Map<String, String>> rs = results(cmd);
        md.append("\n| operation | ns/op (median) | range | bytes/op |\n|---|---|---|---|\n");
        for (Map<String, String> r : rs) {
            md.append("| ").append(r.get("case").replace('_', ' ')).append(" | ").append(r.get("nsPerOp"))
                    .append(" | ").append(r.get("min")).append("–").append(r.get("max")).append(" | ")
                    .append(r.get("bytesPerOp")).append(" |\n");
            if (r.get("case").startsWith("cache_hit")) {
                double ns = Double.parseDouble(r.get("nsPerOp"));
                target("cache hit ≤ 5 µs", ns <= 5000, ns / 1000);
            }
            if (r.get("case").startsWith("limiter_net_of_provider,_windows")) {
                double ns = Double.parseDouble(r.get("nsPerOp"));
                target("uncontended limiter acquire ≤ 1 µs (acquire+release, all limits)", ns <= 1000, ns / 1000);
            }
        }
    }

    // ---- running things

    /** The runs of one scenario: Parley's, raw's, and with {@code --peers} each peer's that ran. */
    record Pair(List<Map<String, String>> parley, List<Map<String, String>> raw,
            Map<String, List<Map<String, String>>> peers) {
    }

    /** Runs Parley and raw (and the peers), {@code rounds} times each, interleaved. */
    static Pair pair(Server s, List<String> args, int rounds) throws Exception {
        Map<String, List<String>> clients = new LinkedHashMap<>();
        clients.put("parley", bench("--client", "parley"));
        clients.put("raw", bench("--client", "raw"));
        if (peers) {
            for (var e : peerClassPath.entrySet()) {
                clients.put(e.getKey(), List.of(javaBin, "-cp", e.getValue(), peer(e.getKey()).program(),
                        "--client", e.getKey()));
            }
        }
        Map<String, List<Map<String, String>>> runs = interleaved(s, clients, args, rounds);
        Map<String, List<Map<String, String>>> peerRuns = new LinkedHashMap<>(runs);
        peerRuns.remove("parley");
        peerRuns.remove("raw");
        peerRuns.values().removeIf(List::isEmpty);
        return new Pair(runs.get("parley"), runs.get("raw"), peerRuns);
    }

    /** The command of a ClientBench run, without the server's URL and the scenario's options. */
    static List<String> bench(String... clientOptions) {
        return concat(List.of(javaBin, "-cp", JAR + ":" + CLASSES, "ClientBench"), List.of(clientOptions));
    }

    static Peer peer(String name) {
        return PEERS.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    /**
     * Runs each named client (its command), {@code rounds} times each, in fresh JVMs, the order
     * rotating every round so that no client always runs first. A peer whose run fails is noted
     * and left out of the scenario's later rounds; any other failure ends the whole run.
     */
    static Map<String, List<Map<String, String>>> interleaved(Server s, Map<String, List<String>> clients,
            List<String> args, int rounds) throws Exception {
        List<String> names = new ArrayList<>(clients.keySet());
        Map<String, List<Map<String, String>>> out = new LinkedHashMap<>();
        names.forEach(n -> out.put(n, new ArrayList<>()));
        Set<String> failed = new HashSet<>();
        for (int i = 0; i < rounds; i++) {
            for (int k = 0; k < names.size(); k++) {
                String name = names.get((i + k) % names.size());
                if (failed.contains(name)) {
                    continue;
                }
                List<String> cmd = concat(concat(clients.get(name), List.of("--url", s.url)), args);
                String l = load();
                List<Map<String, String>> res;
                try {
                    res = results(cmd);
                    if (res.isEmpty()) {
                        throw new IllegalStateException("no result from " + cmd);
                    }
                } catch (IllegalStateException e) {
                    if (!peerClassPath.containsKey(name)) {
                        throw e;
                    }
                    failed.add(name);
                    out.get(name).clear();
                    notes.add(name + " failed in `" + String.join(" ", args) + "` (its error is in the console output)"
                            + " and is left out of that table.");
                    System.out.println("  " + name + " FAILED: " + e.getMessage());
                    continue;
                }
                Map<String, String> m = res.get(0);
                m.put("load", l);
                out.get(name).add(m);
                System.out.println("  " + name + " " + m);
            }
        }
        return out;
    }

    /** Runs a command and returns its RESULT lines as maps. */
    static List<Map<String, String>> results(List<String> cmd) throws Exception {
        Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        // A run that hangs (a client waiting for good) is ended after 10 minutes, and fails.
        Thread deadline = Thread.ofVirtual().start(() -> {
            try {
                if (!proc.waitFor(10, TimeUnit.MINUTES)) {
                    proc.destroyForcibly();
                }
            } catch (InterruptedException done) {
                // the run ended in time
            }
        });
        List<Map<String, String>> out = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    Map<String, String> m = new LinkedHashMap<>();
                    for (String kv : line.substring(7).split(" ")) {
                        int eq = kv.indexOf('=');
                        m.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                    out.add(m);
                } else {
                    System.out.println("  | " + line);
                }
            }
        }
        int rc = proc.waitFor();
        deadline.interrupt();
        if (rc != 0) {
            throw new IllegalStateException("failed (exit " + rc + "): " + String.join(" ", cmd));
        }
        return out;
    }

    static int run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return p.waitFor();
    }

    /** @return wall ms and peak RSS MB of one run of {@code cmd}, which must succeed */
    static double[] timeProcess(List<String> cmd) throws Exception {
        Path timeBin = Path.of("/usr/bin/time");
        Path rssFile = WORK.resolve("time.out");
        boolean gnuTime = Files.isExecutable(timeBin);
        List<String> full = gnuTime ? concat(List.of(timeBin.toString(), "-f", "%M", "-o", rssFile.toString()), cmd) : cmd;
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(full).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long hwm = 0;
        if (!gnuTime) {
            Path status = Path.of("/proc/" + p.pid() + "/status");
            while (p.isAlive()) {
                try {
                    for (String line : Files.readAllLines(status)) {
                        if (line.startsWith("VmHWM:")) {
                            hwm = Math.max(hwm, Long.parseLong(line.substring(6).trim().split("\\s+")[0]));
                        }
                    }
                } catch (IOException | RuntimeException gone) {
                    break;
                }
                Thread.sleep(2);
            }
        }
        int rc = p.waitFor();
        double ms = (System.nanoTime() - t0) / 1e6;
        if (rc != 0) {
            throw new IllegalStateException("exit " + rc + ": " + String.join(" ", cmd));
        }
        if (gnuTime) {
            hwm = Long.parseLong(Files.readString(rssFile).trim().lines().reduce((a, b) -> b).orElse("0").trim());
        }
        return new double[] {ms, hwm / 1024.0};
    }

    /** The fake provider in its own JVM. */
    record Server(Process process, String url) {
        static Server start(String name, String... options) throws Exception {
            // Like a real provider's front end: TCP_NODELAY (else Nagle and delayed ACKs add 40 ms
            // to multi-segment bodies and hold back stream frames), and idle keep-alive connections
            // kept for every caller (the JDK server closes all but 200 by default).
            List<String> cmd = concat(List.of(javaBin, "-Dsun.net.httpserver.nodelay=true",
                    "-Dsun.net.httpserver.maxIdleConnections=4096", "-cp", JAR.toString(),
                    "dev.parley.testing.FakeLlmServer", "--port", "0"), Arrays.asList(options));
            Process p = new ProcessBuilder(cmd).redirectError(WORK.resolve("server-" + name + ".log").toFile()).start();
            BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null || !line.contains("listening on ")) {
                p.destroyForcibly();
                throw new IllegalStateException("FakeLlmServer did not start: " + line);
            }
            String url = line.substring(line.indexOf("listening on ") + 13).split(" ")[0];
            return new Server(p, url);
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    static void compile() throws IOException {
        Files.createDirectories(CLASSES);
        List<String> sources = List.of("BenchHarness.java", "ClientBench.java", "PolicyBench.java", "ColdRaw.java",
                "ColdParley.java");
        List<String> args = new ArrayList<>(List.of("-d", CLASSES.toString(), "-cp", JAR.toString(), "-nowarn"));
        sources.forEach(f -> args.add(ROOT.resolve("benchmarks").resolve(f).toString()));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("javac failed");
        }
        // The cold-start programs as jars: AOT caches only take classes from jars.
        var jar = java.util.spi.ToolProvider.findFirst("jar").orElseThrow();
        for (String program : List.of("ColdRaw", "ColdParley")) {
            Path file = WORK.resolve(program.toLowerCase(Locale.ROOT) + ".jar");
            Files.deleteIfExists(file);
            if (jar.run(System.out, System.err, "--create", "--file", file.toString(), "-C", CLASSES.toString(),
                    program + ".class") != 0) {
                throw new IllegalStateException("jar failed");
            }
        }
    }

    /**
     * Fetches each peer SDK with Maven into {@code target/peers/<name>/} (a generated pom with
     * that one dependency; {@code dependency:build-classpath} writes its class path, kept until
     * the pom changes), then compiles its program with {@code BenchHarness} into a jar there.
     */
    static void preparePeers() throws Exception {
        for (Peer p : PEERS) {
            Path dir = ROOT.resolve("target/peers").resolve(p.name());
            Files.createDirectories(dir);
            String[] gav = p.coordinates().split(":");
            String pom = """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <!-- Generated by benchmarks/RunAll.java for the peer comparison: %s, fetched at
                         benchmark time. Not part of the build; the library never depends on it. -->
                    <project xmlns="http://maven.apache.org/POM/4.0.0">
                      <modelVersion>4.0.0</modelVersion>
                      <groupId>dev.parley.bench</groupId>
                      <artifactId>peer-%s</artifactId>
                      <version>0</version>
                      <packaging>pom</packaging>
                      <dependencies>
                        <dependency>
                          <groupId>%s</groupId>
                          <artifactId>%s</artifactId>
                          <version>%s</version>
                        </dependency>
                      </dependencies>
                    </project>
                    """.formatted(p.coordinates(), p.name(), gav[0], gav[1], gav[2]);
            Path pomFile = dir.resolve("pom.xml");
            Path cpFile = dir.resolve("classpath.txt");
            if (!Files.exists(cpFile) || !Files.exists(pomFile) || !Files.readString(pomFile).equals(pom)) {
                Files.writeString(pomFile, pom);
                Files.deleteIfExists(cpFile);
                System.out.println("fetching " + p.coordinates() + " with Maven into " + ROOT.relativize(dir));
                int rc = new ProcessBuilder("mvn", "-q", "-B", "-f", pomFile.toString(),
                        "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath",
                        "-Dmdep.outputFile=" + cpFile).inheritIO().start().waitFor();
                if (rc != 0 || !Files.exists(cpFile)) {
                    throw new IllegalStateException("Maven could not fetch " + p.coordinates() + " (exit " + rc + ")");
                }
            }
            String sdk = Files.readString(cpFile).trim();
            Path classes = WORK.resolve("peers").resolve(p.name());
            Files.createDirectories(classes);
            int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), "-cp", sdk,
                    "-nowarn", ROOT.resolve("benchmarks/" + p.program() + ".java").toString(),
                    ROOT.resolve("benchmarks/BenchHarness.java").toString());
            if (rc != 0) {
                throw new IllegalStateException("javac failed for " + p.program());
            }
            // In a jar, as the raw cold-start program is.
            Path jarFile = WORK.resolve("peers").resolve(p.name() + ".jar");
            Files.deleteIfExists(jarFile);
            var jar = java.util.spi.ToolProvider.findFirst("jar").orElseThrow();
            if (jar.run(System.out, System.err, "--create", "--file", jarFile.toString(), "-C", classes.toString(), ".") != 0) {
                throw new IllegalStateException("jar failed for " + p.program());
            }
            peerClassPath.put(p.name(), jarFile + ":" + sdk);
        }
    }

    // ---- reporting

    record Metric(String label, String key, boolean higherIsBetter) {
    }

    static Metric m(String label, String key, boolean higher) {
        return new Metric(label, key, higher);
    }

    static void header(String loadStart) throws IOException {
        String cpu = "unknown";
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                cpu = line.substring(line.indexOf(':') + 1).trim();
                break;
            }
        }
        md.append("# Parley round-trip benchmarks: ").append(quick ? "quick" : "full").append(" run\n\n");
        if (runNote != null) {
            md.append("**").append(runNote).append("**\n\n");
        }
        md.append("| | |\n|---|---|\n");
        md.append("| date | ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME).substring(0, 19)).append(" UTC |\n");
        md.append("| Parley jar | a copy of ").append(jarArg).append(" |\n");
        md.append("| JDK | ").append(System.getProperty("java.vm.vendor")).append(' ')
                .append(Runtime.version()).append(" (").append(javaBin).append(") |\n");
        md.append("| CPU | ").append(cpu).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs |\n");
        md.append("| OS | ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version")).append(" |\n");
        md.append("| load at start | ").append(loadStart).append(" (1-min average; other work on the machine skews figures) |\n");
        md.append("| JVM options | defaults for clients and cold starts; the fake server runs with"
                + " `-Dsun.net.httpserver.nodelay=true -Dsun.net.httpserver.maxIdleConnections=4096` |\n");
        if (peers) {
            md.append("| peers | ");
            md.append(String.join(", ", PEERS.stream().map(p -> p.name() + " (`" + p.coordinates() + "`)").toList()));
            md.append(", fetched by Maven into `target/peers/`, each in its own JVMs with only its own dependencies,"
                    + " set up as `benchmarks/README-roundtrip.md` (Peer comparison) says |\n");
        }
        md.append("\nRatios are Parley's median over raw's median in the same run (for times and \"lower is"
                + " better\" figures, < 1 means Parley is better). Ranges are min–max over the runs.\n");
    }

    static void section(String title, String text) {
        System.out.println("== " + title);
        md.append("\n## ").append(title).append("\n\n").append(text).append('\n');
    }

    static void table(String title, Pair p, List<Metric> metrics) {
        if (peers) {
            sideBySideTable(title, p, metrics);
            return;
        }
        md.append("\n**").append(title).append("** (").append(p.parley.size()).append(" + ").append(p.raw.size())
                .append(" runs, load ").append(loadRange(p)).append(")\n\n");
        md.append("| metric | Parley | raw java.net.http | Parley / raw |\n|---|---|---|---|\n");
        for (Metric m : metrics) {
            if (!p.parley.get(0).containsKey(m.key)) {
                continue;
            }
            double a = median(p.parley, m.key);
            double b = median(p.raw, m.key);
            String ratio = b == 0 ? (a == 0 ? "=" : "–") : fmt(a / b, 2) + "×";
            md.append("| ").append(m.label).append(" | ").append(rangeOf(p.parley, m.key)).append(" | ")
                    .append(m.key.equals("retries") ? "–" : rangeOf(p.raw, m.key)).append(" | ")
                    .append(m.key.equals("retries") ? "" : ratio).append(" |\n");
        }
    }

    /**
     * One table for raw, Parley and each peer: the median and range of each, and its median over
     * raw's. Peers that failed are absent (a note says why); the retries row is Parley's alone.
     */
    static void sideBySideTable(String title, Pair p, List<Metric> metrics) {
        Map<String, List<Map<String, String>>> all = new LinkedHashMap<>();
        all.put("raw java.net.http", p.raw);
        all.put("Parley", p.parley);
        all.putAll(p.peers);
        md.append("\n**").append(title).append("** (").append(p.parley.size()).append(" runs of each, load ")
                .append(loadRange(p)).append(")\n\n| metric |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String name : all.keySet()) {
            md.append(' ').append(name).append(" |");
            rule.append("---|");
            if (!name.startsWith("raw")) {
                md.append(" × raw |");
                rule.append("---|");
            }
        }
        md.append('\n').append(rule).append('\n');
        Map<String, Double> headline = new LinkedHashMap<>();
        for (Metric m : metrics) {
            if (!p.parley.get(0).containsKey(m.key)) {
                continue;
            }
            double raw = median(p.raw, m.key);
            md.append("| ").append(m.label.replace(" (Parley)", "")).append(" |");
            for (var e : all.entrySet()) {
                boolean isRaw = e.getKey().startsWith("raw");
                if (m.key.equals("retries") && !e.getKey().equals("Parley")) {
                    md.append(" – |").append(isRaw ? "" : " |");
                    continue;
                }
                double v = median(e.getValue(), m.key);
                md.append(' ').append(rangeOf(e.getValue(), m.key)).append(" |");
                if (!isRaw) {
                    md.append(' ').append(m.key.equals("retries") ? "" : raw == 0 ? (v == 0 ? "=" : "–") : fmt(v / raw, 2) + "×")
                            .append(" |");
                }
                if (m == metrics.get(0)) {
                    headline.put(e.getKey(), v);
                }
            }
            md.append('\n');
        }
        headlines.add(new Object[] {title, metrics.get(0), headline});
    }

    /**
     * The headline figure of every table (its first row) side by side, with Parley's median over
     * the best peer's: above 1 means Parley is ahead, for "higher is better" and "lower is better"
     * figures alike.
     */
    static void sideBySide() {
        md.append("\n## Side by side: the headline figure of each table\n\nMedians from the tables above. The last column"
                + " is Parley's median over the best peer's, turned so that above 1 means Parley is ahead (for times and"
                + " RSS: the best peer's over Parley's).\n\n| table | figure | raw | Parley |");
        PEERS.forEach(p -> md.append(' ').append(p.name()).append(" |"));
        md.append(" Parley vs the best peer |\n|---|---|---|---|").append("---|".repeat(PEERS.size())).append("---|\n");
        for (Object[] h : headlines) {
            Metric m = (Metric) h[1];
            @SuppressWarnings("unchecked")
            Map<String, Double> v = (Map<String, Double>) h[2];
            int digits = v.get("Parley") >= 100 ? 0 : 1;
            md.append("| ").append(h[0]).append(" | ").append(m.label).append(" | ")
                    .append(fmt(v.get("raw java.net.http"), digits)).append(" | ").append(fmt(v.get("Parley"), digits)).append(" |");
            Double best = null;
            for (Peer p : PEERS) {
                Double x = v.get(p.name());
                md.append(' ').append(x == null ? "–" : fmt(x, digits)).append(" |");
                if (x != null && (best == null || (m.higherIsBetter ? x > best : x < best))) {
                    best = x;
                }
            }
            double parley = v.get("Parley");
            md.append(' ').append(best == null ? "–" : fmt(m.higherIsBetter ? parley / best : best / parley, 2) + "×").append(" |\n");
        }
    }

    static void target(String what, boolean met, double figure) {
        targets.add(new String[] {what, met ? "met" : "**missed**", fmt(figure, 2)});
    }

    static void summary() {
        md.append("\n## Targets\n\n| target | result | figure |\n|---|---|---|\n");
        for (String[] t : targets) {
            md.append("| ").append(t[0]).append(" | ").append(t[1]).append(" | ").append(t[2]).append(" |\n");
        }
    }

    static double ratio(Pair p, String key) {
        return median(p.parley, key) / median(p.raw, key);
    }

    static double median(List<Map<String, String>> xs, String key) {
        return medianD(xs.stream().mapToDouble(x -> Double.parseDouble(x.get(key))).toArray());
    }

    static double max(List<Map<String, String>> xs, String key) {
        return xs.stream().mapToDouble(x -> Double.parseDouble(x.get(key))).max().orElse(0);
    }

    static double medianD(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double medianOf(List<double[]> xs, int i) {
        return medianD(xs.stream().mapToDouble(x -> x[i]).toArray());
    }

    static String rangeOf(List<Map<String, String>> xs, String key) {
        double[] v = xs.stream().mapToDouble(x -> Double.parseDouble(x.get(key))).toArray();
        return range(v);
    }

    static String range(List<double[]> xs, int i, int unused) {
        return range(xs.stream().mapToDouble(x -> x[i]).toArray());
    }

    static String range(double[] v) {
        double med = medianD(v);
        double lo = Arrays.stream(v).min().orElse(0);
        double hi = Arrays.stream(v).max().orElse(0);
        int digits = Math.abs(med) >= 100 ? 0 : Math.abs(med) >= 10 ? 1 : 2;
        if (lo == hi) {
            return fmt(med, digits);
        }
        return fmt(med, digits) + " (" + fmt(lo, digits) + "–" + fmt(hi, digits) + ")";
    }

    static String loadRange(Pair p) {
        List<Map<String, String>> all = new ArrayList<>(p.parley);
        all.addAll(p.raw);
        p.peers.values().forEach(all::addAll);
        ToDoubleFunction<Map<String, String>> f = x -> Double.parseDouble(x.get("load"));
        double lo = all.stream().mapToDouble(f).min().orElse(0);
        double hi = all.stream().mapToDouble(f).max().orElse(0);
        return fmt(lo, 2) + "–" + fmt(hi, 2);
    }

    static String fmt(double v, int digits) {
        return String.format(Locale.ROOT, "%,." + digits + "f", v);
    }

    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    /** A plain ASCII text of {@code n} characters, words of 3 to 7 letters. */
    static String text(int n) {
        String[] words = {"lorem", "ipsum", "dolor", "sit", "amet", "elit", "sed", "tempor", "magna", "aliqua"};
        StringBuilder b = new StringBuilder(n + 8);
        for (int i = 0; b.length() < n; i++) {
            b.append(words[i % words.length]).append(' ');
        }
        return b.substring(0, n);
    }

    static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
