package dev.parley.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import dev.parley.internal.Durations;

/** Reads {@link FakeLlmServer#main}'s command line. Stateless and thread-safe. */
final class FakeServerArgs {

    static final String USAGE = """
            usage: FakeLlmServer [--port N] [--host H] [--latency D] [--inter-chunk-delay D] [--chunks N]
                                 [--reply TEXT] [--dimensions N]
              durations: seconds (2, 0.25), or 250ms, 2s, 1m, 1h or ISO-8601 (PT0.5S), as in Parley's settings""";

    private FakeServerArgs() {
    }

    /** Runs a server with the options until the process is killed; exits with 2 on a bad option. */
    static void run(String[] args) throws InterruptedException {
        FakeLlmServer.Builder b;
        try {
            b = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("FakeLlmServer: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (b == null) {
            System.out.println(USAGE);
            return;
        }
        FakeLlmServer server = b.build().start();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            done.countDown();
        }));
        System.out.println("FakeLlmServer listening on " + server.uri()
                + " (OpenAI: " + server.uri("/v1") + ", Anthropic: " + server.uri() + "/v1/messages, Ollama: "
                + server.uri() + "/api)");
        done.await();
    }

    /** {@return a builder for the options, or null when help was asked for} @throws IllegalArgumentException naming a bad option */
    static FakeLlmServer.Builder parse(String[] args) {
        FakeLlmServer.Builder b = FakeLlmServer.newBuilder();
        for (int i = 0; i < args.length; i++) {
            String opt = args[i];
            if (opt.equals("--help") || opt.equals("-h")) {
                return null;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + opt);
            }
            String v = args[++i];
            switch (opt) {
                case "--port" -> b.port(integer(opt, v));
                case "--host" -> b.host(v);
                case "--latency" -> b.latency(duration(opt, v));
                case "--inter-chunk-delay" -> b.interChunkDelay(duration(opt, v));
                case "--chunks" -> b.streamChunks(integer(opt, v));
                case "--reply" -> b.reply(v);
                case "--dimensions" -> b.embeddingDimensions(integer(opt, v));
                default -> throw new IllegalArgumentException("unknown option " + opt);
            }
        }
        return b;
    }

    private static int integer(String opt, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + ": expected a whole number, got \"" + v + "\"");
        }
    }

    /**
     * {@return a duration read as Parley's settings read one (a bare number is seconds; 250ms,
     * 2s, 1m, 1h or ISO-8601)}
     */
    static Duration duration(String opt, String v) {
        Duration max = Duration.ofDays(1);
        try {
            Duration d = Durations.parse(v, max);
            if (d.isNegative() || d.compareTo(max) > 0) {
                throw new IllegalArgumentException("expected a duration from 0 to 1 day, got \"" + v + "\"");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(opt + ": " + e.getMessage());
        }
    }
}
