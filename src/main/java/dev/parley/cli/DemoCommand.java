package dev.parley.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.parley.ChatChunk;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.Llm;
import dev.parley.MetricsSnapshot;
import dev.parley.cache.CachePolicy;
import dev.parley.cost.CostPolicy;
import dev.parley.cost.CostSummary;
import dev.parley.cost.ModelPrice;
import dev.parley.cost.Money;
import dev.parley.cost.PriceTable;
import dev.parley.retry.RetryPolicy;
import dev.parley.testing.Fault;
import dev.parley.testing.FakeLlmServer;

/**
 * {@code parley demo}: a tour of Parley against its own fake provider server, started
 * in-process on 127.0.0.1, so it needs no key and no network. Everything goes over real HTTP
 * through the same adapters and policies as a real provider.
 */
final class DemoCommand {

    private static final String MODEL = "gpt-4o-mini";

    private final PrintStream out;

    DemoCommand(PrintStream out) {
        this.out = out;
    }

    int run(List<String> argv) {
        Args a = Args.parse(argv, Set.of(), Set.of("verbose"));
        if (!a.words.isEmpty()) {
            throw new UsageException("demo takes no arguments, got " + a.words.get(0));
        }
        try (FakeLlmServer server = FakeLlmServer.newBuilder()
                .reply("Parley is a zero-dependency Java library for calling large language models.")
                .streamChunks(12)
                .interChunkDelay(Duration.ofMillis(25))
                .latency(Duration.ofMillis(40))
                .build()
                .start()) {
            run(server);
        }
        return ExitCode.OK.code;
    }

    private void run(FakeLlmServer server) {
        out.println("Parley demo: a fake provider is listening on " + server.uri()
                + " (OpenAI, Anthropic and Ollama wire formats).");
        out.println("No API key and no network are used; every call below is real HTTP to it.");

        // The demo model is priced like OpenAI's gpt-4o-mini in the table shipped with Parley.
        PriceTable builtIn = PriceTable.builtIn();
        ModelPrice price = builtIn.find("openai", MODEL).orElse(ModelPrice.of(0.15, 0.60));
        CostPolicy cost = CostPolicy.newBuilder()
                .prices(builtIn.withPrice("openai-compatible", MODEL, price).withPrice("anthropic", "claude-sonnet-4-5",
                        builtIn.find("anthropic", "claude-sonnet-4-5").orElse(ModelPrice.of(3, 15))))
                .build();
        Map<String, String> settings = Map.of(
                "OPENAI_BASE_URL", server.uri("/v1").toString(),
                "OPENAI_API_KEY", "demo-key-not-secret",
                "ANTHROPIC_BASE_URL", server.uri().toString(),
                "ANTHROPIC_API_KEY", "demo-key-not-secret");
        Llm llm = Llm.newBuilder()
                .provider("openai-compatible")
                .settings(settings)
                .defaultModel(MODEL)
                .cache(CachePolicy.newBuilder().expireAfterWrite(Duration.ofMinutes(10)).build())
                .retry(RetryPolicy.newBuilder().maxAttempts(3).baseDelay(Duration.ofMillis(100)).build())
                .cost(cost)
                .build();

        heading("1. Chat");
        long t0 = System.nanoTime();
        ChatResponse r = llm.chat("What is Parley?");
        out.println("   answer:  " + r.text());
        out.printf(Locale.ROOT, "   %d+%d tokens, finish reason %s, %d ms%n", r.usage().inputTokens(), r.usage().outputTokens(),
                r.finishReason(), millis(t0));

        heading("2. A streamed answer, printed as it arrives");
        out.print("   ");
        int chunks = 0;
        t0 = System.nanoTime();
        long first = -1;
        try (ChatStream stream = llm.stream("Stream the answer, please.")) {
            for (ChatChunk chunk : stream) {
                if (!chunk.textDelta().isEmpty() && first < 0) {
                    first = millis(t0);
                }
                chunks++;
                out.print(chunk.textDelta());
                out.flush();
            }
        }
        out.println();
        out.printf(Locale.ROOT, "   %d chunks, first after %d ms, all after %d ms%n", chunks, first, millis(t0));

        heading("3. A cache hit: the same question again");
        long before = server.requestCount();
        t0 = System.nanoTime();
        r = llm.chat("What is Parley?");
        out.printf(Locale.ROOT, "   answer:  %s%n   answered in %d ms; requests sent to the provider: %d%n",
                r.text(), millis(t0), server.requestCount() - before);

        heading("4. A retry after an HTTP 429 with Retry-After: 0.3 s");
        server.failNext(1, Fault.rateLimited(Duration.ofMillis(300)));
        MetricsSnapshot m0 = llm.metrics().snapshot();
        t0 = System.nanoTime();
        r = llm.chat("Tell me about retries.");
        MetricsSnapshot m1 = llm.metrics().snapshot();
        out.printf(Locale.ROOT, "   answer after %d attempts in %d ms (waited as the server asked): %s%n",
                m1.attempts() - m0.attempts(), millis(t0), r.text());

        heading("5. A fallback: the primary is overloaded, Anthropic answers");
        Llm withFallback = Llm.newBuilder()
                .provider("openai-compatible")
                .settings(settings)
                .defaultModel(MODEL)
                .retry(RetryPolicy.newBuilder().maxAttempts(2).baseDelay(Duration.ofMillis(50)).build())
                .fallback("anthropic", "claude-sonnet-4-5")
                .cost(cost)
                .build();
        server.failNext(2, Fault.overloaded());
        t0 = System.nanoTime();
        r = withFallback.chat("Who answers when the primary is down?");
        out.printf(Locale.ROOT, "   the primary failed twice (HTTP 529); %s/%s answered in %d ms: %s%n",
                r.provider(), r.model(), millis(t0), r.text());

        heading("6. Cost summary (list prices from the table dated " + builtIn.asOf() + ")");
        for (CostSummary s : cost.tracker().summary()) {
            out.printf(Locale.ROOT, "   %-18s %-18s %3d calls %6d in %6d out  %s%n",
                    s.provider(), s.model(), s.calls(), s.inputTokens(), s.outputTokens(), Money.format(s.cost()));
        }
        out.printf(Locale.ROOT, "   total: %s%n", Money.format(cost.tracker().totalCost()));
        MetricsSnapshot m = llm.metrics().snapshot();
        out.printf(Locale.ROOT, "   client metrics: %d calls, %d attempts, %d cache hits, %d errors, %d stream chunks%n",
                m.calls(), m.attempts(), m.cacheHits(), m.errors(), m.chunks());
        out.println();
        out.println("Done. Try it with a real provider: export OPENAI_API_KEY=... and run: parley chat \"Hello\"");
        out.println("(after the build, parley is target/parley; in a jlink image, bin/parley)");
    }

    private void heading(String title) {
        out.println();
        out.println(title);
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
