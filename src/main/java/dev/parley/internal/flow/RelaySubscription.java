package dev.parley.internal.flow;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;

import dev.parley.LlmException;
import dev.parley.internal.flow.AbstractSubscription;

/**
 * The subscription behind {@link Relay}: forwards demand to the current attempt, hands what it
 * sends straight downstream when it can (demand outstanding, nothing queued, no other signal in
 * flight) and queues it otherwise (never more than was requested), and on an early failure asks
 * the hooks what to do.
 *
 * <p>State touched only inside the drain loop ({@link #emit}) needs no synchronization; state
 * shared with the upstream's threads and the waiting thread is volatile or concurrent.
 */
final class RelaySubscription<T> extends AbstractSubscription<T> implements Relay.Control {

    private final Relay.Hooks<T> hooks;
    private final Queue<T> queue = new ConcurrentLinkedQueue<>();
    /** The attempt in progress; null while waiting to open the next one. */
    private volatile Upstream current;
    /** Set once the subscription has ended; late upstreams are cancelled on arrival. */
    private volatile boolean closed;
    /** The thread opening the next attempt, interrupted on cancellation. */
    private volatile Thread waiter;
    /** The error passed to {@link #fail}, reported to {@link Relay.Hooks#ended}. */
    private volatile Throwable failure;

    // Drain-loop state.
    private int attempt = 1;
    private long requestedFromCurrent;
    private long deliveredFromCurrent;
    private boolean unbounded;
    private boolean started;
    private Throwable terminalError;

    RelaySubscription(Flow.Subscriber<? super T> downstream, Relay.Hooks<T> hooks) {
        super(downstream);
        this.hooks = hooks;
    }

    void begin(Flow.Publisher<? extends T> first, Relay.Opener<T> firstOpener) {
        hooks.started(this);
        start();
        if (first != null) {
            connect(first);
            return;
        }
        try {
            connect(firstOpener.open());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failAttempt(e);
        } catch (RuntimeException | Error e) {
            failAttempt(e);
        }
    }

    @Override
    public void fail(Throwable error) {
        if (failure == null) {
            failure = error;
        }
        signalError(error);
    }

    private void connect(Flow.Publisher<? extends T> publisher) {
        Upstream up = new Upstream();
        current = up;
        if (closed) {
            return;
        }
        try {
            publisher.subscribe(up);
        } catch (RuntimeException | Error e) {
            up.onError(e);
        }
    }

    /** Records a failure to open an attempt as that attempt's error. */
    private void failAttempt(Throwable error) {
        Upstream up = new Upstream();
        up.error = error;
        current = up;
        signal();
    }

    @Override
    protected long emit(long demand) {
        Upstream up = current;
        long sent = 0;
        while (sent < demand) {
            T item = queue.poll();
            if (item == null) {
                break;
            }
            if (!submitOnNext(item)) {
                return sent;
            }
            sent++;
            deliveredFromCurrent++;
            started = true;
        }
        if (up == null) {
            return sent; // waiting for the next attempt
        }
        // Read the terminal state before the queue: an item queued before it is then visible.
        boolean complete = up.complete;
        Throwable error = up.error;
        if (complete || error != null) {
            if (queue.isEmpty()) {
                if (error != null) {
                    afterFailure(error);
                } else {
                    submitOnComplete();
                }
            }
            return sent;
        }
        Flow.Subscription s = up.subscription;
        if (s != null) {
            if (demand == Long.MAX_VALUE) {
                if (!unbounded) {
                    unbounded = true;
                    hooks.requested(Long.MAX_VALUE);
                    s.request(Long.MAX_VALUE);
                }
            } else if (!unbounded) {
                long want = (demand - sent) - (requestedFromCurrent - deliveredFromCurrent);
                if (want > 0) {
                    requestedFromCurrent += want;
                    hooks.requested(want);
                    s.request(want);
                }
            }
        }
        return sent;
    }

    @Override
    protected void emittedNow(T item) {
        deliveredFromCurrent++;
        started = true;
    }

    private void afterFailure(Throwable error) {
        current = null;
        Relay.Next<T> next;
        if (started) {
            next = Relay.Next.fail(error);
        } else {
            try {
                next = hooks.failedEarly(attempt, error);
            } catch (RuntimeException e) {
                e.addSuppressed(error);
                next = Relay.Next.fail(e);
            }
        }
        if (next.opener() == null) {
            terminalError = next.error();
            submitOnError(next.error());
            return;
        }
        attempt++;
        requestedFromCurrent = 0;
        deliveredFromCurrent = 0;
        unbounded = false;
        Relay.Opener<T> opener = next.opener();
        Thread thread = Thread.ofVirtual().name("parley-relay-attempt-" + attempt).unstarted(() -> open(opener));
        waiter = thread;
        if (!closed) {
            thread.start();
        }
    }

    private void open(Relay.Opener<T> opener) {
        Flow.Publisher<? extends T> next;
        try {
            next = opener.open();
        } catch (InterruptedException e) {
            if (!closed) {
                fail(LlmException.newBuilder(LlmException.Kind.TIMEOUT)
                        .message("interrupted while waiting to open the next attempt of the stream")
                        .retryable(false)
                        .cause(e)
                        .build());
            }
            return;
        } catch (RuntimeException | Error e) {
            failAttempt(e);
            return;
        } finally {
            waiter = null;
        }
        connect(next);
    }

    @Override
    protected void abort(boolean flowInterrupted) {
        closed = true;
        Thread w = waiter;
        if (w != null) {
            w.interrupt();
        }
        Upstream up = current;
        if (flowInterrupted && up != null) {
            Flow.Subscription s = up.subscription;
            if (s != null) {
                s.cancel();
            }
        }
        queue.clear();
        Relay.End end;
        Throwable error = terminalError != null ? terminalError : failure;
        if (!flowInterrupted) {
            end = Relay.End.COMPLETED;
            error = null;
        } else {
            end = error != null ? Relay.End.FAILED : Relay.End.CANCELLED;
        }
        hooks.ended(end, error);
    }

    /** The subscriber to one attempt; signals from an attempt that is no longer current are dropped. */
    private final class Upstream implements Flow.Subscriber<T> {
        volatile Flow.Subscription subscription;
        volatile boolean complete;
        volatile Throwable error;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            if (subscription != null) {
                s.cancel(); // rule 2.5
                return;
            }
            subscription = s;
            if (closed || current != this) {
                s.cancel();
            } else {
                signal();
            }
        }

        @Override
        public void onNext(T item) {
            if (current != this || complete || error != null || closed) {
                return;
            }
            hooks.received(item);
            // Only this thread adds to the queue, so an empty queue stays empty until it does:
            // with demand outstanding and the loop free, the item goes straight downstream.
            if (queue.isEmpty() && tryEmitNow(item)) {
                return;
            }
            queue.offer(item);
            signal();
        }

        @Override
        public void onError(Throwable t) {
            if (current != this || complete || error != null) {
                return;
            }
            error = t != null ? t : new NullPointerException("onError(null)");
            signal();
        }

        @Override
        public void onComplete() {
            if (current != this || error != null) {
                return;
            }
            complete = true;
            signal();
        }
    }
}
