package dev.parley.retry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.internal.CallContext;
import dev.parley.retry.internal.Errors;
import dev.parley.retry.internal.Relay;
import dev.parley.spi.ForwardingProvider;
import dev.parley.spi.Provider;

/**
 * A provider that retries its delegate's failed calls as its {@link RetryPolicy} says.
 * Thread-safe; its state (the counters) lives in the policy.
 */
final class RetryingProvider extends ForwardingProvider {

    private final RetryPolicy policy;

    RetryingProvider(RetryPolicy policy, Provider delegate) {
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

    private <T> T call(Supplier<T> work) {
        CallContext ctx = CallContext.current();
        for (int attempt = 1; ; attempt++) {
            policy.countAttempt();
            RuntimeException error;
            try {
                return work.get();
            } catch (RuntimeException e) {
                error = e;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw error; // cancelled, not failed: do not try again
            }
            RetryPolicy.Decision decision = policy.decide(attempt, error, ctx);
            if (decision.failure() != null) {
                throw decision.failure();
            }
            try {
                announce(ctx, attempt, error, decision.delay());
                policy.sleeper().sleep(decision.delay());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LlmException stopped = interrupted(attempt, decision.delay(), e);
                stopped.addSuppressed(error);
                throw stopped;
            }
        }
    }

    /** Tells the call's observer how long the retry waits, and why. */
    private static void announce(CallContext ctx, int attempt, RuntimeException error, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            return;
        }
        ctx.waiting("a retry (attempt " + (attempt + 1) + ") after: " + dev.parley.internal.Scrub.controls(error.getMessage()), delay);
    }

    private LlmException interrupted(int attempt, Duration wait, InterruptedException e) {
        return LlmException.newBuilder(LlmException.Kind.TIMEOUT)
                .provider(delegate().name())
                .message("interrupted while waiting " + Errors.format(wait)
                        + " to retry after attempt " + attempt + "; the call was cancelled")
                .retryable(false)
                .cause(e)
                .build();
    }

    /**
     * Streams with retries before the first chunk: the first attempt is the delegate's stream
     * made now; each retry waits on a virtual thread (interrupted if the subscriber cancels) and
     * then opens a new delegate stream in the caller's context.
     */
    @Override
    public ChatStream stream(ChatRequest request) {
        CallContext ctx = CallContext.current();
        ChatStream first = delegate().stream(request);
        // The attempt being read: its stream knows which provider answers (a router below may pick another).
        AtomicReference<ChatStream> reading = new AtomicReference<>(first);
        Relay<ChatChunk> relay = new Relay<>(first, new Relay.Hooks<>() {
            @Override
            public void started(Relay.Control control) {
                policy.countAttempt();
            }

            @Override
            public Relay.Next<ChatChunk> failedEarly(int attempt, Throwable error) {
                if (!(error instanceof RuntimeException re)) {
                    return Relay.Next.fail(error);
                }
                RetryPolicy.Decision decision = policy.decide(attempt, re, ctx);
                if (decision.failure() != null) {
                    return Relay.Next.fail(decision.failure());
                }
                return Relay.Next.retry(() -> {
                    announce(ctx, attempt, re, decision.delay());
                    policy.sleeper().sleep(decision.delay());
                    policy.countAttempt();
                    ChatStream next = ctx.call(() -> delegate().stream(request));
                    reading.set(next);
                    return next;
                });
            }
        });
        return ChatStream.of(() -> reading.get().provider(), relay);
    }

    @Override
    public String toString() {
        return "Retrying[" + delegate() + "]";
    }
}
