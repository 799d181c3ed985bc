package dev.parley.provider.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;

import org.junit.jupiter.api.Test;

/** The relay that adds a blank line at the end of a body: demand, completion, errors, cancellation. */
class FinalEventFlushTest {

    /** An upstream driven by the test, recording demand and cancellation. */
    private static final class Upstream implements Flow.Publisher<List<ByteBuffer>>, Flow.Subscription {
        Flow.Subscriber<? super List<ByteBuffer>> subscriber;
        long requested;
        boolean cancelled;

        @Override
        public void subscribe(Flow.Subscriber<? super List<ByteBuffer>> s) {
            subscriber = s;
            s.onSubscribe(this);
        }

        @Override
        public void request(long n) {
            requested += n;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        void send(String text) {
            subscriber.onNext(List.of(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
        }
    }

    /** Records what arrives, as text; requests only when told to. */
    private static final class Sink implements Flow.Subscriber<List<ByteBuffer>> {
        final List<String> items = new ArrayList<>();
        Flow.Subscription subscription;
        Throwable error;
        boolean completed;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            StringBuilder sb = new StringBuilder();
            item.forEach(b -> sb.append(StandardCharsets.UTF_8.decode(b)));
            items.add(sb.toString());
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onComplete() {
            completed = true;
        }
    }

    private final Upstream upstream = new Upstream();
    private final FinalEventFlush flush = new FinalEventFlush(upstream);
    private final Sink sink = new Sink();

    @Test
    void completionWithDemand_addsTheBlankLineAtOnce() {
        flush.subscribe(sink);
        sink.subscription.request(2);
        assertEquals(2, upstream.requested);
        upstream.send("data: a");
        assertFalse(flush.ended());
        upstream.subscriber.onComplete();
        assertEquals(List.of("data: a", "\n\n"), sink.items);
        assertTrue(sink.completed);
        assertTrue(flush.ended());
    }

    @Test
    void completionWithoutDemand_waitsForTheNextRequest() {
        flush.subscribe(sink);
        sink.subscription.request(1);
        upstream.send("data: a");
        upstream.subscriber.onComplete();
        assertEquals(List.of("data: a"), sink.items);
        assertFalse(sink.completed);

        sink.subscription.request(1);
        assertEquals(List.of("data: a", "\n\n"), sink.items);
        assertTrue(sink.completed);
        assertEquals(1, upstream.requested, "the last request is not passed on to a finished upstream");
        sink.subscription.request(5);
        assertEquals(2, sink.items.size());
    }

    @Test
    void errors_arePassedOnWithoutTheBlankLine() {
        flush.subscribe(sink);
        sink.subscription.request(1);
        IOException failure = new IOException("reset");
        upstream.subscriber.onError(failure);
        assertSame(failure, sink.error);
        assertEquals(List.of(), sink.items);
        assertFalse(flush.ended());
    }

    @Test
    void afterCancel_nothingMoreArrives() {
        flush.subscribe(sink);
        sink.subscription.request(1);
        sink.subscription.cancel();
        assertTrue(upstream.cancelled);
        upstream.subscriber.onComplete();
        sink.subscription.request(1);
        assertEquals(List.of(), sink.items);
        assertFalse(sink.completed);
        assertNull(sink.error);
    }
}
