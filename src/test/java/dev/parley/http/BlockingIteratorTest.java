package dev.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import dev.parley.internal.flow.BlockingIterator;
import dev.parley.internal.flow.RangePublisher;

class BlockingIteratorTest {

    /**
     * A publisher the test drives by hand: records requests and cancels, and lets the test push
     * items and terminal signals from its own thread.
     */
    static final class HandPublisher<T> implements Flow.Publisher<T> {
        final AtomicLong requested = new AtomicLong();
        final AtomicInteger cancels = new AtomicInteger();
        final CountDownLatch subscribed = new CountDownLatch(1);
        volatile Flow.Subscriber<? super T> subscriber;

        @Override
        public void subscribe(Flow.Subscriber<? super T> s) {
            subscriber = s;
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    requested.addAndGet(n);
                }

                @Override
                public void cancel() {
                    cancels.incrementAndGet();
                }
            });
            subscribed.countDown();
        }
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @Test
    void iteratesAllItemsInOrder() {
        List<Integer> seen = new ArrayList<>();
        try (BlockingIterator<Integer> items = BlockingIterator.subscribe(new RangePublisher(1000), 8)) {
            for (int i : items) {
                seen.add(i);
            }
            assertFalse(items.hasNext());
            assertThrows(NoSuchElementException.class, items::next);
        }
        assertEquals(range(1000), seen);
    }

    @Test
    void iteratesAcrossThreads() throws Exception {
        // Items arrive from another thread while the reader blocks.
        HandPublisher<Integer> publisher = new HandPublisher<>();
        BlockingIterator<Integer> items = BlockingIterator.subscribe(publisher, 4);
        Thread producer = Thread.ofPlatform().start(() -> {
            int next = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (next < 100 && System.nanoTime() < deadline) {
                long allowed = publisher.requested.get();
                if (next < allowed) {
                    publisher.subscriber.onNext(next++);
                } else {
                    Thread.onSpinWait();
                }
            }
            publisher.subscriber.onComplete();
        });
        List<Integer> seen = new ArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> items.forEachRemaining(seen::add));
        reader.join(TimeUnit.SECONDS.toMillis(20));
        producer.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(reader.isAlive());
        assertEquals(range(100), seen);
    }

    @Test
    void bufferingIsBounded() {
        HandPublisher<Integer> publisher = new HandPublisher<>();
        BlockingIterator<Integer> items = BlockingIterator.subscribe(publisher, 8);
        assertEquals(8, publisher.requested.get(), "first batch");
        for (int i = 0; i < 8; i++) {
            publisher.subscriber.onNext(i);
        }
        assertEquals(8, publisher.requested.get(), "nothing more while the reader reads nothing");
        int consumed = 0;
        for (int i = 0; i < 8; i++) {
            assertEquals(i, items.next());
            consumed++;
            // What is buffered plus what is requested never exceeds the batch size.
            long outstanding = publisher.requested.get() - 8;
            assertTrue(outstanding + (8 - consumed) <= 8,
                    "requested " + publisher.requested.get() + " after consuming " + consumed);
        }
        assertTrue(publisher.requested.get() > 8, "replenished after consuming");
        items.close();
    }

    @Test
    void overDeliveryIsAnError() {
        HandPublisher<Integer> publisher = new HandPublisher<>();
        BlockingIterator<Integer> items = BlockingIterator.subscribe(publisher, 2);
        publisher.subscriber.onNext(1);
        publisher.subscriber.onNext(2);
        publisher.subscriber.onNext(3);
        assertEquals(1, publisher.cancels.get());
        assertEquals(1, items.next());
        assertEquals(2, items.next());
        assertInstanceOf(IllegalStateException.class, assertThrows(RuntimeException.class, items::hasNext));
    }

    @Test
    void uncheckedErrorIsRethrownAsIsAfterTheItems() {
        HandPublisher<String> publisher = new HandPublisher<>();
        BlockingIterator<String> items = BlockingIterator.subscribe(publisher);
        publisher.subscriber.onNext("a");
        IllegalStateException boom = new IllegalStateException("boom");
        publisher.subscriber.onError(boom);
        assertEquals("a", items.next());
        assertSame(boom, assertThrows(IllegalStateException.class, items::hasNext));
        assertSame(boom, assertThrows(IllegalStateException.class, items::next), "again");
    }

    @Test
    void ioExceptionIsWrappedInUncheckedIoException() {
        HandPublisher<String> publisher = new HandPublisher<>();
        BlockingIterator<String> items = BlockingIterator.subscribe(publisher);
        IOException cut = new StreamInterruptedException("stream ended before it was complete");
        publisher.subscriber.onError(cut);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, items::hasNext);
        assertSame(cut, e.getCause());
        assertTrue(e.getMessage().contains("before it was complete"));
    }

    @Test
    void otherCheckedExceptionIsWrappedWithCause() {
        HandPublisher<String> publisher = new HandPublisher<>();
        BlockingIterator<String> items = BlockingIterator.subscribe(publisher);
        Exception checked = new Exception("checked");
        publisher.subscriber.onError(checked);
        CompletionException e = assertThrows(CompletionException.class, items::next);
        assertSame(checked, e.getCause());
    }

    @Test
    void errorIsThrownToABlockedReader() throws Exception {
        HandPublisher<String> publisher = new HandPublisher<>();
        BlockingIterator<String> items = BlockingIterator.subscribe(publisher);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                items.hasNext();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        publisher.subscriber.onError(new IllegalArgumentException("late"));
        reader.join(TimeUnit.SECONDS.toMillis(10));
        assertInstanceOf(IllegalArgumentException.class, thrown.get());
    }

    @Test
    void closeCancelsTheSubscription() {
        HandPublisher<Integer> publisher = new HandPublisher<>();
        BlockingIterator<Integer> items = BlockingIterator.subscribe(publisher);
        publisher.subscriber.onNext(1);
        items.close();
        items.close();
        assertEquals(1, publisher.cancels.get());
        assertThrows(CancellationException.class, items::hasNext);
        publisher.subscriber.onNext(2); // late items are dropped
        assertThrows(CancellationException.class, items::next);
    }

    @Test
    void closeAfterCompletionDoesNotCancel() {
        HandPublisher<Integer> publisher = new HandPublisher<>();
        BlockingIterator<Integer> items = BlockingIterator.subscribe(publisher);
        publisher.subscriber.onComplete();
        assertFalse(items.hasNext());
        items.close();
        assertEquals(0, publisher.cancels.get());
        assertFalse(items.hasNext());
    }

    @Test
    void closeBeforeOnSubscribeCancelsWhenTheSubscriptionArrives() {
        AtomicReference<Flow.Subscriber<? super Integer>> late = new AtomicReference<>();
        Flow.Publisher<Integer> deferred = late::set;
        BlockingIterator<Integer> items = BlockingIterator.subscribe(deferred);
        items.close();
        HandPublisher<Integer> publisher = new HandPublisher<>();
        publisher.subscribe(late.get());
        assertEquals(1, publisher.cancels.get());
        assertEquals(0, publisher.requested.get());
    }

    @Test
    void closeFromAnotherThreadWakesTheReader() throws Exception {
        HandPublisher<Integer> publisher = new HandPublisher<>();
        BlockingIterator<Integer> items = BlockingIterator.subscribe(publisher);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                items.hasNext();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        items.close();
        reader.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(reader.isAlive());
        assertInstanceOf(CancellationException.class, thrown.get());
        assertEquals(1, publisher.cancels.get());
    }

    @Test
    void interruptingTheReaderCancelsAndRestoresTheFlag() throws Exception {
        HandPublisher<Integer> publisher = new HandPublisher<>();
        BlockingIterator<Integer> items = BlockingIterator.subscribe(publisher);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flagAfter = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Thread reader = Thread.ofVirtual().start(() -> {
            started.countDown();
            try {
                items.hasNext(); // blocks: nothing is ever sent
            } catch (Throwable t) {
                thrown.set(t);
                flagAfter.set(Thread.currentThread().isInterrupted());
            }
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        // Whether the interrupt lands before or during the wait, the outcome must be the same.
        reader.interrupt();
        reader.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(reader.isAlive());
        assertInstanceOf(CancellationException.class, thrown.get());
        assertInstanceOf(InterruptedException.class, thrown.get().getCause());
        assertTrue(flagAfter.get(), "interrupt flag restored");
        assertEquals(1, publisher.cancels.get());
    }

    @Test
    void iteratorCanBeTakenOnlyOnce() {
        try (BlockingIterator<Integer> items = BlockingIterator.subscribe(new RangePublisher(1))) {
            assertSame(items, items.iterator());
            assertThrows(IllegalStateException.class, items::iterator);
        }
    }

    @Test
    void worksWithDecodingPublisher() {
        ManualUpstream upstream = new ManualUpstream().scripted(List.of(
                "data: a\n\nda".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "ta: b\n\ndata: [DONE]\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)), true);
        FrameMapper<SseEvent, String> mapper = (e, out) -> {
            if (e.data().equals("[DONE]")) {
                out.end();
            } else {
                out.emit(e.data());
            }
        };
        List<String> seen = new ArrayList<>();
        try (BlockingIterator<String> items = BlockingIterator.subscribe(DecodingPublisher.sse(
                upstream, mapper))) {
            items.forEachRemaining(seen::add);
        }
        assertEquals(List.of("a", "b"), seen);
    }
}
