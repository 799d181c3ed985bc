package dev.parley.retry;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

import dev.parley.ChatRequest;
import dev.parley.ChatStream;
import dev.parley.LlmException;
import dev.parley.internal.InterruptibleCalls;
import dev.parley.retry.internal.Relay;
import dev.parley.spi.Chain;

/** What {@link TimeoutPolicy} does with a call: bounds the layers below in time. */
final class Timing {

    /** The name of the virtual threads that run the delegate's calls. */
    static final String CALL_THREAD_NAME = "parley-timeout-call";

    private Timing() {
    }

    static ChatStream stream(TimeoutPolicy policy, Chain<ChatRequest, ChatStream> chain) {
        ChatStream inner = chain.proceed();
        CallTimer timer = policy.realTime() ? CallTimer.SHARED : null;
        return ChatStream.of(inner.provider(),
                new Relay<>(inner, new StreamWatch(policy, chain.provider(), chain.scope().deadline(), timer)));
    }

    /**
     * Runs the rest of the chain and waits for it, at most until the smaller of the attempt
     * timeout and the overall deadline: on the caller's thread, interrupted at the limit by the
     * shared timer, when what is below ends promptly on interrupt; else on a virtual thread.
     */
    static <Q, R> R call(TimeoutPolicy policy, Chain<Q, R> chain) {
        String provider = chain.provider();
        Instant start = policy.clock().instant();
        Instant attemptEnd = start.plus(policy.attemptTimeout());
        Instant deadline = chain.scope().deadline();
        boolean overall = deadline != null && !deadline.isAfter(attemptEnd);
        Instant end = overall ? deadline : attemptEnd;
        TimeoutPolicy.Limit limit = overall ? TimeoutPolicy.Limit.DEADLINE : TimeoutPolicy.Limit.ATTEMPT;
        if (!start.isBefore(end)) {
            throw policy.timedOut(provider, limit, null, null);
        }
        if (policy.realTime() && chain instanceof InterruptibleCalls i && i.callsEndOnInterrupt()) {
            return callInline(policy, provider, chain, start, end, limit);
        }
        FutureTask<R> task = new FutureTask<>(chain::proceed);
        Expiry expiry = new Expiry(end, task);
        Watchdog watchdog = new Watchdog(policy.clock(), policy.sleeper(), expiry);
        Thread.ofVirtual().name(CALL_THREAD_NAME).start(task);
        watchdog.start();
        try {
            return task.get();
        } catch (ExecutionException e) {
            throw unchecked(e.getCause());
        } catch (CancellationException e) {
            if (expiry.fired) {
                throw policy.timedOut(provider, limit, Duration.between(start, policy.clock().instant()), null);
            }
            throw e; // nobody else cancels the task
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw LlmException.newBuilder(LlmException.Kind.TIMEOUT)
                    .provider(provider)
                    .message("interrupted while waiting for the call; the call was cancelled")
                    .retryable(false)
                    .cause(e)
                    .build();
        } finally {
            watchdog.stop();
        }
    }

    /**
     * Runs the chain on the calling thread, which the shared timer interrupts at {@code end};
     * for providers whose calls end promptly on interrupt. Same outcomes as the hand-off to a
     * call thread: the answer if it came first, a timeout naming the limit if the deadline
     * passed first (the timer's interrupt is cleared), and for an interrupt from elsewhere, a
     * timeout that is not retryable with the interrupt flag kept.
     */
    private static <R> R callInline(TimeoutPolicy policy, String provider, Chain<?, R> chain, Instant start,
                                    Instant end, TimeoutPolicy.Limit limit) {
        CallTimer.Entry timing = CallTimer.SHARED.start(System.nanoTime() + nanosBetween(start, end));
        R result;
        try {
            result = chain.proceed();
        } catch (RuntimeException | Error e) {
            if (CallTimer.SHARED.stop(timing)) {
                Thread.interrupted(); // the timer's interrupt, delivered: clear it
                throw policy.timedOut(provider, limit, Duration.between(start, policy.clock().instant()), null);
            }
            if (Thread.currentThread().isInterrupted() && e instanceof LlmException le
                    && le.kind() == LlmException.Kind.TIMEOUT) {
                throw LlmException.newBuilder(LlmException.Kind.TIMEOUT)
                        .provider(provider)
                        .message("interrupted while waiting for the call; the call was cancelled")
                        .retryable(false)
                        .cause(e)
                        .build();
            }
            throw e;
        }
        if (CallTimer.SHARED.stop(timing)) {
            Thread.interrupted(); // the answer came first; the timer's late interrupt is not the caller's
        }
        return result;
    }
    private static long nanosBetween(Instant a, Instant b) {
        try {
            return Duration.between(a, b).toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** The timer of one call: cancels (interrupts) the call's thread when its end passes. */
    private static final class Expiry implements Watchdog.Timer {
        private final Instant end;
        private final FutureTask<?> task;
        volatile boolean fired;

        Expiry(Instant end, FutureTask<?> task) {
            this.end = end;
            this.task = task;
        }

        @Override
        public Instant deadline(Instant now) {
            return task.isDone() ? null : end;
        }

        @Override
        public void expired(Instant now) {
            fired = true; // before cancel: the waiting caller reads it when get() throws
            task.cancel(true);
        }
    }
}
