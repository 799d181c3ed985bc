package dev.parley.retry;

import java.time.Duration;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatStream;
import dev.parley.LlmException;
import dev.parley.internal.Scrub;
import dev.parley.internal.Errors;
import dev.parley.internal.flow.Relay;
import dev.parley.spi.CallScope;
import dev.parley.spi.Chain;

/** What {@link RetryPolicy} does with a call: retries the layers below as the policy says. */
final class Retrying {

    private Retrying() {
    }

    static <Q, R> R call(RetryPolicy policy, Chain<Q, R> chain) {
        for (int attempt = 1; ; attempt++) {
            policy.countAttempt();
            RuntimeException error;
            try {
                return chain.proceed();
            } catch (RuntimeException e) {
                error = e;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw error; // cancelled, not failed: do not try again
            }
            RetryPolicy.Decision decision = policy.decide(attempt, error, chain.scope());
            if (decision.failure() != null) {
                throw decision.failure();
            }
            try {
                announce(chain.scope(), attempt, error, decision.delay());
                policy.ticker().sleep(decision.delay());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LlmException stopped = interrupted(chain.provider(), attempt, decision.delay(), e);
                stopped.addSuppressed(error);
                throw stopped;
            }
        }
    }

    /**
     * Streams with retries before the first chunk: the first attempt is the stream of the layers
     * below made now; each retry waits on a virtual thread (interrupted if the subscriber
     * cancels) and then proceeds down the chain again, in the same scope.
     */
    static ChatStream stream(RetryPolicy policy, Chain<ChatRequest, ChatStream> chain) {
        CallScope scope = chain.scope();
        ChatStream first = chain.proceed();
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
                RetryPolicy.Decision decision = policy.decide(attempt, re, scope);
                if (decision.failure() != null) {
                    return Relay.Next.fail(decision.failure());
                }
                return Relay.Next.retry(() -> {
                    announce(scope, attempt, re, decision.delay());
                    policy.ticker().sleep(decision.delay());
                    policy.countAttempt();
                    return chain.proceed();
                });
            }
        });
        return ChatStream.of(first.provider(), relay);
    }

    /** Tells the call's observer how long the retry waits, and why. */
    private static void announce(CallScope scope, int attempt, RuntimeException error, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            return;
        }
        scope.waiting("a retry (attempt " + (attempt + 1) + ") after: " + Scrub.controls(error.getMessage()), delay);
    }

    private static LlmException interrupted(String provider, int attempt, Duration wait, InterruptedException e) {
        return LlmException.newBuilder(LlmException.Kind.TIMEOUT)
                .provider(provider)
                .message("interrupted while waiting " + Errors.format(wait)
                        + " to retry after attempt " + attempt + "; the call was cancelled")
                .retryable(false)
                .cause(e)
                .build();
    }
}
