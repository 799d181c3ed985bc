import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
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
 * String and extracts the answer with {@code indexOf}. The scenarios and the {@code RESULT
 * key=value ...} line it prints are {@code BenchHarness}'s; {@code RunAll.java} runs this in
 * fresh JVMs, interleaving the clients.
 *
 * <pre>
 *   java -cp target/parley.jar benchmarks/ClientBench.java --scenario chat --client parley \
 *        --url http://127.0.0.1:8099 --n 5000 --concurrency 1 --warmup 2000
 * </pre>
 *
 * (With JDK 22+ the source launcher compiles {@code BenchHarness.java} next to it.) Clients:
 * {@code --client parley | parley-bare | raw}; {@code --http}: the raw client's HttpClient
 * settings ({@code vt | h2 | timeout | parley}), or {@code default} for Parley on an HttpClient
 * with the default executor.
 */
public class ClientBench {

    public static void main(String[] args) throws Exception {
        BenchHarness.run(args, "parley", o -> {
            String url = o.get("url");
            String encoding = o.getOrDefault("encoding", "float");
            String http = o.getOrDefault("http", "");
            return switch (o.get("client")) {
                case "raw" -> new Raw(url, encoding, http);
                case "parley-bare" -> new Bare(url, encoding);
                default -> new Parley(url, encoding, http.equals("default"));
            };
        });
    }

    // ---- the clients

    /** Parley as an application uses it: the facade, default policies. */
    static final class Parley implements BenchHarness.Client {
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
    static final class Bare implements BenchHarness.Client {
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
    static final class Raw implements BenchHarness.Client {
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
}
