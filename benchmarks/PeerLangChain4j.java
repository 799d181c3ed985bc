import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;

/**
 * The peer comparison's client for LangChain4j's OpenAI module,
 * {@code dev.langchain4j:langchain4j-open-ai} (the JDK's HttpClient underneath, through
 * {@code langchain4j-http-client-jdk}), set up as its documentation says for another base URL:
 * {@code OpenAiChatModel.builder().baseUrl(url + "/v1").apiKey(...).modelName("m").build()}, and
 * the same for {@code OpenAiStreamingChatModel} and {@code OpenAiEmbeddingModel}
 * ({@code encodingFormat("base64")} or {@code "float"}). Retries: {@code maxRetries(2)} (3
 * attempts, as Parley's default) for chats and embeddings; the streaming model has no retries.
 * Streams are callbacks on LangChain4j's threads; the calling thread waits for the end.
 * Compiles and runs only with the SDK on the class path, which {@code run-all.sh --peers}
 * fetches; the measurement is {@code BenchHarness}'s:
 *
 * <pre>
 *   java -cp "$(cat target/peers/langchain4j/classpath.txt)" benchmarks/PeerLangChain4j.java \
 *        --scenario chat --url http://127.0.0.1:8099 --n 5000 --warmup 10000
 * </pre>
 *
 * {@code Cold} is the cold-start program: build the chat model, one chat, print the answer.
 */
public class PeerLangChain4j {

    public static void main(String[] args) throws Exception {
        BenchHarness.run(args, "langchain4j", o -> new Bench(o.get("url"), o.getOrDefault("encoding", "float")));
    }

    static OpenAiChatModel chatModel(String url) {
        return OpenAiChatModel.builder().baseUrl(url + "/v1").apiKey("sk-bench").modelName("m").maxRetries(2).build();
    }

    static final class Bench implements BenchHarness.Client {
        final OpenAiChatModel chat;
        final OpenAiStreamingChatModel streaming;
        final OpenAiEmbeddingModel embeddings;

        Bench(String url, String encoding) {
            this.chat = chatModel(url);
            this.streaming = OpenAiStreamingChatModel.builder().baseUrl(url + "/v1").apiKey("sk-bench").modelName("m")
                    .build();
            this.embeddings = OpenAiEmbeddingModel.builder().baseUrl(url + "/v1").apiKey("sk-bench")
                    .modelName("text-embedding-3-small").encodingFormat(encoding).maxRetries(2).build();
        }

        @Override
        public String chat(String prompt) {
            return chat.chat(prompt);
        }

        @Override
        public void stream(String prompt, Runnable onContent) throws InterruptedException, ExecutionException {
            CompletableFuture<ChatResponse> done = new CompletableFuture<>();
            streaming.chat(prompt, new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String partial) {
                    if (!partial.isEmpty()) {
                        onContent.run();
                    }
                }

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    done.complete(response);
                }

                @Override
                public void onError(Throwable error) {
                    done.completeExceptionally(error);
                }
            });
            done.get();
        }

        @Override
        public float[] embed(String text) {
            return embeddings.embed(text).content().vector();
        }

        @Override
        public long retries() {
            return -1;
        }
    }

    /** Cold start: {@code java -cp <SDK>:<these classes> 'PeerLangChain4j$Cold' URL}. */
    public static final class Cold {
        public static void main(String[] args) {
            System.out.println(chatModel(args[0]).chat("hi"));
        }
    }
}
