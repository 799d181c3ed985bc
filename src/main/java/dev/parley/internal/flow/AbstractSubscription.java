package dev.parley.internal.flow;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * A demand-counting {@link Flow.Subscription} base that every Parley publisher builds on, in the
 * style of methanol's {@code AbstractSubscription}.
 *
 * <p>It keeps the Reactive Streams rules in one place:
 *
 * <ul>
 *   <li>{@code onSubscribe} is the first signal, then items only while there is demand;
 *   <li>demand from {@link #request(long)} is added up and capped at {@code Long.MAX_VALUE}
 *       (effectively unbounded); {@code request(n)} with {@code n <= 0} fails the subscription
 *       with {@link IllegalArgumentException} (rule 3.9);
 *   <li>signals are serialized: never two at once, and never recursive: a {@code request} made
 *       from inside {@code onNext} is picked up by the running loop instead of recursing, so the
 *       stack stays flat however many items flow;
 *   <li>{@link #cancel()} is idempotent; no item is delivered once it has been observed;
 *   <li>exactly one terminal signal ({@code onComplete} or {@code onError}) is delivered, and
 *       {@link #abort(boolean)} runs exactly once when the subscription ends for any reason.
 * </ul>
 *
 * <p>Signals are delivered by a lock-free drain loop guarded by a work-in-progress counter: the
 * thread that finds the counter at zero runs the loop, inline; every other caller only records its
 * request and leaves. No lock is held while the subscriber runs, so nothing pins a virtual thread.
 *
 * <p>A subclass implements {@link #emit(long)}, which runs inside the loop and hands items to
 * {@link #submitOnNext(Object)}, and calls {@link #signal()} whenever new items or a terminal state
 * become available. The publisher creates the subscription and calls {@link #start()} once to
 * deliver {@code onSubscribe}.
 *
 * <p>Thread-safety: {@code request}, {@code cancel}, {@code start}, {@code signal} and
 * {@code signalError} may be called from any thread at any time. {@code emit} and
 * {@code abort} are only ever run by one thread at a time, with happens-before between runs, so
 * state they alone touch needs no synchronization.
 *
 * @param <T> the type of items delivered
 */
public abstract class AbstractSubscription<T> implements Flow.Subscription {

    private static final VarHandle WIP;
    private static final VarHandle DEMAND;
    private static final VarHandle PENDING_ERROR;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WIP = lookup.findVarHandle(AbstractSubscription.class, "wip", int.class);
            DEMAND = lookup.findVarHandle(AbstractSubscription.class, "demand", long.class);
            PENDING_ERROR = lookup.findVarHandle(
                    AbstractSubscription.class, "pendingError", Throwable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Flow.Subscriber<? super T> downstream;

    @SuppressWarnings("unused") // accessed through WIP
    private volatile int wip;
    private volatile long demand;
    private volatile Throwable pendingError;
    /** Set by cancel() and on termination; items stop as soon as the loop sees it. */
    private volatile boolean cancelled;

    // Touched only by the thread running the drain loop.
    private boolean subscribed;
    private boolean terminated;
    /**
     * The thread inside {@link #emit}, else null. Written only by the loop; read by any thread,
     * but only compared with the reader itself, which sees its own writes in order, so it needs
     * no fence.
     */
    private Thread emitter;

    /**
     * Creates a subscription for {@code downstream}. Nothing is signalled until {@link #start()}.
     *
     * @param downstream the subscriber to deliver to
     */
    protected AbstractSubscription(Flow.Subscriber<? super T> downstream) {
        this.downstream = Objects.requireNonNull(downstream, "downstream");
    }

    /**
     * Delivers {@code onSubscribe} to the subscriber (on the calling thread unless the loop is
     * already running elsewhere). The publisher calls this once; further calls do nothing more than
     * {@link #signal()}.
     */
    public final void start() {
        signal();
    }

    /**
     * Adds {@code n} to the demand and delivers what is available.
     *
     * @param n the number of items wanted; {@code n <= 0} fails the subscription with
     *     {@link IllegalArgumentException}
     */
    @Override
    public final void request(long n) {
        if (n <= 0) {
            signalError(new IllegalArgumentException(
                    "non-positive subscription request: " + n + " (Reactive Streams rule 3.9)"));
            return;
        }
        for (;;) {
            long current = demand;
            if (current == Long.MAX_VALUE) {
                break;
            }
            long updated = current + n;
            if (updated < 0) {
                updated = Long.MAX_VALUE;
            }
            if (DEMAND.compareAndSet(this, current, updated)) {
                break;
            }
        }
        signal();
    }

    /**
     * Cancels the subscription: no further items are delivered once the loop observes it, no
     * terminal signal is delivered, and {@link #abort(boolean)} runs with {@code true}. Idempotent.
     */
    @Override
    public final void cancel() {
        if (!cancelled) {
            cancelled = true;
            signal();
        }
    }

    /**
     * Produces items: called inside the drain loop, which guarantees that no other signal is in
     * flight. Implementations hand at most {@code demand} items to {@link #submitOnNext(Object)},
     * stopping early if it returns {@code false}, and may end the stream with
     * {@link #submitOnComplete()} or {@link #submitOnError(Throwable)} (allowed with zero demand).
     * It is called again after every {@link #signal()} or {@code request}, also with zero demand.
     * An exception thrown here fails the subscription with it.
     *
     * @param demand the current demand, {@code Long.MAX_VALUE} meaning unbounded
     * @return the number of items submitted
     */
    protected abstract long emit(long demand);

    /**
     * Releases resources, such as an upstream subscription. Runs exactly once, inside the drain
     * loop, when the subscription ends for any reason, before the terminal signal is delivered.
     * The default does nothing. Exceptions thrown here are ignored.
     *
     * @param flowInterrupted {@code true} if the subscription was cancelled or failed,
     *     {@code false} if it completed normally
     */
    protected void abort(boolean flowInterrupted) {}

    /**
     * Asks for the drain loop to run: call whenever new items or a terminal state are available.
     * Runs the loop on the calling thread unless another thread is already running it, in which
     * case that thread goes round once more.
     */
    protected final void signal() {
        if ((int) WIP.getAndAdd(this, 1) == 0) {
            drain();
        }
    }

    /**
     * Fails the subscription as soon as possible: the next loop pass delivers {@code onError}
     * without waiting for demand, discarding items not yet delivered. Only the first error counts;
     * nothing happens if the subscription already ended.
     *
     * @param error the error to deliver
     */
    protected final void signalError(Throwable error) {
        Objects.requireNonNull(error, "error");
        if (PENDING_ERROR.compareAndSet(this, null, error)) {
            signal();
        }
    }

    /**
     * Delivers one item. Only call from {@link #emit(long)}, within the demand it was given.
     *
     * @param item the item
     * @return {@code true} if it was delivered; {@code false} if the subscription is cancelled or
     *     ended (including because {@code onNext} threw, which cancels it and delivers that
     *     exception to {@code onError}), in which case emit should return
     */
    protected final boolean submitOnNext(T item) {
        if (terminated || cancelled) {
            return false;
        }
        try {
            downstream.onNext(item);
            return true;
        } catch (Throwable t) {
            // The subscriber broke rule 2.13; treat the subscription as cancelled and tell it why.
            terminate(true);
            deliverError(t);
            return false;
        }
    }

    /**
     * Delivers {@code item} at once on the calling thread, without a pass through
     * {@link #emit(long)}, when that can be done now: no other thread is running the loop,
     * {@code onSubscribe} has been delivered, there is demand, and no cancellation or error is
     * pending. This spares a relaying subclass a queue node and a loop pass per item. On success
     * {@link #emittedNow(Object)} runs (inside the loop), then the loop goes round for any signal
     * that arrived meanwhile, as after {@code emit}.
     *
     * <p>It also delivers when the calling thread is the one inside {@code emit}, as when an
     * upstream answers a request that {@code emit} makes with items at once, on the same thread.
     * Such a call must not come from inside {@link #submitOnNext} (the subscriber's
     * {@code onNext}); a relay, whose only way to its upstream is the request in {@code emit},
     * meets that.
     *
     * <p>Only call for the next item in order: when no item handed over earlier is still waiting
     * to be emitted. The same rules hold as for {@code emit}: never two signals at once, never
     * more items than requested.
     *
     * @param item the item
     * @return {@code true} if the item was taken: delivered, or dropped because the subscription
     *     ended while delivering it; {@code false} if nothing was done, and the caller should keep
     *     the item for {@code emit} and call {@link #signal()}
     */
    protected final boolean tryEmitNow(T item) {
        if (emitter == Thread.currentThread()) {
            return emitNow(item); // the loop is this thread's already
        }
        if (!WIP.compareAndSet(this, 0, 1)) {
            return false;
        }
        boolean taken = emitNow(item);
        leave(1);
        return taken;
    }

    private boolean emitNow(T item) {
        boolean taken = false;
        if (subscribed && !terminated && !cancelled && pendingError == null) {
            long current = demand;
            if (current > 0) {
                taken = true;
                try {
                    if (submitOnNext(item)) {
                        if (current != Long.MAX_VALUE) {
                            consume(1);
                        }
                        emittedNow(item);
                    }
                } catch (Throwable t) {
                    submitOnError(t); // emittedNow threw, as emit may
                }
            }
        }
        return taken;
    }

    /**
     * Called inside the loop after {@link #tryEmitNow(Object)} delivered {@code item}, for the
     * bookkeeping {@code emit} would have done. The default does nothing. An exception thrown
     * here fails the subscription with it.
     *
     * @param item the item just delivered
     */
    protected void emittedNow(T item) {}

    /** Completes the subscription. Only call from {@link #emit(long)}; later calls do nothing. */
    protected final void submitOnComplete() {
        if (terminated) {
            return;
        }
        terminate(false);
        try {
            downstream.onComplete();
        } catch (Throwable ignored) {
            // Rule 2.13: nothing left to tell the subscriber.
        }
    }

    /**
     * Fails the subscription. Only call from {@link #emit(long)}; later calls do nothing.
     *
     * @param error the error to deliver
     */
    protected final void submitOnError(Throwable error) {
        if (terminated) {
            return;
        }
        terminate(true);
        deliverError(error);
    }

    /**
     * Returns whether the subscription was cancelled or has ended.
     *
     * @return {@code true} once cancelled, failed or completed
     */
    protected final boolean isCancelled() {
        return cancelled;
    }

    /**
     * Returns the current outstanding demand.
     *
     * @return the demand; {@code Long.MAX_VALUE} means unbounded
     */
    protected final long currentDemand() {
        return demand;
    }

    private void terminate(boolean interrupted) {
        terminated = true;
        cancelled = true;
        try {
            abort(interrupted);
        } catch (Throwable ignored) {
            // abort() must not prevent the terminal signal.
        }
    }

    private void deliverError(Throwable error) {
        try {
            downstream.onError(error);
        } catch (Throwable ignored) {
            // Rule 2.13: nothing left to tell the subscriber.
        }
    }

    private void drain() {
        round();
        leave(1);
    }

    /** Leaves the loop, first going round once more for each batch of signals that came meanwhile. */
    private void leave(int missed) {
        for (;;) {
            missed = (int) WIP.getAndAdd(this, -missed) - missed;
            if (missed == 0) {
                return;
            }
            round();
        }
    }

    private void round() {
        if (!terminated) {
            try {
                if (!subscribed) {
                    subscribed = true;
                    downstream.onSubscribe(this);
                }
                drainOnce();
            } catch (Throwable t) {
                // emit() or onSubscribe() threw.
                submitOnError(t);
            }
        }
    }

    private void drainOnce() {
        Throwable error = pendingError;
        if (cancelled) {
            terminate(true); // a cancelled subscriber gets no further signal, not even an error
        } else if (error != null) {
            submitOnError(error);
        } else {
            long current = demand;
            long emitted;
            emitter = Thread.currentThread();
            try {
                emitted = emit(current);
            } finally {
                emitter = null;
            }
            if (emitted > 0 && current != Long.MAX_VALUE) {
                consume(emitted);
            }
        }
    }

    private void consume(long n) {
        for (;;) {
            long current = demand;
            if (current == Long.MAX_VALUE
                    || DEMAND.compareAndSet(this, current, Math.max(0, current - n))) {
                return;
            }
        }
    }
}
