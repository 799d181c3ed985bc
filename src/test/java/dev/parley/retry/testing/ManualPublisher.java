package dev.parley.retry.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.ChatChunk;

/**
 * A chunk publisher the test drives by hand: it records demand, cancellation and subscriptions,
 * and refuses to send a chunk nobody asked for. Thread-safe for one test thread driving it.
 */
public final class ManualPublisher implements Flow.Publisher<ChatChunk> {

    public final AtomicLong requested = new AtomicLong();
    public final AtomicLong delivered = new AtomicLong();
    public final AtomicInteger cancels = new AtomicInteger();
    public final AtomicInteger subscribes = new AtomicInteger();
    private final CountDownLatch subscribed = new CountDownLatch(1);
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition demandChanged = lock.newCondition();
    private volatile Flow.Subscriber<? super ChatChunk> subscriber;

    @Override
    public void subscribe(Flow.Subscriber<? super ChatChunk> s) {
        subscribes.incrementAndGet();
        subscriber = s;
        s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                assertTrue(n > 0, "non-positive request " + n);
                lock.lock();
                try {
                    requested.getAndUpdate(r -> r + n < 0 ? Long.MAX_VALUE : r + n);
                    demandChanged.signalAll();
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void cancel() {
                cancels.incrementAndGet();
                cancelled.countDown();
            }
        });
        subscribed.countDown();
    }

    /** Sends a chunk with {@code text}; fails the test if nobody asked for it. */
    public void send(String text) {
        assertTrue(requested.get() > delivered.get(), "chunk sent without demand");
        delivered.incrementAndGet();
        subscriber.onNext(ChatChunk.ofText(text));
    }

    public void complete() {
        subscriber.onComplete();
    }

    public void error(Throwable t) {
        subscriber.onError(t);
    }

    public boolean isCancelled() {
        return cancels.get() > 0;
    }

    public void awaitSubscribed() {
        await(subscribed, "a subscription");
    }

    public void awaitCancelled() {
        await(cancelled, "cancellation");
    }

    /** Waits until at least {@code n} chunks were requested. */
    public void awaitRequested(long n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        lock.lock();
        try {
            while (requested.get() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("timed out waiting for demand " + n + "; got " + requested.get());
                }
                demandChanged.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        } finally {
            lock.unlock();
        }
    }

    private static void await(CountDownLatch latch, String what) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                fail("timed out waiting for " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }
}
