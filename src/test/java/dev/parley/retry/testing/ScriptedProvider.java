package dev.parley.retry.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.spi.Capability;
import dev.parley.spi.CallScope;
import dev.parley.spi.Provider;

/**
 * A fake provider that plays a script: each call takes the next step of its method's script (the
 * last step repeats), which answers or throws. It records the calls. Thread-safe.
 */
public final class ScriptedProvider implements Provider {

    private final String name;
    private final List<Function<ChatRequest, ChatResponse>> chat = new ArrayList<>();
    private final List<Function<ChatRequest, Flow.Publisher<ChatChunk>>> stream = new ArrayList<>();
    private final List<Function<EmbeddingRequest, EmbeddingResponse>> embed = new ArrayList<>();
    private final List<Supplier<List<ModelInfo>>> models = new ArrayList<>();
    public final AtomicInteger chatCalls = new AtomicInteger();
    public final AtomicInteger streamCalls = new AtomicInteger();
    public final AtomicInteger embedCalls = new AtomicInteger();
    public final AtomicInteger modelsCalls = new AtomicInteger();
    public final List<ChatRequest> requests = Collections.synchronizedList(new ArrayList<>());

    public ScriptedProvider(String name) {
        this.name = name;
    }

    /** {@return an error of {@code kind} with HTTP {@code status} from provider {@code provider}} */
    public static LlmException error(LlmException.Kind kind, int status, String provider) {
        return LlmException.newBuilder(kind).provider(provider).statusCode(status).build();
    }

    /** {@return a response with {@code text}, answering as {@code provider} with the request's model} */
    public static ChatResponse response(String provider, ChatRequest request, String text) {
        return ChatResponse.newBuilder().provider(provider).model(request.model()).text(text).build();
    }

    public synchronized ScriptedProvider thenChat(Function<ChatRequest, ChatResponse> step) {
        chat.add(step);
        return this;
    }

    public ScriptedProvider thenAnswer(String text) {
        return thenChat(r -> response(name, r, text));
    }

    public ScriptedProvider thenFail(LlmException error) {
        return thenChat(r -> {
            throw error;
        });
    }

    public synchronized ScriptedProvider thenStream(Function<ChatRequest, Flow.Publisher<ChatChunk>> step) {
        stream.add(step);
        return this;
    }

    /** Adds a stream step that sends {@code texts} as chunks and completes. */
    public ScriptedProvider thenStreamTexts(String... texts) {
        return thenStream(r -> ChatStream.ofChunks(name, List.of(texts).stream()
                .map(t -> ChatChunk.newBuilder().textDelta(t).provider(name).build()).toList()));
    }

    /** Adds a stream step that fails with {@code error} before any chunk. */
    public ScriptedProvider thenStreamFail(LlmException error) {
        return thenStream(r -> subscriber -> {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            subscriber.onError(error);
        });
    }

    public synchronized ScriptedProvider thenEmbed(Function<EmbeddingRequest, EmbeddingResponse> step) {
        embed.add(step);
        return this;
    }

    public synchronized ScriptedProvider thenModels(Supplier<List<ModelInfo>> step) {
        models.add(step);
        return this;
    }

    private synchronized <T> T step(List<T> script, int call, String method) {
        if (script.isEmpty()) {
            throw new AssertionError(name + ": no script for " + method);
        }
        return script.get(Math.min(call, script.size() - 1));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        requests.add(request);
        return step(chat, chatCalls.getAndIncrement(), "chat").apply(request);
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        requests.add(request);
        return ChatStream.of(name, step(stream, streamCalls.getAndIncrement(), "stream").apply(request));
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        return step(embed, embedCalls.getAndIncrement(), "embed").apply(request);
    }

    @Override
    public List<ModelInfo> models() {
        return step(models, modelsCalls.getAndIncrement(), "models").get();
    }

    @Override
    public String toString() {
        return "Scripted[" + name + "]";
    }

    /** The scope of the last call, as the layer above passed it. */
    public volatile CallScope lastScope;

    @Override
    public ChatResponse chat(ChatRequest request, CallScope scope) {
        lastScope = scope;
        return chat(request);
    }

    @Override
    public ChatStream stream(ChatRequest request, CallScope scope) {
        lastScope = scope;
        return stream(request);
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request, CallScope scope) {
        lastScope = scope;
        return embed(request);
    }

    @Override
    public List<ModelInfo> models(CallScope scope) {
        lastScope = scope;
        return models();
    }
}
