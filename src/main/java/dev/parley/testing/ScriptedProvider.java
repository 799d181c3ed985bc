package dev.parley.testing;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.Embedding;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.Usage;
import dev.parley.internal.flow.Relay;
import dev.parley.spi.CallScope;
import dev.parley.spi.Capability;
import dev.parley.spi.Chain;
import dev.parley.spi.Provider;

/**
 * A {@link Provider} for tests that answers from a script and records what it was asked.
 *
 * {@snippet :
 * ScriptedProvider provider = ScriptedProvider.newBuilder("fake")
 *         .reply("Paris")                                  // first call
 *         .fail(LlmException.newBuilder(LlmException.Kind.RATE_LIMITED).build()) // second call
 *         .reply("Lyon")                                   // third call, and every call after it
 *         .build();
 * Llm llm = Llm.newBuilder().provider(provider).defaultModel("m").build();
 * assertEquals("Paris", llm.chat("Capital of France?").text());
 * assertEquals("Capital of France?", provider.requests().get(0).messages().get(0).text());
 * }
 *
 * <p><b>The chat script.</b> Each {@code chat} or {@code stream} call takes the next step of one
 * script; the last step repeats, so a script of one step answers every call. Any step serves
 * both: a step that answers whole ({@link Builder#reply(String) reply},
 * {@link Builder#answer answer}, {@link Builder#fail fail}) streams its response as chunks (one
 * for the text, one for the finish reason and usage) or its failure as the stream's error; a step
 * that streams ({@link Builder#chunks chunks}, {@link Builder#stream stream}) is collected into a
 * response for {@code chat}. A stream takes its step when {@code stream} is called but runs it
 * only when subscribed to, as a real provider sends its request only then.
 *
 * <p><b>Computed steps.</b> {@link Builder#answer answer} and {@link Builder#stream stream} run a
 * function of the request on the calling thread (for a stream, the thread that subscribes): it
 * may block (on a latch, to hold calls in flight), throw (what it throws reaches the caller as it
 * is, or fails the stream), or read the test's own state to change what later calls get.
 *
 * <p><b>Embeddings and models</b> have scripts of their own ({@link Builder#embed embed},
 * {@link Builder#models(List) models}); without one, embeddings are made from the input text
 * (deterministic, so equal texts give equal vectors) and the model list is empty.
 *
 * <p><b>What the test can observe:</b> the requests ({@link #requests()},
 * {@link #embeddingRequests()}), the number of calls of each kind ({@link #calls}), the calls
 * running now and the most that ran at once ({@link #inFlight()}, {@link #maxInFlight()}), and
 * the {@link CallScope} each call came with ({@link #scopes()}).
 *
 * <p>Thread-safe.
 */
public final class ScriptedProvider implements Provider {

    private sealed interface Step permits Answer, Streamed {
    }

    private record Answer(Function<ChatRequest, ChatResponse> answer) implements Step {
    }

    private record Streamed(Function<ChatRequest, Flow.Publisher<ChatChunk>> chunks) implements Step {
    }

    private final String name;
    private final Step empty;
    private final Set<Capability> capabilities;
    private final List<Step> script;
    private final List<Function<EmbeddingRequest, EmbeddingResponse>> embedScript;
    private final List<Supplier<List<ModelInfo>>> modelsScript;
    private final int dimensions;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<ChatRequest> requests = new ArrayList<>();
    private final List<EmbeddingRequest> embeddingRequests = new ArrayList<>();
    private final List<CallScope> scopes = new ArrayList<>();
    private final Map<Chain.Operation, Integer> calls = new EnumMap<>(Chain.Operation.class);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private int taken;

    private ScriptedProvider(Builder b) {
        this.name = b.name;
        LlmException error = LlmException.newBuilder(LlmException.Kind.SERVER_ERROR).provider(name)
                .message("the script of this ScriptedProvider is empty").build();
        this.empty = new Answer(r -> {
            throw error;
        });
        this.capabilities = Set.copyOf(b.capabilities);
        this.script = List.copyOf(b.steps);
        this.embedScript = List.copyOf(b.embedSteps);
        this.modelsScript = List.copyOf(b.modelsSteps);
        this.dimensions = b.dimensions;
    }

    /**
     * {@return a builder for a provider that reports {@code name}}
     *
     * @param name the provider's name
     */
    public static Builder newBuilder(String name) {
        return new Builder(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    /** {@return the chat requests received so far, in the order they arrived (streams included)} */
    public List<ChatRequest> requests() {
        return locked(() -> List.copyOf(requests));
    }

    /** {@return the embedding requests received so far, in the order they arrived} */
    public List<EmbeddingRequest> embeddingRequests() {
        return locked(() -> List.copyOf(embeddingRequests));
    }

    /**
     * {@return how many calls of this kind the provider has received} A call refused because the
     * provider lacks the {@link Capability} is not counted.
     *
     * @param operation the kind of call: chat, stream, embed or models
     */
    public int calls(Chain.Operation operation) {
        Objects.requireNonNull(operation, "operation");
        return locked(() -> calls.getOrDefault(operation, 0));
    }

    /**
     * {@return how many calls are running now} A chat, embed or models call runs until it returns
     * or throws; a stream runs from its subscription until it completes, fails or is cancelled.
     */
    public int inFlight() {
        return inFlight.get();
    }

    /** {@return the most calls that ran at once so far; see {@link #inFlight()}} */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    /**
     * {@return the scope each call came with, in the order the calls arrived} A policy or router
     * above the provider passes the call's scope (its deadline, whether the cache may be used);
     * a call made without one, such as {@link #chat(ChatRequest)}, records {@link CallScope#none()}.
     */
    public List<CallScope> scopes() {
        return locked(() -> List.copyOf(scopes));
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /** Records a call; returns how many calls of its kind came before it. */
    private int arrive(Chain.Operation operation, CallScope scope) {
        Objects.requireNonNull(scope, "scope");
        return locked(() -> {
            scopes.add(scope);
            return calls.merge(operation, 1, Integer::sum) - 1;
        });
    }

    /** Records a chat or stream call and takes its step of the script. */
    private Step next(Chain.Operation operation, ChatRequest request, CallScope scope) {
        Objects.requireNonNull(request, "request");
        return locked(() -> {
            arrive(operation, scope);
            requests.add(request);
            return script.isEmpty() ? empty : step(script, taken++);
        });
    }

    private static <T> T step(List<T> script, int call) {
        return script.get(Math.min(call, script.size() - 1));
    }

    private void start() {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    }

    private void end() {
        inFlight.decrementAndGet();
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return chat(request, CallScope.none());
    }

    @Override
    public ChatResponse chat(ChatRequest request, CallScope scope) {
        Step step = next(Chain.Operation.CHAT, request, scope);
        start();
        try {
            return switch (step) {
                case Answer a -> a.answer().apply(request);
                case Streamed s -> ChatStream.of(name, s.chunks().apply(request)).collect();
            };
        } finally {
            end();
        }
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        return stream(request, CallScope.none());
    }

    @Override
    public ChatStream stream(ChatRequest request, CallScope scope) {
        if (!capabilities.contains(Capability.STREAMING)) {
            throw unsupported("streaming");
        }
        Step step = next(Chain.Operation.STREAM, request, scope);
        return ChatStream.of(name, Relay.deferred(() -> switch (step) {
            case Answer a -> ChatStream.ofResponse(a.answer().apply(request));
            case Streamed st -> st.chunks().apply(request);
        }, new Relay.Hooks<>() {
            @Override
            public void started(Relay.Control control) {
                start();
            }

            @Override
            public void ended(Relay.End end, Throwable error) {
                end();
            }
        }));
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        return embed(request, CallScope.none());
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request, CallScope scope) {
        Objects.requireNonNull(request, "request");
        if (!capabilities.contains(Capability.EMBEDDINGS)) {
            throw unsupported("embeddings");
        }
        int call = locked(() -> {
            embeddingRequests.add(request);
            return arrive(Chain.Operation.EMBED, scope);
        });
        start();
        try {
            return embedScript.isEmpty() ? madeUp(request) : step(embedScript, call).apply(request);
        } finally {
            end();
        }
    }

    private EmbeddingResponse madeUp(EmbeddingRequest request) {
        List<Embedding> out = new ArrayList<>();
        long tokens = 0;
        for (int i = 0; i < request.inputs().size(); i++) {
            String text = request.inputs().get(i);
            out.add(new Embedding(i, vectorOf(text, request.dimensions() != null ? request.dimensions() : dimensions)));
            tokens += (text.length() + 3) / 4;
        }
        return new EmbeddingResponse(request.model(), name, out, Usage.of(tokens, 0), null);
    }

    /** A deterministic unit vector derived from the text. */
    static float[] vectorOf(String text, int dimensions) {
        float[] v = new float[dimensions];
        long seed = text.hashCode() * 0x9E3779B97F4A7C15L;
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            seed ^= seed << 13;
            seed ^= seed >>> 7;
            seed ^= seed << 17;
            v[i] = (float) ((seed >>> 11) * 0x1.0p-53 - 0.5);
            norm += v[i] * v[i];
        }
        float scale = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dimensions; i++) {
            v[i] *= scale;
        }
        return v;
    }

    @Override
    public List<ModelInfo> models() {
        return models(CallScope.none());
    }

    @Override
    public List<ModelInfo> models(CallScope scope) {
        int call = arrive(Chain.Operation.MODELS, scope);
        start();
        try {
            return modelsScript.isEmpty() ? List.of() : List.copyOf(step(modelsScript, call).get());
        } finally {
            end();
        }
    }

    @Override
    public String toString() {
        return "ScriptedProvider[" + name + "]";
    }

    private LlmException unsupported(String what) {
        return LlmException.newBuilder(LlmException.Kind.UNSUPPORTED).provider(name)
                .message(what + " is not enabled for this ScriptedProvider").build();
    }

    /** Builds a {@link ScriptedProvider}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final Set<Capability> capabilities = EnumSet.allOf(Capability.class);
        private final List<Step> steps = new ArrayList<>();
        private final List<Function<EmbeddingRequest, EmbeddingResponse>> embedSteps = new ArrayList<>();
        private final List<Supplier<List<ModelInfo>>> modelsSteps = new ArrayList<>();
        private int dimensions = 8;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * Adds a chat step that replies with this text, the request's model, finish reason "stop"
         * and a small usage.
         *
         * @param text the reply text
         * @return this builder
         */
        public Builder reply(String text) {
            Objects.requireNonNull(text, "text");
            return answer(r -> ChatResponse.newBuilder().provider(name).model(r.model()).text(text)
                    .finishReason("stop").usage(Usage.of(10, Math.max(1, text.length() / 4))).build());
        }

        /**
         * Adds a chat step that replies with this response.
         *
         * @param response the response the call returns
         * @return this builder
         */
        public Builder reply(ChatResponse response) {
            Objects.requireNonNull(response, "response");
            return answer(r -> response);
        }

        /**
         * Adds a chat step that computes the response from the request. The function runs on the
         * calling thread (for a stream, on the thread that subscribes); it may block, and what it
         * throws reaches the caller as it is (a stream fails with it).
         *
         * @param answer the function that answers the call
         * @return this builder
         */
        public Builder answer(Function<ChatRequest, ChatResponse> answer) {
            steps.add(new Answer(Objects.requireNonNull(answer, "answer")));
            return this;
        }

        /**
         * Adds a chat step that streams exactly these chunks; a chunk without a provider name gets
         * this provider's.
         *
         * @param chunks the chunks, in order
         * @return this builder
         */
        public Builder chunks(List<ChatChunk> chunks) {
            List<ChatChunk> named = chunks.stream()
                    .map(c -> c.provider() != null ? c : c.toBuilder().provider(name).build()).toList();
            return stream(r -> ChatStream.ofChunks(name, named));
        }

        /**
         * Adds a chat step that streams what the publisher this function returns sends: the test
         * controls the chunks, their timing, the failure and what a cancellation does. The
         * function runs when the stream is subscribed to (for {@code chat}, at once, and the
         * chunks are collected into a response).
         *
         * @param stream the function that makes the call's publisher of chunks
         * @return this builder
         */
        public Builder stream(Function<ChatRequest, Flow.Publisher<ChatChunk>> stream) {
            steps.add(new Streamed(Objects.requireNonNull(stream, "stream")));
            return this;
        }

        /**
         * Adds a chat step that fails: {@code chat} throws the error, a stream fails with it when
         * subscribed to.
         *
         * @param error the error the call fails with
         * @return this builder
         */
        public Builder fail(LlmException error) {
            Objects.requireNonNull(error, "error");
            return answer(r -> {
                throw error;
            });
        }

        /**
         * Adds a step to the embeddings script: the function answers an embeddings call, and may
         * block or throw as {@link #answer answer}'s does. Without any, embeddings are made up
         * from the text.
         *
         * @param embed the function that answers the call
         * @return this builder
         */
        public Builder embed(Function<EmbeddingRequest, EmbeddingResponse> embed) {
            embedSteps.add(Objects.requireNonNull(embed, "embed"));
            return this;
        }

        /**
         * Adds a step to the models script that lists these models. Without any, the list is empty.
         *
         * @param models the models a call lists
         * @return this builder
         */
        public Builder models(List<ModelInfo> models) {
            List<ModelInfo> copy = List.copyOf(models);
            return models(() -> copy);
        }

        /**
         * Adds a step to the models script that computes the list, and may block or throw as
         * {@link #answer answer}'s function does.
         *
         * @param models the function that answers the call
         * @return this builder
         */
        public Builder models(Supplier<List<ModelInfo>> models) {
            modelsSteps.add(Objects.requireNonNull(models, "models"));
            return this;
        }

        /**
         * Sets the size of made-up embedding vectors; default 8.
         *
         * @param dimensions the size of made-up embedding vectors
         * @return this builder
         */
        public Builder dimensions(int dimensions) {
            if (dimensions < 1 || dimensions > 65536) {
                throw new IllegalArgumentException("dimensions must be from 1 to 65536, got " + dimensions);
            }
            this.dimensions = dimensions;
            return this;
        }

        /**
         * Limits what the provider can do; by default it can do everything.
         *
         * @param capabilities what the provider can do
         * @return this builder
         */
        public Builder capabilities(Set<Capability> capabilities) {
            this.capabilities.clear();
            this.capabilities.addAll(capabilities);
            return this;
        }

        /** {@return the provider} */
        public ScriptedProvider build() {
            return new ScriptedProvider(this);
        }
    }
}
