package dev.parley;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.parley.internal.flow.AbstractSubscription;
import dev.parley.internal.flow.BlockingIterator;

/**
 * A streamed chat completion: a {@link Flow.Publisher} of {@link ChatChunk}s that honours
 * {@code request(n)} and whose {@code cancel()} aborts the HTTP exchange, plus conveniences for
 * code on virtual threads.
 *
 * {@snippet :
 * try (ChatStream stream = llm.stream("Tell me a story")) {
 *     for (ChatChunk chunk : stream) {
 *         System.out.print(chunk.textDelta());
 *     }
 * }
 * }
 *
 * <p>A stream is cold and single-use: the request is sent when it is first subscribed to (by
 * {@link #subscribe}, {@link #iterator()} or {@link #collect()}), and a second subscriber gets
 * {@code onError(IllegalStateException)}. {@link #close()} cancels it at any point. Errors
 * arrive as {@link LlmException}s, after every chunk that came before them.
 */
public final class ChatStream implements Flow.Publisher<ChatChunk>, Iterable<ChatChunk>, AutoCloseable {

    private final String provider;
    private final Flow.Publisher<ChatChunk> source;
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;

    private ChatStream(String provider, Flow.Publisher<ChatChunk> source) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * {@return a stream of the chunks {@code source} publishes}
     *
     * @param provider the provider name reported by {@link #collect()}
     * @param source   a cold publisher that sends the request when subscribed to
     */
    public static ChatStream of(String provider, Flow.Publisher<ChatChunk> source) {
        return new ChatStream(provider, source);
    }

    /**
     * {@return a stream that replays {@code chunks}, as a cache or a test double does}
     *
     * @param provider the name of the provider the stream stands for
     * @param chunks the chunks to deliver, in order
     */
    public static ChatStream ofChunks(String provider, List<ChatChunk> chunks) {
        List<ChatChunk> copy = List.copyOf(chunks);
        return new ChatStream(provider, subscriber -> new ListSubscription(subscriber, copy).start());
    }

    /**
     * {@return a stream that replays a whole response as chunks}: one with the reasoning, one
     * with the text, one per tool call, and one with the finish reason and usage. Collecting it
     * gives back the same text, reasoning, tool calls, finish reason and usage.
     *
     * @param response the response to replay
     */
    public static ChatStream ofResponse(ChatResponse response) {
        List<ChatChunk> chunks = new ArrayList<>();
        String id = response.id();
        String model = response.model();
        String rid = response.requestId();
        String by = response.provider();
        for (ReasoningBlock b : response.reasoning()) {
            chunks.add(b.redacted()
                    ? ChatChunk.newBuilder().redactedReasoning(b.redactedData()).provider(by).id(id).model(model).requestId(rid)
                            .build()
                    : ChatChunk.newBuilder().reasoningDelta(b.text()).reasoningSignature(b.signature()).provider(by).id(id)
                            .model(model).requestId(rid).build());
        }
        if (!response.text().isEmpty()) {
            chunks.add(ChatChunk.newBuilder().textDelta(response.text()).provider(by).id(id).model(model).requestId(rid).build());
        }
        if (response.refusal() != null) {
            chunks.add(ChatChunk.newBuilder().refusalDelta(response.refusal()).provider(by).id(id).model(model).requestId(rid)
                    .build());
        }
        List<ToolCall> calls = response.toolCalls();
        for (int i = 0; i < calls.size(); i++) {
            ToolCall c = calls.get(i);
            chunks.add(ChatChunk.newBuilder().toolCalls(List.of(new ToolCallDelta(i, c.id(), c.name(), c.arguments())))
                    .provider(by).id(id).model(model).requestId(rid).build());
        }
        chunks.add(ChatChunk.newBuilder().finishReason(response.finishReason()).rawFinishReason(response
                .rawFinishReason()).usage(response.usage()).provider(by).id(id).model(model).requestId(rid).build());
        return ofChunks(response.provider(), chunks);
    }

    /**
     * {@return a stream that fails with {@code error} as soon as it is subscribed to}
     *
     * @param provider the name of the provider the stream stands for
     * @param error the error the subscriber receives
     */
    public static ChatStream failed(String provider, Throwable error) {
        Objects.requireNonNull(error, "error");
        return new ChatStream(provider, subscriber -> {
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

    /**
     * {@return the name of the provider this stream was asked of}. Through a fallback or a
     * router another provider may answer: each chunk says which one did
     * ({@link ChatChunk#provider()}), and so does the response {@link #collect()} returns.
     */
    public String provider() {
        return provider;
    }

    /**
     * Subscribes to the chunks, sending the request. Only the first subscriber is served.
     *
     * @param subscriber the subscriber
     */
    @Override
    public void subscribe(Flow.Subscriber<? super ChatChunk> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        if (!subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            subscriber.onError(new IllegalStateException("a ChatStream can be consumed only once"));
            return;
        }
        source.subscribe(new Flow.Subscriber<ChatChunk>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                subscriber.onSubscribe(s);
                if (closed) {
                    s.cancel();
                }
            }

            @Override
            public void onNext(ChatChunk item) {
                subscriber.onNext(item);
            }

            @Override
            public void onError(Throwable throwable) {
                subscriber.onError(throwable);
            }

            @Override
            public void onComplete() {
                subscriber.onComplete();
            }
        });
    }

    /**
     * {@return an iterator over the chunks, for a for-each loop}: it sends the request, buffers
     * a few chunks at most, and throws the stream's {@link LlmException} from {@code hasNext()}
     * or {@code next()} after the chunks before it. Can be called once.
     */
    @Override
    public Iterator<ChatChunk> iterator() {
        return BlockingIterator.subscribe(this);
    }

    /**
     * Consumes the whole stream on the calling thread and adds it up into the response the
     * non-streaming call returns.
     *
     * @return the response
     * @throws LlmException if the stream fails
     */
    public ChatResponse collect() {
        ChunkCollector collector = new ChunkCollector(provider());
        try (BlockingIterator<ChatChunk> it = BlockingIterator.subscribe(this)) {
            while (it.hasNext()) {
                collector.add(it.next());
            }
        }
        return collector.result();
    }

    /** Cancels the stream, aborting the HTTP exchange; safe to call at any time, more than once. */
    @Override
    public void close() {
        closed = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    /** Replays a fixed list of chunks, honouring demand. */
    private static final class ListSubscription extends AbstractSubscription<ChatChunk> {
        private final List<ChatChunk> chunks;
        private int next;

        ListSubscription(Flow.Subscriber<? super ChatChunk> subscriber, List<ChatChunk> chunks) {
            super(subscriber);
            this.chunks = chunks;
        }

        @Override
        protected long emit(long demand) {
            long sent = 0;
            while (sent < demand && next < chunks.size()) {
                if (!submitOnNext(chunks.get(next++))) {
                    return sent;
                }
                sent++;
            }
            if (next == chunks.size()) {
                submitOnComplete();
            }
            return sent;
        }
    }
}
