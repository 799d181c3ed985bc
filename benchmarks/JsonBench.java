import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/**
 * Plain-JDK micro-benchmarks of Parley's JSON codec (no JMH, no dependencies).
 *
 * <p>Run from the repository root after {@code mvn -q -B package -DskipTests}, with a JDK 21+:
 * <pre>
 *   $JAVA -cp target/parley.jar benchmarks/JsonBench.java [--quick] [--filter TEXT] [--fixtures DIR]
 *   $JAVA -p target/parley.jar --add-modules dev.parley benchmarks/JsonBench.java [--quick]
 * </pre>
 *
 * <p>Each case runs as a loop inside its own lambda, so the timed loop is monomorphic. Per case:
 * a warm-up of several seconds, then timed rounds of about {@code ROUND_NANOS} each; each round
 * gives ns/op and bytes allocated per op (from {@code com.sun.management.ThreadMXBean}). The
 * table shows the median round and the min–max range. Results feed a blackhole (a hash
 * accumulated into a volatile field) so the JIT cannot drop the work.
 */
public class JsonBench {

    /** A case's timed loop: runs the operation {@code n} times and returns a hash of the results. */
    @FunctionalInterface
    interface Loop {
        long run(int n);
    }

    record Case(String name, int bytes, Loop loop) {
    }

    record Result(Case c, double medianNs, double minNs, double maxNs, double allocPerOp, int rounds) {
    }

    static volatile long sink;

    public static void main(String[] args) throws IOException {
        run("JsonBench", "# Parley JSON benchmarks", args, JsonBench::cases);
    }

    /**
     * Parses the command line ({@code [--quick] [--filter TEXT] [--fixtures DIR]}), loads the
     * inputs, measures every case whose name contains the filter and prints the table; shared
     * with {@code JacksonCompare.java}.
     */
    static void run(String program, String title, String[] args, java.util.function.Function<Inputs, List<Case>> cases)
            throws IOException {
        boolean quick = false;
        String filter = null;
        Path fixtures = Path.of("src/test/resources/fixtures/openai");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--filter" -> filter = args[++i];
                case "--fixtures" -> fixtures = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: " + program + " [--quick] [--filter TEXT] [--fixtures DIR]");
                    System.exit(2);
                }
            }
        }
        Inputs in = Inputs.load(fixtures);
        long warmup = quick ? 1_000_000_000L : 5_000_000_000L;
        int rounds = quick ? 5 : 10;
        long roundNanos = quick ? 100_000_000L : 300_000_000L;

        printHeader(title, in, quick, warmup, rounds, roundNanos);
        List<Result> results = new ArrayList<>();
        for (Case c : cases.apply(in)) {
            if (filter == null || c.name().contains(filter)) {
                results.add(measure(c, warmup, rounds, roundNanos));
            }
        }
        printTable(results);
    }

    static List<Case> cases(Inputs in) {
        byte[] chat = in.chat;
        byte[] chunk = in.chunk;
        byte[] emb60 = in.embeddings60k;
        byte[] emb130 = in.embeddings130k;
        JsonObject request = in.request;
        return List.of(
                new Case("parse chat completion", chat.length, n -> {
                    long h = 0;
                    for (int i = 0; i < n; i++) {
                        h = h * 31 + consume(Json.parse(chat));
                    }
                    return h;
                }),
                new Case("parse stream chunk", chunk.length, n -> {
                    long h = 0;
                    for (int i = 0; i < n; i++) {
                        h = h * 31 + consume(Json.parse(chunk));
                    }
                    return h;
                }),
                new Case("parse embeddings 2x1536", emb60.length, n -> {
                    long h = 0;
                    for (int i = 0; i < n; i++) {
                        h = h * 31 + consume(Json.parse(emb60));
                    }
                    return h;
                }),
                new Case("parse embeddings 4x1536", emb130.length, n -> {
                    long h = 0;
                    for (int i = 0; i < n; i++) {
                        h = h * 31 + consume(Json.parse(emb130));
                    }
                    return h;
                }),
                new Case("write chat request", Json.writeBytes(request).length, n -> {
                    long h = 0;
                    for (int i = 0; i < n; i++) {
                        byte[] out = Json.writeBytes(request);
                        h = h * 31 + out.length + out[out.length >> 1];
                    }
                    return h;
                }));
    }

    /** Something cheap that depends on the parsed value. */
    static int consume(JsonValue v) {
        return v instanceof JsonObject o ? o.size() : v.hashCode();
    }

    static Result measure(Case c, long warmupNanos, int rounds, long roundNanos) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // Warm up, growing the batch until one batch takes about a tenth of a round.
        int batch = 1;
        long warmEnd = System.nanoTime() + warmupNanos;
        while (System.nanoTime() < warmEnd) {
            long t0 = System.nanoTime();
            sink += c.loop().run(batch);
            long t = System.nanoTime() - t0;
            if (t < roundNanos / 10 && batch < (1 << 30)) {
                batch *= 2;
            }
        }
        // Calibrate: how many ops fill one round.
        long t0 = System.nanoTime();
        sink += c.loop().run(batch);
        double nsPerOp = (double) (System.nanoTime() - t0) / batch;
        int n = (int) Math.max(1, Math.min(Integer.MAX_VALUE, roundNanos / Math.max(nsPerOp, 0.1)));

        double[] ns = new double[rounds];
        double[] alloc = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long a0 = mx.getCurrentThreadAllocatedBytes();
            long s = System.nanoTime();
            long h = c.loop().run(n);
            long e = System.nanoTime();
            long a1 = mx.getCurrentThreadAllocatedBytes();
            sink += h;
            ns[r] = (double) (e - s) / n;
            alloc[r] = (double) (a1 - a0) / n;
        }
        double[] sorted = ns.clone();
        Arrays.sort(sorted);
        double[] allocSorted = alloc.clone();
        Arrays.sort(allocSorted);
        return new Result(c, median(sorted), sorted[0], sorted[rounds - 1], median(allocSorted), rounds);
    }

    static double median(double[] sorted) {
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    static void printHeader(String title, Inputs in, boolean quick, long warmup, int rounds, long roundNanos) {
        System.out.println(title);
        System.out.println();
        System.out.println("- date: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        System.out.println("- JDK: " + System.getProperty("java.vm.name") + " " + Runtime.version()
                + " (" + System.getProperty("java.vendor") + ")");
        System.out.println("- OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version")
                + " " + System.getProperty("os.arch"));
        System.out.println("- CPU: " + cpuModel() + ", availableProcessors=" + Runtime.getRuntime().availableProcessors());
        System.out.println("- JVM flags: " + ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.out.printf(Locale.ROOT, "- method: %s; warm-up %.0f s per case, then %d rounds of ~%d ms; median (min–max) of rounds%n",
                quick ? "QUICK run" : "full run", warmup / 1e9, rounds, roundNanos / 1_000_000);
        System.out.println("- inputs: " + in.describe());
        System.out.println();
    }

    static void printTable(List<Result> results) {
        System.out.println("| case | bytes | ns/op (median) | min–max ns/op | MB/s | ops/s | B allocated/op |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %,d | %,.1f | %,.1f–%,.1f | %,.0f | %,.0f | %,.0f |%n",
                    r.c().name(), r.c().bytes(), r.medianNs(), r.minNs(), r.maxNs(),
                    r.c().bytes() * 1e3 / r.medianNs(), 1e9 / r.medianNs(), r.allocPerOp());
        }
        System.out.println();
        System.out.println("MB = 10^6 bytes; MB/s and ops/s derive from the median.");
    }

    static String cpuModel() {
        Path p = Path.of("/proc/cpuinfo");
        if (Files.isReadable(p)) {
            try {
                for (String line : Files.readAllLines(p)) {
                    if (line.startsWith("model name")) {
                        return line.substring(line.indexOf(':') + 1).trim();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // fall through
            }
        }
        String env = System.getenv("PROCESSOR_IDENTIFIER");
        return env != null ? env : "unknown";
    }

    /**
     * The inputs, all derived from the OpenAI wire fixtures under {@code src/test/resources/fixtures/openai}.
     */
    static final class Inputs {
        byte[] chat;
        byte[] chunk;
        byte[] embeddings60k;
        byte[] embeddings130k;
        JsonObject request;

        /** A realistic answer: several sentences, {@code \n} escapes and a few non-ASCII characters. */
        static final String ANSWER = "Here is a simple way to brew pour-over coffee:\\n\\n"
                + "1. Heat water to about 93 °C (200 °F).\\n"
                + "2. Use 15 g of medium-fine coffee for 250 ml of water.\\n"
                + "3. Rinse the filter, add the grounds and let them bloom for 30 seconds.\\n"
                + "4. Pour the rest slowly, in circles, over 2–3 minutes.\\n\\n"
                + "Enjoy your coffee!";

        static Inputs load(Path dir) throws IOException {
            Inputs in = new Inputs();
            // 1. A chat completion: the pretty-printed fixture with a longer, realistic answer.
            String chat = Files.readString(dir.resolve("chat_with_headers.response.json"));
            String hello = "\"Hello! How can I help you today?\"";
            if (!chat.contains(hello)) {
                throw new IllegalStateException("chat_with_headers.response.json changed; update JsonBench.Inputs");
            }
            in.chat = chat.replace(hello, "\"" + ANSWER + "\"").getBytes(StandardCharsets.UTF_8);

            // 2. One stream chunk: the first content delta of the SSE fixture, without "data: ".
            List<String> data = Files.readAllLines(dir.resolve("stream_basic.response.sse")).stream()
                    .filter(l -> l.startsWith("data: {")).toList();
            in.chunk = data.get(1).substring("data: ".length()).getBytes(StandardCharsets.UTF_8);

            // 3. Embeddings: the fixture as it is (4 x 1536 floats, pretty-printed), and the same
            //    response cut to its first two embeddings (2 x 1536, same layout).
            String emb = Files.readString(dir.resolve("embeddings_float.response.json"));
            in.embeddings130k = emb.getBytes(StandardCharsets.UTF_8);
            in.embeddings60k = firstEmbeddings(emb, 2).getBytes(StandardCharsets.UTF_8);

            // 4. A chat request with tools, built with the builders.
            in.request = request();
            for (byte[] b : List.of(in.chat, in.chunk, in.embeddings60k, in.embeddings130k)) {
                Json.parse(b); // fail early on a broken input
            }
            return in;
        }

        /** Keeps the first {@code k} elements of {@code data}, cutting the text so the layout stays as it is. */
        static String firstEmbeddings(String emb, int k) {
            int at = -1;
            for (int i = 0; i <= k; i++) {
                at = emb.indexOf("\"object\": \"embedding\"", at + 1);
                if (at < 0) {
                    throw new IllegalStateException("embeddings fixture has fewer than " + (k + 1) + " embeddings");
                }
            }
            int cut = emb.lastIndexOf("},", at) + 1;       // end of element k-1
            int resume = emb.indexOf("\n  ],", at);        // end of the data array
            return emb.substring(0, cut) + emb.substring(resume);
        }

        static JsonObject function(String name, String description, JsonObject parameters) {
            return JsonObject.newBuilder()
                    .put("type", "function")
                    .put("function", JsonObject.newBuilder()
                            .put("name", name)
                            .put("description", description)
                            .put("parameters", parameters)
                            .put("strict", true)
                            .build())
                    .build();
        }

        static JsonObject prop(String type, String description) {
            return JsonObject.newBuilder().put("type", type).put("description", description).build();
        }

        static JsonObject request() {
            JsonObject weatherParams = JsonObject.newBuilder()
                    .put("type", "object")
                    .put("properties", JsonObject.newBuilder()
                            .put("city", prop("string", "The city, e.g. San Francisco"))
                            .put("state", prop("string", "The two-letter state code, e.g. CA"))
                            .put("unit", JsonObject.newBuilder()
                                    .put("type", "string")
                                    .put("enum", JsonArray.ofStrings(List.of("celsius", "fahrenheit")))
                                    .build())
                            .build())
                    .put("required", JsonArray.ofStrings(List.of("city", "state", "unit")))
                    .put("additionalProperties", false)
                    .build();
            JsonObject forecastParams = JsonObject.newBuilder()
                    .put("type", "object")
                    .put("properties", JsonObject.newBuilder()
                            .put("city", prop("string", "The city, e.g. San Francisco"))
                            .put("days", JsonObject.newBuilder()
                                    .put("type", "integer")
                                    .put("description", "How many days ahead, from 1 to 10")
                                    .put("minimum", 1)
                                    .put("maximum", 10)
                                    .build())
                            .build())
                    .put("required", JsonArray.ofStrings(List.of("city", "days")))
                    .put("additionalProperties", false)
                    .build();
            JsonArray messages = JsonArray.of(
                    JsonObject.newBuilder().put("role", "system").put("content",
                            "You are a helpful assistant for a travel company. Answer briefly, in the user's "
                                    + "language, and call the weather tools when the user asks about the weather.").build(),
                    JsonObject.newBuilder().put("role", "user")
                            .put("content", "What's the weather like in San Francisco today?").build(),
                    JsonObject.newBuilder().put("role", "assistant")
                            .put("content", JsonNull.INSTANCE)
                            .put("tool_calls", JsonArray.of(JsonObject.newBuilder()
                                    .put("id", "call_Vh2bXSqlJEyNmG3KjDrr1b7D")
                                    .put("type", "function")
                                    .put("function", JsonObject.newBuilder()
                                            .put("name", "get_weather")
                                            .put("arguments", "{\"city\":\"San Francisco\",\"state\":\"CA\",\"unit\":\"celsius\"}")
                                            .build())
                                    .build()))
                            .build(),
                    JsonObject.newBuilder().put("role", "tool")
                            .put("tool_call_id", "call_Vh2bXSqlJEyNmG3KjDrr1b7D")
                            .put("content", "{\"temperature\":18,\"unit\":\"celsius\",\"conditions\":\"partly cloudy\",\"wind_kph\":14}")
                            .build(),
                    JsonObject.newBuilder().put("role", "assistant")
                            .put("content", "It is 18 °C and partly cloudy in San Francisco, with a light wind of 14 km/h.").build(),
                    JsonObject.newBuilder().put("role", "user")
                            .put("content", "Thanks! And what about the next three days? Should I pack an umbrella?").build());
            return JsonObject.newBuilder()
                    .put("model", "gpt-4o-2024-08-06")
                    .put("messages", messages)
                    .put("tools", JsonArray.of(
                            function("get_weather", "Get the current weather in a given city", weatherParams),
                            function("get_forecast", "Get the daily weather forecast for a city", forecastParams)))
                    .put("tool_choice", "auto")
                    .put("parallel_tool_calls", true)
                    .put("temperature", 0.7)
                    .put("top_p", 1.0)
                    .put("max_completion_tokens", 512)
                    .put("stream", false)
                    .put("user", "user-1234")
                    .build();
        }

        String describe() {
            return String.format(Locale.ROOT,
                    "chat completion %d B (chat_with_headers.response.json, pretty-printed, answer of %d chars with \\n escapes and non-ASCII); "
                            + "stream chunk %d B (2nd data line of stream_basic.response.sse); "
                            + "embeddings %d B (first 2 of the 4 x 1536 floats of embeddings_float.response.json, same layout) and %d B (the whole fixture); "
                            + "chat request %d B written (6 messages, 2 tools with JSON schemas, sampling options)",
                    chat.length, ANSWER.replace("\\n", "\n").length(), chunk.length, embeddings60k.length,
                    embeddings130k.length, Json.writeBytes(request).length);
        }
    }
}
