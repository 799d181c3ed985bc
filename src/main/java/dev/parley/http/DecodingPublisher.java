package dev.parley.http;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import dev.parley.internal.flow.AbstractSubscription;

/**
 * Adapts a streamed HTTP response body, as {@code HttpResponse.BodyHandlers.ofPublisher()} gives
 * it, into a publisher of decoded items: bytes are framed as Server-Sent Events ({@link #sse}) or
 * newline-delimited JSON ({@link #ndjson}) or AWS event-stream messages ({@link #eventStream}), and a {@link FrameMapper} turns each frame into items.
 *
 * <p>Behaviour:
 *
 * <ul>
 *   <li><b>Backpressure.</b> Upstream chunks are requested one at a time, only while the
 *       subscriber has outstanding demand and every decoded item has been delivered, so a slow
 *       subscriber never makes it buffer more than one network chunk's worth of items.
 *   <li><b>Cancellation.</b> Cancelling the subscription cancels the upstream subscription, which
 *       makes {@code HttpClient} abort the exchange and close the connection. The upstream is
 *       also cancelled when decoding or mapping fails.
 *   <li><b>The end.</b> Once the mapper marks the end of the stream, the rest of the body is read
 *       and dropped (at most 64 KiB, for at most a second; then the upstream is cancelled), and
 *       the subscriber gets {@code onComplete} when that is done: the client pools a connection
 *       only when its body was read to the end, and a caller that sends its next request on
 *       completion then finds it free. A subscriber that cancels after the end marker does not
 *       stop that read.
 *   <li><b>Errors.</b> Items decoded before an error are delivered before {@code onError}. An
 *       {@code IOException} from upstream arrives wrapped in {@link StreamInterruptedException}
 *       (the original is the cause); a mapper exception, or a {@link StreamFormatException} for an
 *       oversized frame, arrives as is.
 *   <li><b>Cut streams.</b> If the body ends in the middle of an SSE event, or (with
 *       every stream must have one) without a frame the mapper marked with
 *       {@link FrameMapper.Output#end()}, the subscriber gets a
 *       {@link StreamInterruptedException} saying the stream ended before it was complete.
 *   <li><b>One subscriber.</b> The body can be read once: a second subscriber gets
 *       {@code onError(IllegalStateException)}.
 * </ul>
 *
 * <p>Thread-safety: {@code subscribe} may be called from any thread. The mapper is
 * never called concurrently for one stream (see {@link FrameMapper}).
 *
 * @param <T> the type of items published
 */
public final class DecodingPublisher<T> implements Flow.Publisher<T> {

    private final Flow.Publisher<List<ByteBuffer>> upstream;
    private final Function<Flow.Subscriber<? super T>, DecodingSubscription<?, T>> subscriptions;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    private DecodingPublisher(
            Flow.Publisher<List<ByteBuffer>> upstream,
            Function<Flow.Subscriber<? super T>, DecodingSubscription<?, T>> subscriptions) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.subscriptions = subscriptions;
    }

    /**
     * Creates a publisher that decodes {@code body} as Server-Sent Events.
     *
     * @param body the response body chunks
     * @param mapper turns each event into items and recognizes the final event, which every
     *     stream must have; an event over 16 MiB fails the stream
     * @param <T> the item type
     * @return the publisher, for a single subscriber
     */
    public static <T> DecodingPublisher<T> sse(
            Flow.Publisher<List<ByteBuffer>> body,
            FrameMapper<SseEvent, T> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        return new DecodingPublisher<>(body, downstream -> new DecodingSubscription<SseEvent, T>(
                downstream, SseDecoder::new, mapper));
    }

    /**
     * Creates a publisher that decodes {@code body} as newline-delimited JSON: each non-blank line
     * is handed to the mapper as a {@code byte[]} of exactly its length, without the line end.
     *
     * @param body the response body chunks
     * @param mapper turns each line into items and recognizes the final line, which every
     *     stream must have; a line over 16 MiB fails the stream
     * @param <T> the item type
     * @return the publisher, for a single subscriber
     */
    public static <T> DecodingPublisher<T> ndjson(
            Flow.Publisher<List<ByteBuffer>> body,
            FrameMapper<byte[], T> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        return new DecodingPublisher<>(body, downstream -> new DecodingSubscription<byte[], T>(
                downstream,
                (frames, comments, max) -> new NdjsonDecoder(frames, max),
                mapper));
    }

    /**
     * Creates a publisher that decodes {@code body} as an AWS event stream
     * ({@code application/vnd.amazon.eventstream}, see {@link EventStreamDecoder}): both checksums
     * of every message are verified before the mapper sees it.
     *
     * @param body the response body chunks
     * @param mapper turns each message into items and recognizes the final one, which every
     *     stream must have; a message over 16 MiB, or a corrupt one, fails the stream
     * @param <T> the item type
     * @return the publisher, for a single subscriber
     */
    public static <T> DecodingPublisher<T> eventStream(
            Flow.Publisher<List<ByteBuffer>> body,
            FrameMapper<EventStreamMessage, T> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        return new DecodingPublisher<>(body, downstream -> new DecodingSubscription<EventStreamMessage, T>(
                downstream,
                (frames, comments, max) -> new EventStreamDecoder(frames, max),
                mapper));
    }

    /**
     * Subscribes to the decoded items; the first call subscribes to the body.
     *
     * @param subscriber the subscriber; a second one gets {@code onError(IllegalStateException)}
     */
    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        if (!subscribed.compareAndSet(false, true)) {
            new FailedSubscription<T>(subscriber, new IllegalStateException(
                    "this stream can be subscribed to only once: the response body was already taken"))
                    .start();
            return;
        }
        DecodingSubscription<?, T> subscription = subscriptions.apply(subscriber);
        subscription.start();
        try {
            upstream.subscribe(subscription);
        } catch (Throwable t) {
            subscription.fail(t);
        }
    }

    /** A subscription that fails at once: onSubscribe, then onError. */
    private static final class FailedSubscription<T> extends AbstractSubscription<T> {
        private final Throwable error;

        FailedSubscription(Flow.Subscriber<? super T> downstream, Throwable error) {
            super(downstream);
            this.error = error;
        }

        @Override
        protected long emit(long demand) {
            submitOnError(error);
            return 0;
        }
    }
}
