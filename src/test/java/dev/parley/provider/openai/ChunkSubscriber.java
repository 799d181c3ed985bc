package dev.parley.provider.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import dev.parley.ChatChunk;

/**
 * A stream subscriber for tests: records chunks and the terminal signal, requests only when
 * told to (or one at a time, as each chunk arrives), and records breaches of the Reactive
 * Streams rules it can see (more items than requested, signals after a terminal one). Waits use
 * a condition with a timeout, never a sleep. Thread-safe.
 */
final class ChunkSubscriber implements Flow.Subscriber<ChatChunk> {

    private static final long TIMEOUT_SECONDS = 10;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final boolean oneAtATime;
    private final List<ChatChunk> items = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private Flow.Subscription subscription;
    private long outstanding;
    private Throwable error;
    private boolean completed;

    /** @param oneAtATime request one chunk in onSubscribe and one more after each chunk */
    ChunkSubscriber(boolean oneAtATime) {
        this.oneAtATime = oneAtATime;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        lock.lock();
        try {
            if (subscription != null) {
                violations.add("onSubscribe twice");
            }
            subscription = s;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (oneAtATime) {
            request(1);
        }
    }

    @Override
    public void onNext(ChatChunk item) {
        lock.lock();
        try {
            if (error != null || completed) {
                violations.add("onNext after a terminal signal");
            }
            if (outstanding == 0) {
                violations.add("onNext without demand: " + item);
            } else {
                outstanding--;
            }
            items.add(item);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (oneAtATime) {
            request(1);
        }
    }

    @Override
    public void onError(Throwable t) {
        terminate(t);
    }

    @Override
    public void onComplete() {
        terminate(null);
    }

    private void terminate(Throwable t) {
        lock.lock();
        try {
            if (error != null || completed) {
                violations.add("second terminal signal: " + t);
            }
            if (t == null) {
                completed = true;
            } else {
                error = t;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void request(long n) {
        Flow.Subscription s;
        lock.lock();
        try {
            s = subscription;
            outstanding += n;
        } finally {
            lock.unlock();
        }
        assertNotNull(s, "not subscribed");
        s.request(n);
    }

    void cancel() {
        Flow.Subscription s;
        lock.lock();
        try {
            s = subscription;
        } finally {
            lock.unlock();
        }
        s.cancel();
    }

    List<ChatChunk> items() {
        lock.lock();
        try {
            return List.copyOf(items);
        } finally {
            lock.unlock();
        }
    }

    boolean terminated() {
        lock.lock();
        try {
            return completed || error != null;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for completion and returns the chunks; fails on an error or a rule breach. */
    List<ChatChunk> awaitCompletion() {
        await(() -> completed || error != null, "the end of the stream");
        lock.lock();
        try {
            if (error != null) {
                throw new AssertionError("expected completion, got an error", error);
            }
            assertEquals(List.of(), violations, "Reactive Streams violations");
            return List.copyOf(items);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for an error and returns it; fails on completion or a rule breach. */
    Throwable awaitError() {
        await(() -> completed || error != null, "an error");
        lock.lock();
        try {
            if (completed) {
                fail("expected an error, the stream completed after " + items.size() + " chunks");
            }
            assertEquals(List.of(), violations, "Reactive Streams violations");
            return error;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until at least {@code n} chunks arrived. */
    List<ChatChunk> awaitItems(int n) {
        await(() -> items.size() >= n || completed || error != null, n + " chunks");
        List<ChatChunk> result = items();
        if (result.size() < n) {
            fail("the stream ended after " + result.size() + " chunks; error: " + error);
        }
        return result;
    }

    void assertNoViolations() {
        lock.lock();
        try {
            assertEquals(List.of(), violations, "Reactive Streams violations");
        } finally {
            lock.unlock();
        }
    }

    private void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        lock.lock();
        try {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("timed out waiting for " + what + "; chunks so far: " + items.size());
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted waiting for " + what);
        } finally {
            lock.unlock();
        }
    }
}
