package dev.parley.internal;

import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.parley.ChatChunk;
import dev.parley.ChatStream;

/**
 * Watches a {@link ChatStream} without changing it: every signal, demand and cancellation
 * passes straight through, and the tap is told of each chunk and of how the stream ended
 * (exactly once: completed, failed, or cancelled). Policies use it to count, price and cache
 * streams.
 */
public final class StreamTap {

    /** What the tap is told. Called on the threads that move the stream; must be quick and must not throw. */
    public interface Listener {
        /** A chunk is about to be delivered. */
        default void onChunk(ChatChunk chunk) {
        }

        /** The stream completed normally. */
        default void onComplete() {
        }

        /** The stream failed. */
        default void onError(Throwable error) {
        }

        /** The subscriber cancelled the stream. */
        default void onCancel() {
        }
    }

    private StreamTap() {
    }

    /** {@return a stream that behaves as {@code stream} and reports to {@code listener}} */
    public static ChatStream tap(ChatStream stream, Listener listener) {
        Objects.requireNonNull(listener, "listener");
        return ChatStream.of(stream.provider(), subscriber -> stream.subscribe(new Tapped(subscriber, listener)));
    }

    private static final class Tapped implements Flow.Subscriber<ChatChunk>, Flow.Subscription {
        private final Flow.Subscriber<? super ChatChunk> downstream;
        private final Listener listener;
        private final AtomicBoolean ended = new AtomicBoolean();
        private Flow.Subscription upstream;

        Tapped(Flow.Subscriber<? super ChatChunk> downstream, Listener listener) {
            this.downstream = downstream;
            this.listener = listener;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            upstream = s;
            downstream.onSubscribe(this);
        }

        @Override
        public void onNext(ChatChunk item) {
            try {
                listener.onChunk(item); // not through safely(): no lambda per chunk
            } catch (RuntimeException ignored) {
                // A listener must not break the stream it watches.
            }
            downstream.onNext(item);
        }

        @Override
        public void onError(Throwable t) {
            if (ended.compareAndSet(false, true)) {
                safely(() -> listener.onError(t));
            }
            downstream.onError(t);
        }

        @Override
        public void onComplete() {
            if (ended.compareAndSet(false, true)) {
                safely(listener::onComplete);
            }
            downstream.onComplete();
        }

        @Override
        public void request(long n) {
            upstream.request(n);
        }

        @Override
        public void cancel() {
            if (ended.compareAndSet(false, true)) {
                safely(listener::onCancel);
            }
            upstream.cancel();
        }

        private static void safely(Runnable r) {
            try {
                r.run();
            } catch (RuntimeException ignored) {
                // A listener must not break the stream it watches.
            }
        }
    }
}
