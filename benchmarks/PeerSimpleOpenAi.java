import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import io.github.sashirestela.openai.SimpleOpenAI;
import io.github.sashirestela.openai.common.StreamOptions;
import io.github.sashirestela.openai.domain.chat.Chat;
import io.github.sashirestela.openai.domain.chat.ChatMessage.UserMessage;
import io.github.sashirestela.openai.domain.chat.ChatRequest;
import io.github.sashirestela.openai.domain.embedding.EmbeddingRequest;

/**
 * The peer comparison's client for {@code io.github.sashirestela:simple-openai} (CleverClient
 * on the JDK's HttpClient underneath), set up as its README says for another base URL:
 * {@code SimpleOpenAI.builder().apiKey(...).baseUrl(url).build()} (the SDK adds {@code /v1}
 * itself), with its default retry configuration (3 attempts, as Parley's default). Calls return
 * {@code CompletableFuture}s, joined here. Embeddings: {@code create} for floats (a
 * {@code List<Double>}), {@code createBase64} for base64, which hands back the base64 text:
 * decoding it is the caller's job, done here with {@code java.util.Base64} as the raw floor does.
 * Compiles and runs only with the SDK on the class path, which {@code run-all.sh --peers}
 * fetches; the measurement is {@code BenchHarness}'s:
 *
 * <pre>
 *   java -cp "$(cat target/peers/simple-openai/classpath.txt)" benchmarks/PeerSimpleOpenAi.java \
 *        --scenario chat --url http://127.0.0.1:8099 --n 5000 --warmup 10000
 * </pre>
 *
 * {@code Cold} is the cold-start program: build the client, one chat, print the answer.
 */
public class PeerSimpleOpenAi {

    public static void main(String[] args) throws Exception {
        BenchHarness.run(args, "simple-openai", o -> new Bench(o.get("url"), o.getOrDefault("encoding", "float")));
    }

    static SimpleOpenAI client(String url) {
        return SimpleOpenAI.builder().apiKey("sk-bench").baseUrl(url).build();
    }

    static ChatRequest.ChatRequestBuilder chat(String prompt) {
        return ChatRequest.builder().model("m").message(UserMessage.of(prompt));
    }

    static final class Bench implements BenchHarness.Client {
        final SimpleOpenAI client;
        final boolean base64;

        Bench(String url, String encoding) {
            this.client = client(url);
            this.base64 = encoding.equals("base64");
        }

        @Override
        public String chat(String prompt) {
            return client.chatCompletions().create(PeerSimpleOpenAi.chat(prompt).build()).join().firstContent();
        }

        @Override
        public void stream(String prompt, Runnable onContent) {
            // The same body as the others: usage on the last chunk.
            ChatRequest request = PeerSimpleOpenAi.chat(prompt).streamOptions(StreamOptions.of(true)).build();
            try (Stream<Chat> chunks = client.chatCompletions().createStream(request).join()) {
                chunks.forEach(chunk -> {
                    for (Chat.Choice choice : chunk.getChoices()) {
                        String content = choice.getMessage() == null ? null : choice.getMessage().getContent();
                        if (content != null && !content.isEmpty()) {
                            onContent.run();
                        }
                    }
                });
            }
        }

        @Override
        public float[] embed(String text) {
            EmbeddingRequest.EmbeddingRequestBuilder request = EmbeddingRequest.builder().model("text-embedding-3-small")
                    .input(List.of(text));
            if (base64) {
                String b64 = client.embeddings().createBase64(request.build()).join().getData().get(0).getEmbedding();
                byte[] bytes = Base64.getDecoder().decode(b64);
                float[] v = new float[bytes.length / 4];
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                return v;
            }
            List<Double> d = client.embeddings().create(request.encodingFormat(EmbeddingRequest.EncodingFormat.FLOAT).build())
                    .join().getData().get(0).getEmbedding();
            float[] v = new float[d.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = d.get(i).floatValue();
            }
            return v;
        }

        @Override
        public long retries() {
            return -1;
        }
    }

    /** Cold start: {@code java -cp <SDK>:<these classes> 'PeerSimpleOpenAi$Cold' URL}. */
    public static final class Cold {
        public static void main(String[] args) {
            System.out.println(client(args[0]).chatCompletions().create(chat("hi").build()).join().firstContent());
        }
    }
}
