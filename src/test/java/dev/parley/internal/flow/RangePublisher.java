package dev.parley.internal.flow;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;

/**
 * A publisher of the integers {@code 0..count-1}, built on {@link AbstractSubscription}, that
 * records every {@code abort} call so tests can check it happens exactly once. Thread-safe.
 */
public final class RangePublisher implements Flow.Publisher<Integer> {

    private final int count;
    /** The flowInterrupted argument of every abort call, across subscriptions. */
    public final List<Boolean> aborts = new CopyOnWriteArrayList<>();

    public RangePublisher(int count) {
        this.count = count;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Integer> subscriber) {
        new Subscription(subscriber).start();
    }

    private final class Subscription extends AbstractSubscription<Integer> {
        private int next; // only touched in emit(), which the base class serializes

        Subscription(Flow.Subscriber<? super Integer> downstream) {
            super(downstream);
        }

        @Override
        protected long emit(long demand) {
            long sent = 0;
            while (sent < demand && next < count) {
                if (!submitOnNext(next++)) {
                    return sent;
                }
                sent++;
            }
            if (next == count) {
                submitOnComplete();
            }
            return sent;
        }

        @Override
        protected void abort(boolean flowInterrupted) {
            aborts.add(flowInterrupted);
        }
    }
}
