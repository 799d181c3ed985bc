import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.Llm;
import dev.parley.Message;
import dev.parley.ModelInfo;
import dev.parley.Usage;
import dev.parley.cache.CachePolicy;
import dev.parley.cost.CostTracker;
import dev.parley.cost.PriceTable;
import dev.parley.limit.RateLimitPolicy;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;
import dev.parley.testing.ScriptedProvider;

/**
 * In-process costs of Parley's policies, no network: a cache hit through {@code Llm}, a
 * rate-limiter acquire and release (uncontended, and from 1,000 virtual threads), cost
 * accounting, and the whole default {@code Llm} stack around a provider that answers at once.
 *
 * <pre>
 *   java -cp target/parley.jar benchmarks/PolicyBench.java [--quick]
 * </pre>
 *
 * Each case: a warm-up, then timed rounds; each round gives ns/op and bytes allocated per op
 * (com.sun.management.ThreadMXBean). Prints one {@code RESULT} line per case with the median
 * round and the range.
 */
public class PolicyBench {

    interface Loop {
        long run(int n) throws Exception;
    }

    static volatile long sink;

    static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        boolean quick = args.length > 0 && args[0].equals("--quick");
        long warmupNanos = quick ? 1_000_000_000L : 3_000_000_000L;
        int rounds = quick ? 5 : 10;
        long roundNanos = quick ? 150_000_000L : 300_000_000L;

        ChatRequest request = ChatRequest.newBuilder().model("m")
                .addMessage(Message.system("You are terse."))
                .addMessage(Message.user("What is the capital of France? Answer in one word."))
                .build();
        ChatResponse answer = ChatResponse.newBuilder().provider("bench").model("m").text("Paris")
                .finishReason("stop").usage(Usage.of(20, 2)).build();
        Provider instant = new Instant(answer);

        // Cache hit: the same request through Llm with a cache, the provider answers once.
        ScriptedProvider scripted = ScriptedProvider.newBuilder("scripted").reply("Paris").build();
        Llm cached = Llm.newBuilder().provider(scripted).defaultModel("m").cache(CachePolicy.newBuilder().build()).build();
        cached.chat(request);
        measure("cache hit through Llm (chat)", warmupNanos, rounds, roundNanos, n -> {
            long h = 0;
            for (int i = 0; i < n; i++) {
                h += cached.chat(request).text().length();
            }
            return h;
        });

        // The default Llm stack around a provider that answers at once: what each call pays.
        Llm stack = Llm.newBuilder().provider(instant).defaultModel("m").build();
        measure("Llm default stack, instant provider (chat)", warmupNanos, rounds, roundNanos, n -> {
            long h = 0;
            for (int i = 0; i < n; i++) {
                h += stack.chat(request).text().length();
            }
            return h;
        });

        // Rate limiter: acquire + release around a provider that answers at once, minus the
        // provider alone. Limits far above the rate, so nobody waits.
        Provider concurrencyOnly = RateLimitPolicy.newBuilder().maxConcurrent(100_000).build().decorate(instant);
        Provider windows = RateLimitPolicy.newBuilder()
                .requestsPerWindow(1_000_000, Duration.ofMillis(100))
                .tokensPerWindow(1_000_000_000_000L, Duration.ofMillis(100))
                .maxConcurrent(100_000).build().decorate(instant);
        Loop bare = n -> {
            long h = 0;
            for (int i = 0; i < n; i++) {
                h += instant.chat(request).usage().totalTokens();
            }
            return h;
        };
        double base = measure("provider alone (baseline for the limiter)", warmupNanos, rounds, roundNanos, bare)[0];
        double[] c1 = measure("limiter acquire+release, concurrency limit, uncontended", warmupNanos, rounds, roundNanos, n -> {
            long h = 0;
            for (int i = 0; i < n; i++) {
                h += concurrencyOnly.chat(request).usage().totalTokens();
            }
            return h;
        });
        report("limiter net of provider, concurrency limit, uncontended", c1[0] - base, c1[1] - base, c1[2] - base, c1[3]);
        double[] c2 = measure("limiter acquire+release, request+token windows+concurrency, uncontended", warmupNanos, rounds,
                roundNanos, n -> {
                    long h = 0;
                    for (int i = 0; i < n; i++) {
                        h += windows.chat(request).usage().totalTokens();
                    }
                    return h;
                });
        report("limiter net of provider, windows+concurrency, uncontended", c2[0] - base, c2[1] - base, c2[2] - base, c2[3]);

        // 1,000 virtual threads through one limiter: wall time per call over all threads.
        measure("limiter, 1000 virtual threads, windows+concurrency (wall ns per call)", warmupNanos, rounds, roundNanos,
                n -> vthreads(1000, n, () -> windows.chat(request)));
        Provider tight = RateLimitPolicy.newBuilder().maxConcurrent(8).build().decorate(instant);
        measure("limiter, 1000 virtual threads, maxConcurrent 8 (wall ns per call)", warmupNanos, rounds, roundNanos,
                n -> vthreads(1000, n, () -> tight.chat(request)));

        // Cost accounting.
        CostTracker tracker = new CostTracker(PriceTable.builtIn());
        Usage usage = Usage.of(1200, 300);
        measure("CostTracker.record (priced model)", warmupNanos, rounds, roundNanos, n -> {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += tracker.record("openai", "gpt-4o-mini", usage);
            }
            return (long) s;
        });
        System.exit(0);
    }

    static long vthreads(int threads, int n, Runnable call) throws InterruptedException {
        int per = Math.max(1, n / threads);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                ex.execute(() -> {
                    for (int i = 0; i < per; i++) {
                        call.run();
                    }
                });
            }
        }
        return per;
    }

    /** @return median, min, max ns/op and median bytes/op */
    static double[] measure(String name, long warmupNanos, int rounds, long roundNanos, Loop loop) throws Exception {
        int n = 1000;
        long end = System.nanoTime() + warmupNanos;
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            sink += loop.run(n);
            long d = System.nanoTime() - t;
            if (d < roundNanos / 4) {
                n = (int) Math.min(50_000_000, n * 2L);
            }
        }
        // n now takes about a round or more
        List<double[]> rs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            long a = THREADS.getTotalThreadAllocatedBytes();
            long t = System.nanoTime();
            sink += loop.run(n);
            long d = System.nanoTime() - t;
            long bytes = THREADS.getTotalThreadAllocatedBytes() - a;
            rs.add(new double[] {(double) d / n, (double) bytes / n});
        }
        rs.sort((x, y) -> Double.compare(x[0], y[0]));
        double[] out = {rs.get(rs.size() / 2)[0], rs.get(0)[0], rs.get(rs.size() - 1)[0], rs.get(rs.size() / 2)[1]};
        report(name, out[0], out[1], out[2], out[3]);
        return out;
    }

    static void report(String name, double median, double min, double max, double bytes) {
        System.out.println(String.format(Locale.ROOT, "RESULT case=%s nsPerOp=%.1f min=%.1f max=%.1f bytesPerOp=%.0f",
                name.replace(' ', '_'), median, min, max, bytes));
    }

    /** A provider that answers at once with a fixed response. */
    record Instant(ChatResponse answer) implements Provider {
        @Override
        public String name() {
            return "bench";
        }

        @Override
        public Set<Capability> capabilities() {
            return EnumSet.allOf(Capability.class);
        }

        @Override
        public ChatResponse chat(ChatRequest request) {
            return answer;
        }

        @Override
        public ChatStream stream(ChatRequest request) {
            return ChatStream.ofResponse(answer);
        }

        @Override
        public List<ModelInfo> models() {
            return List.of();
        }
    }
}
