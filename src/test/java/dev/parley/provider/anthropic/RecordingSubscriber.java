package dev.parley.provider.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A subscriber for tests that requests one item at a time (the next from inside
 * {@code onNext}), records what arrives, and notes any item delivered without demand or any
 * signal after a terminal one. Thread-safe.
 */
final class RecordingSubscriber<T> implements Flow.Subscriber<T> {

    private final List<T> items = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final BiConsumer<RecordingSubscriber<T>, T> onNextAction;
    private Flow.Subscription subscription;
    private long outstanding;
    private Throwable error;
    private boolean completed;

    /** Creates a subscriber that asks for the next item after each one. */
    RecordingSubscriber() {
        this((s, item) -> s.request(1));
    }

    /** Creates a subscriber that runs {@code onNextAction} after recording each item. */
    RecordingSubscriber(BiConsumer<RecordingSubscriber<T>, T> onNextAction) {
        this.onNextAction = onNextAction;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        synchronized (this) {
            subscription = s;
        }
        request(1);
    }

    @Override
    public void onNext(T item) {
        synchronized (this) {
            if (outstanding == 0) {
                violations.add("item without demand: " + item);
            }
            outstanding--;
            if (completed || error != null) {
                violations.add("item after a terminal signal");
            }
            items.add(item);
        }
        onNextAction.accept(this, item);
    }

    @Override
    public synchronized void onError(Throwable t) {
        if (completed || error != null) {
            violations.add("onError after a terminal signal: " + t);
        }
        error = t;
        terminated.countDown();
    }

    @Override
    public synchronized void onComplete() {
        if (completed || error != null) {
            violations.add("onComplete after a terminal signal");
        }
        completed = true;
        terminated.countDown();
    }

    /** Asks for {@code n} more items. */
    void request(long n) {
        Flow.Subscription s;
        synchronized (this) {
            outstanding += n;
            s = subscription;
        }
        s.request(n);
    }

    /** Cancels the subscription. */
    void cancel() {
        Flow.Subscription s;
        synchronized (this) {
            s = subscription;
        }
        s.cancel();
    }

    /** Waits up to 10 seconds for completion or an error. */
    RecordingSubscriber<T> awaitTerminal() {
        try {
            if (!terminated.await(10, TimeUnit.SECONDS)) {
                fail("the stream did not end within 10 seconds; items: " + items().size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
        synchronized (this) {
            assertEquals(List.of(), violations, "Reactive Streams violations");
        }
        return this;
    }

    /** {@return whether a terminal signal arrives within {@code millis}} */
    boolean terminatesWithin(long millis) throws InterruptedException {
        return terminated.await(millis, TimeUnit.MILLISECONDS);
    }

    synchronized List<T> items() {
        return List.copyOf(items);
    }

    synchronized Throwable error() {
        return error;
    }

    synchronized boolean completed() {
        return completed;
    }

    /** Waits for completion and returns the items. */
    List<T> awaitCompletion() {
        awaitTerminal();
        Throwable e = error();
        if (e != null) {
            throw new AssertionError("expected completion, got an error", e);
        }
        assertTrue(completed());
        return items();
    }
}
