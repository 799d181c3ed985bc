package dev.parley.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * A subscriber that requests only when told to and records what it receives. The signals of
 * one subscription are serialized, so reads after {@link #awaitTerminal()} or from the
 * signalling thread are safe.
 */
public final class RecordingSubscriber<T> implements Flow.Subscriber<T> {

    public final List<T> items = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CountDownLatch terminal = new CountDownLatch(1);
    private volatile Flow.Subscription subscription;
    public volatile Throwable error;
    public volatile boolean completed;

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
    }

    @Override
    public void onNext(T item) {
        items.add(item);
    }

    @Override
    public void onError(Throwable t) {
        error = t;
        terminal.countDown();
    }

    @Override
    public void onComplete() {
        completed = true;
        terminal.countDown();
    }

    public void request(long n) {
        subscription.request(n);
    }

    public void cancel() {
        subscription.cancel();
    }

    public RecordingSubscriber<T> awaitTerminal() throws InterruptedException {
        if (!terminal.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no terminal signal; items " + items.size());
        }
        return this;
    }

    public List<T> itemsSoFar() {
        return new ArrayList<>(items);
    }
}
