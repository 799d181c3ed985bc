package dev.parley.support;

import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.parley.ChatChunk;
import dev.parley.internal.flow.AbstractSubscription;

/**
 * A cold publisher of fixed chunks that then completes or fails, and records what its
 * subscriber asked for: subscriptions, total demand, cancellation.
 */
public final class ScriptedPublisher implements Flow.Publisher<ChatChunk> {

    public final AtomicInteger subscriptions = new AtomicInteger();
    public final AtomicLong requested = new AtomicLong();
    public final AtomicBoolean cancelled = new AtomicBoolean();
    private final List<ChatChunk> chunks;
    private final RuntimeException error;

    public ScriptedPublisher(List<ChatChunk> chunks, RuntimeException error) {
        this.chunks = List.copyOf(chunks);
        this.error = error;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ChatChunk> subscriber) {
        subscriptions.incrementAndGet();
        Flow.Subscriber<ChatChunk> recording = new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                        requested.addAndGet(n);
                        s.request(n);
                    }

                    @Override
                    public void cancel() {
                        cancelled.set(true);
                        s.cancel();
                    }
                });
            }

            @Override
            public void onNext(ChatChunk item) {
                subscriber.onNext(item);
            }

            @Override
            public void onError(Throwable t) {
                subscriber.onError(t);
            }

            @Override
            public void onComplete() {
                subscriber.onComplete();
            }
        };
        new AbstractSubscription<ChatChunk>(recording) {
            private int next;

            @Override
            protected long emit(long demand) {
                long sent = 0;
                while (sent < demand && next < chunks.size()) {
                    if (!submitOnNext(chunks.get(next++))) {
                        return sent;
                    }
                    sent++;
                }
                if (next == chunks.size()) {
                    if (error != null) {
                        submitOnError(error);
                    } else {
                        submitOnComplete();
                    }
                }
                return sent;
            }
        }.start();
    }
}
