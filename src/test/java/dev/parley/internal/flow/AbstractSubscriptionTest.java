package dev.parley.internal.flow;

import dev.parley.support.TestSubscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AbstractSubscriptionTest {

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @Test
    void deliversOnlyWhatWasRequested() {
        RangePublisher publisher = new RangePublisher(10);
        TestSubscriber<Integer> s = new TestSubscriber<>();
        publisher.subscribe(s);
        assertEquals(List.of(), s.items());
        s.request(3);
        assertEquals(range(3), s.items());
        s.assertNotTerminated();
        s.request(2);
        assertEquals(range(5), s.items());
        s.request(100);
        assertEquals(range(10), s.awaitCompletion());
        assertEquals(List.of(false), publisher.aborts, "abort runs once, as a normal completion");
    }

    @Test
    void requestInsideOnSubscribeIsHonoured() {
        TestSubscriber<Integer> s = new TestSubscriber<>(4);
        new RangePublisher(10).subscribe(s);
        assertEquals(range(4), s.items());
    }

    @Test
    void nonPositiveRequestFailsWithIllegalArgumentException() {
        for (long n : new long[] {0, -1, Long.MIN_VALUE}) {
            RangePublisher publisher = new RangePublisher(10);
            TestSubscriber<Integer> s = new TestSubscriber<>();
            publisher.subscribe(s);
            s.request(2);
            s.request(n);
            Throwable error = s.awaitError();
            assertInstanceOf(IllegalArgumentException.class, error);
            assertTrue(error.getMessage().contains("3.9"), error.getMessage());
            s.request(5);
            assertEquals(range(2), s.items(), "nothing after the error");
            assertEquals(List.of(true), publisher.aborts);
        }
    }

    @Test
    void demandIsCappedAtLongMaxValue() {
        TestSubscriber<Integer> s = new TestSubscriber<>();
        new RangePublisher(1000).subscribe(s);
        s.request(Long.MAX_VALUE - 1);
        s.request(Long.MAX_VALUE);
        s.request(5);
        assertEquals(range(1000), s.awaitCompletion());
    }

    @Test
    void partialDemandThenUnboundedDemand() {
        TestSubscriber<Integer> s = new TestSubscriber<>();
        new RangePublisher(10).subscribe(s);
        s.request(Long.MAX_VALUE - 3);
        s.request(Long.MAX_VALUE - 3);
        assertEquals(range(10), s.awaitCompletion());
    }

    @Test
    void cancelStopsDeliveryAndIsIdempotent() {
        RangePublisher publisher = new RangePublisher(100);
        AtomicReference<TestSubscriber<Integer>> ref = new AtomicReference<>();
        TestSubscriber<Integer> s = new TestSubscriber<Integer>().onNextDo(i -> {
            if (i == 2) {
                ref.get().cancel(); // from inside onNext, while demand remains
                ref.get().cancel();
            }
        });
        ref.set(s);
        publisher.subscribe(s);
        s.request(50);
        assertEquals(range(3), s.items());
        s.cancel();
        s.request(10);
        s.request(0); // after cancel, even an invalid request is a no-op (rule 3.6)
        assertEquals(range(3), s.items());
        assertTrue(!s.isTerminated(), "no terminal signal after cancel");
        assertEquals(List.of(true), publisher.aborts, "abort ran exactly once");
        s.assertNoViolations();
    }

    @Test
    void cancelBeforeAnyRequest() {
        RangePublisher publisher = new RangePublisher(0); // would complete immediately
        TestSubscriber<Integer> s = new TestSubscriber<Integer>().cancelInOnSubscribe();
        publisher.subscribe(s);
        assertTrue(!s.isTerminated(), "cancelled in onSubscribe: no onComplete");
        assertEquals(List.of(true), publisher.aborts);
    }

    @Test
    void terminalSignalIsDeliveredOnce() {
        RangePublisher publisher = new RangePublisher(2);
        TestSubscriber<Integer> s = new TestSubscriber<>(2);
        publisher.subscribe(s);
        s.awaitCompletion();
        s.request(1);
        s.request(0);
        s.cancel();
        s.assertNoViolations();
        assertEquals(List.of(false), publisher.aborts);
    }

    @Test
    void emptyStreamCompletesWithoutDemand() {
        TestSubscriber<Integer> s = new TestSubscriber<>();
        new RangePublisher(0).subscribe(s);
        assertEquals(List.of(), s.awaitCompletion());
    }

    @Test
    void reentrantRequestFromOnNextDoesNotGrowTheStack() {
        int count = 100_000;
        AtomicReference<TestSubscriber<Integer>> ref = new AtomicReference<>();
        AtomicInteger maxDepth = new AtomicInteger();
        TestSubscriber<Integer> s = new TestSubscriber<Integer>().onNextDo(i -> {
            if (i % 1000 == 0) {
                maxDepth.accumulateAndGet(Thread.currentThread().getStackTrace().length, Math::max);
            }
            ref.get().request(1);
        });
        ref.set(s);
        new RangePublisher(count).subscribe(s);
        s.request(1);
        assertEquals(range(count), s.awaitCompletion());
        // If request() recursed into onNext, the depth would grow with every item (and overflow).
        assertTrue(maxDepth.get() < 200, "stack depth " + maxDepth.get());
    }

    @Test
    void concurrentRequestsNeverOverlapSignals() throws Exception {
        int threads = 4;
        int perThread = 25_000;
        TestSubscriber<Integer> s = new TestSubscriber<>();
        new RangePublisher(threads * perThread).subscribe(s);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    s.request(1);
                }
            }));
        }
        start.countDown();
        for (Thread w : workers) {
            w.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertEquals(range(threads * perThread), s.awaitCompletion(), "in order, none lost");
        s.assertNoViolations();
    }

    @Test
    void cancelFromAnotherThreadWhileDelivering() throws Exception {
        RangePublisher publisher = new RangePublisher(Integer.MAX_VALUE);
        CountDownLatch delivering = new CountDownLatch(100);
        TestSubscriber<Integer> s = new TestSubscriber<Integer>().onNextDo(i -> delivering.countDown());
        publisher.subscribe(s);
        Thread producer = Thread.ofPlatform().start(() -> s.request(Long.MAX_VALUE));
        assertTrue(delivering.await(10, TimeUnit.SECONDS));
        s.cancel();
        producer.join(TimeUnit.SECONDS.toMillis(10));
        assertTrue(!producer.isAlive(), "delivery stopped after cancel");
        int delivered = s.items().size();
        assertTrue(delivered < Integer.MAX_VALUE);
        assertEquals(List.of(true), publisher.aborts);
        s.assertNoViolations();
    }

    @Test
    void onNextThrowingCancelsAndReportsTheException() {
        RangePublisher publisher = new RangePublisher(10);
        IllegalStateException boom = new IllegalStateException("boom");
        TestSubscriber<Integer> s = new TestSubscriber<Integer>().onNextDo(i -> {
            if (i == 1) {
                throw boom;
            }
        });
        publisher.subscribe(s);
        s.request(5);
        assertSame(boom, s.awaitError());
        assertEquals(range(2), s.items());
        assertEquals(List.of(true), publisher.aborts);
    }

    @Test
    void emitThrowingFailsTheSubscription() {
        RuntimeException bug = new RuntimeException("bug in emit");
        List<Boolean> aborts = new ArrayList<>();
        TestSubscriber<Integer> s = new TestSubscriber<>();
        new AbstractSubscription<Integer>(s) {
            @Override
            protected long emit(long demand) {
                if (demand > 0) {
                    throw bug;
                }
                return 0;
            }

            @Override
            protected void abort(boolean flowInterrupted) {
                aborts.add(flowInterrupted);
            }
        }.start();
        s.request(1);
        assertSame(bug, s.awaitError());
        assertEquals(List.of(true), aborts);
    }

    @Test
    void signalErrorFailsWithoutDemandAndOnlyTheFirstCounts() {
        TestSubscriber<Integer> s = new TestSubscriber<>();
        AtomicReference<Runnable> fail = new AtomicReference<>();
        AbstractSubscription<Integer> subscription = new AbstractSubscription<>(s) {
            @Override
            protected long emit(long demand) {
                return 0;
            }
        };
        IllegalStateException first = new IllegalStateException("first");
        fail.set(() -> {
            // signalError is protected; reachable here because the test is in the same package.
            subscription.signalError(first);
            subscription.signalError(new IllegalStateException("second"));
        });
        subscription.start();
        fail.get().run();
        assertSame(first, s.awaitError());
    }
}
