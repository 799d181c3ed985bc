package dev.parley.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A subscriber for tests: records items, the error and completion, requests only when told to,
 * and checks the Reactive Streams signalling rules (onSubscribe first and once, no signal after a
 * terminal one, no concurrent or overlapping signals, no more items than requested).
 *
 * <p>Thread-safe: signals may come from any thread while the test thread inspects and waits.
 */
public final class TestSubscriber<T> implements Flow.Subscriber<T> {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicBoolean inSignal = new AtomicBoolean();
    private final long initialRequest;
    private final List<T> items = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private volatile Consumer<T> onNextAction = item -> {};
    private volatile boolean cancelInOnSubscribe;
    private volatile boolean requestOneAfterEach;
    private Flow.Subscription subscription;
    private Throwable error;
    private int completions;
    private int errors;
    private int subscriptions;
    private long requested;

    /** Creates a subscriber that requests nothing until told to. */
    public TestSubscriber() {
        this(0);
    }

    /**
     * Creates a subscriber that requests {@code initialRequest} items in onSubscribe.
     *
     * @param initialRequest the first request, 0 for none
     */
    public TestSubscriber(long initialRequest) {
        this.initialRequest = initialRequest;
    }

    /**
     * Creates a subscriber that requests one item in onSubscribe and one more after each item
     * (after the {@linkplain #onNextDo onNext action}, outside the signal).
     */
    public static <T> TestSubscriber<T> oneAtATime() {
        TestSubscriber<T> s = new TestSubscriber<>(1);
        s.requestOneAfterEach = true;
        return s;
    }

    /** Runs {@code action} inside each onNext, after the item is recorded. */
    public TestSubscriber<T> onNextDo(Consumer<T> action) {
        this.onNextAction = action;
        return this;
    }

    /** Makes onSubscribe cancel the subscription right away (after the initial request, if any). */
    public TestSubscriber<T> cancelInOnSubscribe() {
        this.cancelInOnSubscribe = true;
        return this;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        enter("onSubscribe");
        try {
            lock.lock();
            try {
                subscriptions++;
                if (subscriptions > 1) {
                    violations.add("onSubscribe called " + subscriptions + " times");
                }
                subscription = s;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (initialRequest > 0) {
                request(initialRequest);
            }
            if (cancelInOnSubscribe) {
                s.cancel();
            }
        } finally {
            exit();
        }
    }

    @Override
    public void onNext(T item) {
        enter("onNext");
        try {
            lock.lock();
            try {
                if (subscriptions == 0) {
                    violations.add("onNext before onSubscribe");
                }
                if (completions + errors > 0) {
                    violations.add("onNext after a terminal signal");
                }
                if (requested != Long.MAX_VALUE) {
                    if (requested == 0) {
                        violations.add("onNext without demand: " + item);
                    } else {
                        requested--;
                    }
                }
                items.add(item);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            onNextAction.accept(item);
        } finally {
            exit();
        }
        if (requestOneAfterEach) {
            request(1);
        }
    }

    @Override
    public void onError(Throwable t) {
        enter("onError");
        try {
            lock.lock();
            try {
                if (completions + errors > 0) {
                    violations.add("onError after a terminal signal: " + t);
                }
                errors++;
                error = t;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        } finally {
            exit();
        }
    }

    @Override
    public void onComplete() {
        enter("onComplete");
        try {
            lock.lock();
            try {
                if (completions + errors > 0) {
                    violations.add("onComplete after a terminal signal");
                }
                completions++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        } finally {
            exit();
        }
    }

    private void enter(String signal) {
        if (!inSignal.compareAndSet(false, true)) {
            lock.lock();
            try {
                violations.add(signal + " overlapped another signal");
            } finally {
                lock.unlock();
            }
        }
    }

    private void exit() {
        inSignal.set(false);
    }

    /** Requests {@code n} items (n may be invalid, to test rule 3.9). */
    public void request(long n) {
        Flow.Subscription s;
        lock.lock();
        try {
            s = subscription;
            if (n > 0) {
                requested = requested + n < 0 ? Long.MAX_VALUE : requested + n;
            }
        } finally {
            lock.unlock();
        }
        assertNotNull(s, "not subscribed");
        s.request(n);
    }

    /** Cancels the subscription. */
    public void cancel() {
        Flow.Subscription s;
        lock.lock();
        try {
            s = subscription;
        } finally {
            lock.unlock();
        }
        assertNotNull(s, "not subscribed");
        s.cancel();
    }

    public List<T> items() {
        lock.lock();
        try {
            return List.copyOf(items);
        } finally {
            lock.unlock();
        }
    }

    public Throwable error() {
        lock.lock();
        try {
            return error;
        } finally {
            lock.unlock();
        }
    }

    public boolean isCompleted() {
        lock.lock();
        try {
            return completions > 0;
        } finally {
            lock.unlock();
        }
    }

    public boolean isTerminated() {
        lock.lock();
        try {
            return completions + errors > 0;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until at least {@code count} items arrived (or the stream ended), then returns them. */
    public List<T> awaitItems(int count) {
        await(() -> items.size() >= count || completions + errors > 0, "items: " + count);
        List<T> result = items();
        assertTrue(result.size() >= count, () -> "stream ended after " + result.size()
                + " items, expected " + count + "; error: " + error());
        return result;
    }

    /** Waits for a terminal signal. */
    public TestSubscriber<T> awaitTerminal() {
        await(() -> completions + errors > 0, "a terminal signal");
        return this;
    }

    /** {@return whether a terminal signal arrives within {@code timeout}} */
    public boolean terminatesWithin(Duration timeout) {
        return waitFor(() -> completions + errors > 0, timeout, "a terminal signal");
    }

    /** Waits for completion and asserts there was no error. */
    public List<T> awaitCompletion() {
        awaitTerminal();
        Throwable e = error();
        if (e != null) {
            throw new AssertionError("expected completion, got an error", e);
        }
        assertNoViolations();
        return items();
    }

    /** Waits for an error, asserts there was no completion, and returns the error. */
    public Throwable awaitError() {
        awaitTerminal();
        assertFalse(isCompleted(), "expected an error, got completion");
        assertNoViolations();
        return error();
    }

    public void assertNotTerminated() {
        assertFalse(isTerminated(), () -> "unexpectedly terminated; error: " + error());
    }

    public void assertNoViolations() {
        lock.lock();
        try {
            assertEquals(List.of(), violations, "Reactive Streams violations");
        } finally {
            lock.unlock();
        }
    }

    public void assertNoError() {
        assertNull(error(), "unexpected error");
    }

    private void await(BooleanSupplier condition, String what) {
        if (!waitFor(condition, TIMEOUT, what)) {
            fail("timed out waiting for " + what + "; items so far: " + items().size() + ", error: " + error());
        }
    }

    /** Waits, under the lock, until {@code condition} holds. {@return true if it did, false if {@code timeout} passed first} */
    private boolean waitFor(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted waiting for " + what);
        } finally {
            lock.unlock();
        }
    }
}
