package dev.parley.retry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.internal.CallContext;
import dev.parley.internal.InterruptibleCalls;
import dev.parley.retry.internal.Relay;
import dev.parley.spi.ForwardingProvider;
import dev.parley.spi.Provider;

/**
 * A provider whose delegate's calls are bounded by a {@link TimeoutPolicy}. Thread-safe.
 */
final class TimeoutProvider extends ForwardingProvider {

    /** The name of the virtual threads that run the delegate's calls. */
    static final String CALL_THREAD_NAME = "parley-timeout-call";

    private final TimeoutPolicy policy;
    /** Whether calls run on the caller's thread, interrupted at the deadline by the shared timer. */
    private final boolean inline;

    TimeoutProvider(TimeoutPolicy policy, Provider delegate) {
        super(delegate);
        this.policy = policy;
        this.inline = policy.realTime() && delegate instanceof InterruptibleCalls i && i.callsEndOnInterrupt();
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return call(() -> delegate().chat(request));
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        return call(() -> delegate().embed(request));
    }

    @Override
    public List<ModelInfo> models() {
        return call(delegate()::models);
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        CallContext ctx = CallContext.current();
        ChatStream inner = delegate().stream(request);
        CallTimer timer = policy.realTime() ? CallTimer.SHARED : null;
        return ChatStream.of(inner::provider,
                new Relay<>(inner, new StreamWatch(policy, delegate().name(), ctx.deadline(), timer)));
    }

    /**
     * Runs {@code work} on a virtual thread in the caller's context and waits for it, at most
     * until the smaller of the attempt timeout and the overall deadline.
     */
    private <T> T call(Supplier<T> work) {
        CallContext ctx = CallContext.current();
        Instant start = policy.clock().instant();
        Instant attemptEnd = start.plus(policy.attemptTimeout());
        Instant deadline = ctx.deadline();
        boolean overall = deadline != null && !deadline.isAfter(attemptEnd);
        Instant end = overall ? deadline : attemptEnd;
        TimeoutPolicy.Limit limit = overall ? TimeoutPolicy.Limit.DEADLINE : TimeoutPolicy.Limit.ATTEMPT;
        if (!start.isBefore(end)) {
            throw policy.timedOut(delegate().name(), limit, null, null);
        }
        if (inline) {
            return callInline(work, start, end, limit);
        }
        FutureTask<T> task = new FutureTask<>(() -> ctx.call(work));
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
                throw policy.timedOut(delegate().name(), limit, Duration.between(start, policy.clock().instant()), null);
            }
            throw e; // nobody else cancels the task
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw LlmException.newBuilder(LlmException.Kind.TIMEOUT)
                    .provider(delegate().name())
                    .message("interrupted while waiting for the call; the call was cancelled")
                    .retryable(false)
                    .cause(e)
                    .build();
        } finally {
            watchdog.stop();
        }
    }

    /**
     * Runs {@code work} on the calling thread (already in its context), which the shared timer
     * interrupts at {@code end}; for delegates whose calls end promptly on interrupt. Same
     * outcomes as the hand-off to a call thread: the answer if it came first, a timeout naming
     * the limit if the deadline passed first (the timer's interrupt is cleared), and for an
     * interrupt from elsewhere, a timeout that is not retryable with the interrupt flag kept.
     */
    private <T> T callInline(Supplier<T> work, Instant start, Instant end, TimeoutPolicy.Limit limit) {
        CallTimer.Entry timing = CallTimer.SHARED.start(System.nanoTime() + nanosBetween(start, end));
        T result;
        try {
            result = work.get();
        } catch (RuntimeException | Error e) {
            if (CallTimer.SHARED.stop(timing)) {
                Thread.interrupted(); // the timer's interrupt, delivered: clear it
                throw policy.timedOut(delegate().name(), limit, Duration.between(start, policy.clock().instant()), null);
            }
            if (Thread.currentThread().isInterrupted() && e instanceof LlmException le
                    && le.kind() == LlmException.Kind.TIMEOUT) {
                throw LlmException.newBuilder(LlmException.Kind.TIMEOUT)
                        .provider(delegate().name())
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

    @Override
    public String toString() {
        return "Timeout[" + delegate() + "]";
    }
}
