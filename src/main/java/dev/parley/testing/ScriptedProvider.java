package dev.parley.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

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
import dev.parley.spi.Capability;
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
 * <p>Each chat or stream call takes the next step of the script; the last step repeats, so a
 * script of one reply answers every call. A reply step streams as chunks (one for the text, one
 * for the finish reason and usage); a {@link Builder#chunks chunks} step streams exactly those
 * chunks and, for {@code chat}, is collected into a response. A failure step throws from
 * {@code chat} and fails a stream on subscription. Embeddings are made from the input text
 * (deterministic, so equal texts give equal vectors) unless scripted. Thread-safe.
 */
public final class ScriptedProvider implements Provider {

    private sealed interface Step permits Reply, Chunks, Failure {
    }

    private record Reply(ChatResponse response) implements Step {
    }

    private record Chunks(List<ChatChunk> chunks) implements Step {
    }

    private record Failure(LlmException error) implements Step {
    }

    private final String name;
    private final Set<Capability> capabilities;
    private final Deque<Step> script;
    private final List<ModelInfo> models;
    private final int dimensions;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<ChatRequest> requests = new ArrayList<>();
    private final List<EmbeddingRequest> embeddingRequests = new ArrayList<>();

    private ScriptedProvider(Builder b) {
        this.name = b.name;
        this.capabilities = Set.copyOf(b.capabilities);
        this.script = new ArrayDeque<>(b.steps);
        this.models = List.copyOf(b.models);
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

    /** {@return the chat requests received so far, in order (streams included)} */
    public List<ChatRequest> requests() {
        lock.lock();
        try {
            return List.copyOf(requests);
        } finally {
            lock.unlock();
        }
    }

    /** {@return the embedding requests received so far, in order} */
    public List<EmbeddingRequest> embeddingRequests() {
        lock.lock();
        try {
            return List.copyOf(embeddingRequests);
        } finally {
            lock.unlock();
        }
    }

    private Step next(ChatRequest request) {
        lock.lock();
        try {
            requests.add(request);
            if (script.isEmpty()) {
                return new Failure(LlmException.newBuilder(LlmException.Kind.SERVER_ERROR).provider(name)
                        .message("the script of this ScriptedProvider is empty").build());
            }
            return script.size() > 1 ? script.pollFirst() : script.peekFirst();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        return switch (next(request)) {
            case Reply r -> r.response();
            case Chunks c -> ChatStream.ofChunks(name, c.chunks()).collect();
            case Failure f -> throw f.error();
        };
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        if (!capabilities.contains(Capability.STREAMING)) {
            throw unsupported("streaming");
        }
        return switch (next(request)) {
            case Reply r -> ChatStream.ofResponse(r.response());
            case Chunks c -> ChatStream.ofChunks(name, c.chunks().stream()
                    .map(chunk -> chunk.provider() != null ? chunk : chunk.toBuilder().provider(name).build()).toList());
            case Failure f -> ChatStream.failed(name, f.error());
        };
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        if (!capabilities.contains(Capability.EMBEDDINGS)) {
            throw unsupported("embeddings");
        }
        lock.lock();
        try {
            embeddingRequests.add(request);
        } finally {
            lock.unlock();
        }
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
        return models;
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
        private final List<ModelInfo> models = new ArrayList<>();
        private int dimensions = 8;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * Adds a reply with this text, finish reason "stop" and a small usage.
         *
         * @param text the reply text
         * @return this builder
         */
        public Builder reply(String text) {
            return reply(ChatResponse.newBuilder().provider(name).model("scripted").text(text)
                    .finishReason("stop").usage(Usage.of(10, Math.max(1, text.length() / 4))).build());
        }

        /**
         * Adds a reply.
         *
         * @param response the response the next call returns
         * @return this builder
         */
        public Builder reply(ChatResponse response) {
            steps.add(new Reply(Objects.requireNonNull(response, "response")));
            return this;
        }

        /**
         * Adds a step that streams exactly these chunks.
         *
         * @param chunks the chunks, in order
         * @return this builder
         */
        public Builder chunks(List<ChatChunk> chunks) {
            steps.add(new Chunks(List.copyOf(chunks)));
            return this;
        }

        /**
         * Adds a failure.
         *
         * @param error the error the next call fails with
         * @return this builder
         */
        public Builder fail(LlmException error) {
            steps.add(new Failure(Objects.requireNonNull(error, "error")));
            return this;
        }

        /**
         * Sets the models list.
         *
         * @param models the models list
         * @return this builder
         */
        public Builder models(List<ModelInfo> models) {
            this.models.clear();
            this.models.addAll(models);
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
         * Limits what the provider can do.
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
