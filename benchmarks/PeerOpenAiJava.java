import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.EmbeddingCreateParams;

/**
 * The peer comparison's client for OpenAI's own Java SDK, {@code com.openai:openai-java}
 * (OkHttp underneath), set up as its README says for another base URL:
 * {@code OpenAIOkHttpClient.builder().baseUrl(url + "/v1").apiKey(...).build()}, with its default
 * of 2 retries (3 attempts, as Parley's default) and its default timeouts. Embeddings ask for
 * {@code encoding_format} base64 (the SDK's own default) or float, and the SDK decodes either to
 * a {@code List<Float>}. Compiles and runs only with the SDK on the class path, which
 * {@code run-all.sh --peers} fetches; the measurement is {@code BenchHarness}'s:
 *
 * <pre>
 *   java -cp "$(cat target/peers/openai-java/classpath.txt)" benchmarks/PeerOpenAiJava.java \
 *        --scenario chat --url http://127.0.0.1:8099 --n 5000 --warmup 10000
 * </pre>
 *
 * {@code Cold} is the cold-start program: build the client, one chat, print the answer.
 */
public class PeerOpenAiJava {

    public static void main(String[] args) throws Exception {
        BenchHarness.run(args, "openai-java", o -> new Bench(o.get("url"), o.getOrDefault("encoding", "float")));
    }

    static OpenAIClient client(String url) {
        return OpenAIOkHttpClient.builder().baseUrl(url + "/v1").apiKey("sk-bench").maxRetries(2).build();
    }

    static ChatCompletionCreateParams chat(String prompt) {
        return ChatCompletionCreateParams.builder().model("m").addUserMessage(prompt).build();
    }

    static final class Bench implements BenchHarness.Client {
        final OpenAIClient client;
        final EmbeddingCreateParams.EncodingFormat encoding;

        Bench(String url, String encoding) {
            this.client = client(url);
            this.encoding = encoding.equals("base64") ? EmbeddingCreateParams.EncodingFormat.BASE64
                    : EmbeddingCreateParams.EncodingFormat.FLOAT;
        }

        @Override
        public String chat(String prompt) {
            return client.chat().completions().create(PeerOpenAiJava.chat(prompt)).choices().get(0).message().content()
                    .orElseThrow();
        }

        @Override
        public void stream(String prompt, Runnable onContent) {
            // The same body as the others: usage on the last chunk.
            ChatCompletionCreateParams params = PeerOpenAiJava.chat(prompt).toBuilder()
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
            try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
                s.stream().forEach(chunk -> {
                    for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                        if (!choice.delta().content().orElse("").isEmpty()) {
                            onContent.run();
                        }
                    }
                });
            }
        }

        @Override
        public float[] embed(String text) {
            List<Float> v = client.embeddings().create(EmbeddingCreateParams.builder().model("text-embedding-3-small")
                    .input(EmbeddingCreateParams.Input.ofArrayOfStrings(List.of(text))).encodingFormat(encoding).build())
                    .data().get(0).embedding();
            float[] out = new float[v.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = v.get(i);
            }
            return out;
        }

        @Override
        public long retries() {
            return -1;
        }
    }

    /** Cold start: {@code java -cp <SDK>:<these classes> 'PeerOpenAiJava$Cold' URL}. */
    public static final class Cold {
        public static void main(String[] args) {
            OpenAIClient client = client(args[0]);
            System.out.println(client.chat().completions().create(chat("hi")).choices().get(0).message().content().orElseThrow());
            client.close();
        }
    }
}
