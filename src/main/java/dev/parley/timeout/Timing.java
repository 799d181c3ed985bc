package dev.parley.timeout;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

import dev.parley.ChatRequest;
import dev.parley.ChatStream;
import dev.parley.LlmException;
import dev.parley.internal.InterruptibleCalls;
import dev.parley.internal.flow.Relay;
import dev.parley.spi.Chain;

/** What {@link TimeoutPolicy} does with a call: bounds the layers below in time. */
final class Timing {

    /** The name of the virtual threads that run the delegate's calls. */
    static final String CALL_THREAD_NAME = "parley-timeout-call";

    private Timing() {
    }

    static ChatStream stream(TimeoutPolicy policy, Chain<ChatRequest, ChatStream> chain) {
        ChatStream inner = chain.proceed();
        return ChatStream.of(inner.provider(),
                new Relay<>(inner, new StreamWatch(policy, chain.provider(), chain.scope(), policy.timer())));
    }

    /**
     * Runs the rest of the chain and waits for it, at most until the smaller of the attempt
     * timeout and the overall deadline. The policy's timer interrupts the calling thread at the
     * limit; the chain runs on that thread when what is below ends promptly on interrupt, else on
     * a virtual thread, which is cancelled when the caller's wait for it is interrupted. Either
     * way: the answer if it came first; a timeout naming the limit if the limit passed first
     * (the timer's interrupt is cleared); and for an interrupt from elsewhere, a timeout that is
     * not retryable, with the interrupt flag kept.
     */
    static <Q, R> R call(TimeoutPolicy policy, Chain<Q, R> chain) {
        String provider = chain.provider();
        CallTimer timer = policy.timer();
        long start = timer.now();
        long attemptNanos = policy.attemptTimeout().toNanos();
        Duration left = chain.scope().remaining(timer.ticker());
        boolean overall = left != null && nanos(left) <= attemptNanos;
        long limitNanos = overall ? nanos(left) : attemptNanos;
        TimeoutPolicy.Limit limit = overall ? TimeoutPolicy.Limit.DEADLINE : TimeoutPolicy.Limit.ATTEMPT;
        if (limitNanos <= 0) {
            throw policy.timedOut(provider, limit, null, null);
        }
        boolean inline = chain instanceof InterruptibleCalls i && i.callsEndOnInterrupt();
        FutureTask<R> task = inline ? null : new FutureTask<>(chain::proceed);
        if (task != null) {
            Thread.ofVirtual().name(CALL_THREAD_NAME).start(task);
        }
        CallTimer.Entry timing = timer.start(start + limitNanos);
        R result;
        try {
            result = task == null ? chain.proceed() : task.get();
        } catch (InterruptedException e) {
            if (task != null) {
                task.cancel(true);
            }
            if (timer.stop(timing)) {
                Thread.interrupted(); // the timer's interrupt, delivered: clear it
                throw policy.timedOut(provider, limit, Duration.ofNanos(timer.now() - start), null);
            }
            Thread.currentThread().interrupt();
            throw interrupted(provider, e);
        } catch (ExecutionException e) {
            if (timer.stop(timing)) {
                Thread.interrupted(); // the call's own outcome came first
            }
            throw unchecked(e.getCause());
        } catch (RuntimeException | Error e) {
            if (timer.stop(timing)) {
                Thread.interrupted();
                throw policy.timedOut(provider, limit, Duration.ofNanos(timer.now() - start), null);
            }
            if (Thread.currentThread().isInterrupted() && e instanceof LlmException le
                    && le.kind() == LlmException.Kind.TIMEOUT) {
                throw interrupted(provider, e);
            }
            throw e;
        }
        if (timer.stop(timing)) {
            Thread.interrupted(); // the answer came first; the timer's late interrupt is not the caller's
        }
        return result;
    }

    private static LlmException interrupted(String provider, Throwable cause) {
        return LlmException.newBuilder(LlmException.Kind.TIMEOUT)
                .provider(provider)
                .message("interrupted while waiting for the call; the call was cancelled")
                .retryable(false)
                .cause(cause)
                .build();
    }

    private static long nanos(Duration d) {
        try {
            return d.toNanos();
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
}
