import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The measuring half of a client benchmark, shared by {@code ClientBench} (Parley and the raw
 * floor) and the peer programs ({@code PeerOpenAiJava}, {@code PeerLangChain4j},
 * {@code PeerSimpleOpenAi}): the scenarios, the meters, and the one {@code RESULT key=value ...}
 * line that {@code RunAll.java} reads. It needs nothing but the JDK, so a peer program compiles
 * and runs with only its SDK on the class path; with JDK 22+ the source launcher finds this file
 * next to the program it launches ({@code java -cp <SDK> benchmarks/PeerOpenAiJava.java ...}).
 *
 * <p>Options: {@code --url} (the fake server's root), {@code --scenario chat|stream|embed},
 * {@code --client} (passed to the program's factory), {@code --n}, {@code --warmup},
 * {@code --concurrency}, {@code --rounds}, {@code --chunks}, {@code --expect-length},
 * {@code --encoding base64|float}, {@code --dims}, {@code --http}.
 *
 * <p>Scenarios: {@code chat} (n chats from {@code concurrency} virtual threads), {@code stream}
 * ({@code concurrency} streams at once, {@code rounds} times, each expecting {@code chunks}
 * content chunks), {@code embed} (n sequential embedding requests, {@code --encoding base64|float}).
 */
public final class BenchHarness {

    static final String PROMPT = "Summarise the plot of Hamlet in three sentences, for a reader who has"
            + " never seen the play, and mention \"Elsinore\" once.";
    static final String EMBED_TEXT = "The quick brown fox jumps over the lazy dog, again and again, for embeddings.";

    private BenchHarness() {
    }

    /**
     * Runs one measured scenario with the client {@code clients} makes from the options, prints
     * the RESULT line and exits. {@code defaultClient} names the client when {@code --client}
     * does not.
     */
    static void run(String[] args, String defaultClient, Function<Map<String, String>, Client> clients) throws Exception {
        Map<String, String> o = options(args);
        o.putIfAbsent("client", defaultClient);
        String scenario = o.getOrDefault("scenario", "chat");
        String client = o.get("client");
        int n = Integer.parseInt(o.getOrDefault("n", "1000"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "500"));
        int concurrency = Integer.parseInt(o.getOrDefault("concurrency", "1"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "1"));
        int chunks = Integer.parseInt(o.getOrDefault("chunks", "100"));
        int expectedLength = Integer.parseInt(o.getOrDefault("expect-length", "-1"));
        int dims = Integer.parseInt(o.getOrDefault("dims", "1536"));
        int port = URI.create(o.get("url")).getPort();

        Set<Integer> before = Tcp.clientPorts(port);
        Client c = clients.apply(o);
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
        System.exit(0); // an HttpClient's selector thread would otherwise keep the JVM briefly
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

    // ---- what a client under test implements

    /** One client under test: blocking calls, each returning or throwing. */
    interface Client {
        String chat(String prompt) throws Exception;

        /** Streams an answer, calling {@code onContent} once per content chunk. */
        void stream(String prompt, Runnable onContent) throws Exception;

        float[] embed(String text) throws Exception;

        /** {@return the retries the client made, or -1 when it does not tell} */
        long retries();
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
