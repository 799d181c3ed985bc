package dev.parley.internal.flow;

import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A publisher that relays the items of one upstream attempt after another to a single
 * subscriber: when an attempt fails before any item reached the subscriber, its {@link Hooks}
 * decide whether to open a new attempt (after a wait, on a virtual thread) or to deliver the
 * error. Once an item has been delivered, errors pass through. Retry, fallback, routing, timeout
 * and circuit-breaker streams are all built on it.
 *
 * {@snippet :
 * Relay<ChatChunk> relay = new Relay<>(delegate.stream(request), new Relay.Hooks<>() {
 *     @Override
 *     public Relay.Next<ChatChunk> failedEarly(int attempt, Throwable error) {
 *         return attempt < 3 ? Relay.Next.retry(() -> delegate.stream(request)) : Relay.Next.fail(error);
 *     }
 * });
 * }
 *
 * <p>Backpressure: the subscriber's outstanding demand is forwarded to the current attempt and
 * carried over to the next one; the relay buffers nothing beyond what was requested, and an item
 * that arrives with demand outstanding and nothing queued goes straight to the subscriber, on
 * the attempt's thread (no queue node, no extra loop pass). Cancelling
 * cancels the current attempt, or the wait before the next one (the waiting thread is
 * interrupted). Exactly one terminal signal is delivered, also when {@link Control#fail} races
 * with the upstream's own signals. Signals are serialized by {@link dev.parley.internal.flow.AbstractSubscription}.
 *
 * <p>Single-use: a second subscriber gets {@code onError(IllegalStateException)}. Thread-safe.
 *
 * @param <T> the item type
 */
public final class Relay<T> implements Flow.Publisher<T> {

    /**
     * Opens an attempt; may block (to wait before a retry), and is then interrupted if the
     * subscriber cancels.
     *
     * @param <T> the item type
     */
    @FunctionalInterface
    public interface Opener<T> {
        /**
         * {@return the publisher of the next attempt}
         *
         * @throws InterruptedException if the subscriber cancelled while this waited
         */
        Flow.Publisher<? extends T> open() throws InterruptedException;
    }

    /**
     * What to do after an attempt failed before its first item: open another, or fail with an error.
     *
     * @param opener opens the next attempt; null to fail
     * @param error  the error to deliver when {@code opener} is null
     * @param <T>    the item type
     */
    public record Next<T>(Opener<T> opener, Throwable error) {

        /** Checks that exactly one of the two is set. */
        public Next {
            if ((opener == null) == (error == null)) {
                throw new IllegalArgumentException("exactly one of opener and error must be set");
            }
        }

        /** {@return a decision to open another attempt with {@code opener}} */
        public static <T> Next<T> retry(Opener<T> opener) {
            return new Next<>(Objects.requireNonNull(opener, "opener"), null);
        }

        /** {@return a decision to deliver {@code error} to the subscriber} */
        public static <T> Next<T> fail(Throwable error) {
            return new Next<>(null, Objects.requireNonNull(error, "error"));
        }
    }

    /** How a relayed stream ended, for {@link Hooks#ended}. */
    public enum End {
        /** The stream completed normally. */
        COMPLETED,
        /** The stream failed; the error is given. */
        FAILED,
        /** The subscriber cancelled (or broke the protocol). */
        CANCELLED
    }

    /** Lets hooks end the stream from outside, as the timeout timer does. */
    public interface Control {
        /**
         * Cancels the current attempt (or the wait for the next) and delivers {@code error}
         * downstream, unless the stream already ended. Callable from any thread.
         *
         * @param error the error to deliver
         */
        void fail(Throwable error);
    }

    /**
     * Callbacks from a relayed stream. Every method has a default; implementations must be quick
     * and must not throw (the stream runs them inline).
     *
     * @param <T> the item type
     */
    public interface Hooks<T> {

        /** Called once when the subscriber subscribes, before anything is delivered or opened. */
        default void started(Control control) {
        }

        /** Called when {@code n} more items are requested from the current attempt ({@code Long.MAX_VALUE}: unbounded). */
        default void requested(long n) {
        }

        /** Called for each item received from the current attempt, on the attempt's thread, before it is delivered or queued. */
        default void received(T item) {
        }

        /**
         * Decides what follows a failure of attempt {@code attempt} (1 for the first) that happened
         * before any item reached the subscriber. The default delivers the error.
         */
        default Next<T> failedEarly(int attempt, Throwable error) {
            return Next.fail(error);
        }

        /** Called once when the stream ends, before the terminal signal; {@code error} is null unless FAILED. */
        default void ended(End end, Throwable error) {
        }
    }

    private final Flow.Publisher<? extends T> first;
    private final Opener<T> firstOpener;
    private final Hooks<T> hooks;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    /**
     * Creates a relay whose first attempt is {@code first}.
     *
     * @param first the first attempt's publisher, subscribed to when the relay is
     * @param hooks the callbacks
     */
    public Relay(Flow.Publisher<? extends T> first, Hooks<T> hooks) {
        this(Objects.requireNonNull(first, "first"), null, hooks);
    }

    private Relay(Flow.Publisher<? extends T> first, Opener<T> firstOpener, Hooks<T> hooks) {
        this.first = first;
        this.firstOpener = firstOpener;
        this.hooks = Objects.requireNonNull(hooks, "hooks");
    }

    /**
     * {@return a relay whose first attempt is opened by {@code opener} on the subscribing thread
     * when the relay is subscribed to}; an exception it throws counts as the first attempt's failure.
     * {@code opener} should not block.
     */
    public static <T> Relay<T> deferred(Opener<T> opener, Hooks<T> hooks) {
        return new Relay<>(null, Objects.requireNonNull(opener, "opener"), hooks);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
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
            subscriber.onError(new IllegalStateException("this stream can be consumed only once"));
            return;
        }
        new RelaySubscription<>(subscriber, hooks).begin(first, firstOpener);
    }
}
