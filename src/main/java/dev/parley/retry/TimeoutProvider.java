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

    TimeoutProvider(TimeoutPolicy policy, Provider delegate) {
        super(delegate);
        this.policy = policy;
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
        return ChatStream.of(delegate().name(), new Relay<>(inner, new StreamWatch(policy, delegate().name(), ctx.deadline())));
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
