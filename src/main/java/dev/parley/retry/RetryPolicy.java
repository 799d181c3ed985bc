package dev.parley.retry;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

import dev.parley.ChatRequest;
import dev.parley.ChatStream;
import dev.parley.LlmException;
import dev.parley.internal.Errors;
import dev.parley.spi.CallScope;
import dev.parley.spi.Chain;
import dev.parley.spi.Policy;
import dev.parley.spi.Provider;
import dev.parley.spi.Ticker;

/**
 * Retries calls that failed in a way that may succeed on a second try, waiting longer after
 * each failure (exponential backoff with jitter), within the call's overall deadline.
 *
 * {@snippet :
 * RetryPolicy retry = RetryPolicy.newBuilder()
 *         .maxAttempts(4)
 *         .baseDelay(Duration.ofMillis(250))
 *         .build();
 * Provider resilient = retry.decorate(openai);
 * ChatResponse answer = resilient.chat(request);
 * System.out.println(retry.stats().retries() + " retries so far");
 * }
 *
 * <p><b>What is retried.</b> Only errors whose {@link LlmException#retryable()} is true: timeouts,
 * connection failures, HTTP 408, 409, 429, 500, 502, 503, 504, 529, unless the provider said
 * otherwise with {@code x-should-retry}. Never 400, 401, 403, 404, 422, quota errors, or anything
 * that is not an {@code LlmException}. Affects {@code chat}, {@code stream} (only failures before
 * the first chunk reached the subscriber; after it, errors pass through, since the subscriber has
 * already seen part of the answer), {@code embed} and {@code models}.
 *
 * <p><b>How long it waits.</b> Before retry {@code n} (n = 1 after the first attempt failed) the
 * backoff is {@code min(maxDelay, baseDelay * 2^(n-1))}, jittered: with {@link Jitter#FULL} (the
 * default) a uniformly random time from 0 to it, with {@link Jitter#EQUAL} from half of it to
 * it, with {@link Jitter#NONE} exactly it. When the error carries a {@link LlmException#retryAfter()}
 * (the provider's {@code Retry-After} or {@code retry-after-ms}), that is waited instead,
 * exactly, even when it exceeds {@code maxDelay}: the provider knows best when it will accept
 * the call again. But if it exceeds {@code maxRetryAfter}, the policy gives up at once rather
 * than block the caller that long.
 *
 * <p><b>Deadline.</b> The policy never waits past the overall deadline of the call
 * ({@link dev.parley.spi.CallScope#deadline()}): if the next wait would end after it, it gives up at once.
 *
 * <p><b>Giving up.</b> When attempts run out, the deadline or {@code maxRetryAfter} would be
 * passed, the last error is thrown as a copy of the same kind (so the caller catches the same
 * subclass, with the same status, codes, request id and {@code retryAfter}) whose message ends
 * with, for example, "(gave up after 3 attempts)" or "(gave up after 2 attempts: the next retry
 * would pass the deadline)", and whose cause is the original error. An error that is not
 * retryable is thrown as it is, and so is every error when {@code maxAttempts} is 1. If the calling thread is interrupted while it waits, the policy
 * stops, restores the interrupt flag and throws an {@link dev.parley.LlmTimeoutException}
 * (not retryable) with the last error suppressed; if the thread was interrupted during an
 * attempt, the attempt's error is thrown as it is, without a retry.
 *
 * <p><b>Known hazard: a chat may run twice.</b> The JDK {@code HttpClient} can fail a request
 * on a pooled connection that the server closed ("... received while in pool", connection reset)
 * after the server already processed the POST. Such an error is a {@code NETWORK} error and is
 * retried, so the provider may run (and bill) the chat twice. This is deliberate: a chat or
 * embedding call has no side effect for the caller except its cost, and failing calls that would
 * succeed is worse. Wrap only idempotent work (and tool execution stays with the caller).
 *
 * <p>Defaults: 3 attempts (counting the first), base delay 500 ms, max delay 30 s, max
 * Retry-After 60 s, full jitter, {@link ThreadLocalRandom}, {@link Ticker#system()}.
 *
 * <p>Immutable configuration and thread-safe. One policy instance owns one set of
 * {@linkplain #stats() counters}: decorating several providers with the same instance adds
 * their calls up.
 */
public final class RetryPolicy implements Policy {

    /** How the backoff is randomized, so that many clients that failed together do not retry together. */
    public enum Jitter {
        /** Wait exactly the backoff. */
        NONE,
        /** Wait a uniformly random time from 0 to the backoff ("full jitter"). */
        FULL,
        /** Wait half the backoff plus a uniformly random time up to the other half ("equal jitter"). */
        EQUAL
    }

    /**
     * Counters of a policy instance, read with {@link #stats()}.
     *
     * @param attempts every attempt made, first attempts included
     * @param retries  attempts after the first (each followed a retryable failure)
     * @param gaveUp   calls that ended with a retryable error because attempts, the deadline or
     *                 {@code maxRetryAfter} ran out
     */
    public record Stats(long attempts, long retries, long gaveUp) {
    }

    /** What to do after a failed attempt: wait, or throw. */
    record Decision(Duration delay, RuntimeException failure) {
    }

    private final int maxAttempts;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final Duration maxRetryAfter;
    private final Jitter jitter;
    private final RandomGenerator random;
    private final ReentrantLock randomLock = new ReentrantLock();
    private final Ticker ticker;
    private final LongAdder attempts = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder gaveUp = new LongAdder();

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.baseDelay = b.baseDelay;
        this.maxDelay = b.maxDelay;
        this.maxRetryAfter = b.maxRetryAfter;
        this.jitter = b.jitter;
        this.random = b.random;
        this.ticker = b.ticker;
    }

    /** {@return a new builder with the defaults} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /** {@return a policy with the defaults} */
    public static RetryPolicy ofDefaults() {
        return newBuilder().build();
    }

    /**
     * Retries a chat, an embeddings call or a model listing as described above.
     *
     * @param chain the call
     * @return the first answer
     * @throws LlmException the last failure, noted with why retrying stopped
     */
    @Override
    public <Q, R> R call(Chain<Q, R> chain) {
        return Retrying.call(this, chain);
    }

    /**
     * Retries a stream that fails before its first chunk, as described above.
     *
     * @param chain the call
     * @return the stream
     */
    @Override
    public ChatStream stream(Chain<ChatRequest, ChatStream> chain) {
        return Retrying.stream(this, chain);
    }

    /** {@return the counters so far; a snapshot} */
    public Stats stats() {
        return new Stats(attempts.sum(), retries.sum(), gaveUp.sum());
    }

    /** {@return the most attempts per call, counting the first} */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** {@return the time the backoffs are slept and the deadline measured on} */
    Ticker ticker() {
        return ticker;
    }

    void countAttempt() {
        attempts.increment();
    }

    /**
     * Decides what follows the failure of attempt {@code attempt} (1 for the first) and counts it.
     *
     * @param attempt the attempt that failed
     * @param error   its error
     * @param scope   the call's scope, for the deadline
     */
    Decision decide(int attempt, RuntimeException error, CallScope scope) {
        if (!(error instanceof LlmException e) || !e.retryable() || maxAttempts == 1) {
            return new Decision(null, error);
        }
        String tried = attempt == 1 ? "1 attempt" : attempt + " attempts";
        if (attempt >= maxAttempts) {
            return giveUp(e, "(gave up after " + tried + ")");
        }
        Duration retryAfter = e.retryAfter();
        if (retryAfter != null && retryAfter.compareTo(maxRetryAfter) > 0) {
            return giveUp(e, "(gave up after " + tried + ": the provider asked to wait "
                    + Errors.format(retryAfter) + ", more than maxRetryAfter " + Errors.format(maxRetryAfter) + ")");
        }
        Duration wait = retryAfter != null ? retryAfter : backoff(attempt);
        Instant deadline = scope.deadline();
        if (deadline != null && ticker.instant().plus(wait).isAfter(deadline)) {
            return giveUp(e, "(gave up after " + tried + ": the next retry would pass the deadline)");
        }
        retries.increment();
        return new Decision(wait, null);
    }

    private Decision giveUp(LlmException error, String note) {
        gaveUp.increment();
        return new Decision(null, Errors.withNote(error, note));
    }

    /** {@return the jittered backoff before retry {@code n}, n >= 1} */
    Duration backoff(int n) {
        long base = baseDelay.toNanos();
        long max = maxDelay.toNanos();
        int shift = n - 1;
        long cap = shift >= 62 || base > (max >> shift) ? max : Math.min(max, base << shift);
        return switch (jitter) {
            case NONE -> Duration.ofNanos(cap);
            case FULL -> Duration.ofNanos((long) (nextDouble() * cap));
            case EQUAL -> Duration.ofNanos(cap / 2 + (long) (nextDouble() * (cap - cap / 2)));
        };
    }

    private double nextDouble() {
        if (random == null) {
            return ThreadLocalRandom.current().nextDouble();
        }
        randomLock.lock(); // an injected generator need not be thread-safe
        try {
            return random.nextDouble();
        } finally {
            randomLock.unlock();
        }
    }

    /**
     * Builds a {@link RetryPolicy}. Each setter checks its argument at once and throws
     * {@link IllegalArgumentException} naming it and its range. Not thread-safe.
     */
    public static final class Builder {
        private int maxAttempts = 3;
        private Duration baseDelay = Duration.ofMillis(500);
        private Duration maxDelay = Duration.ofSeconds(30);
        private Duration maxRetryAfter = Duration.ofSeconds(60);
        private Jitter jitter = Jitter.FULL;
        private RandomGenerator random;
        private Ticker ticker = Ticker.system();

        private Builder() {
        }

        /**
         * Sets the most attempts per call, counting the first, from 1 (no retry) to 100; default 3.
         *
         * @param maxAttempts the most attempts per call, counting the first, from 1 (no retry) to 100
         * @return this builder
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > 100) {
                throw new IllegalArgumentException("maxAttempts must be from 1 to 100, got " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Sets the backoff before the first retry, from 0 to 10 minutes; default 500 ms.
         *
         * @param baseDelay the backoff before the first retry, from 0 to 10 minutes
         * @return this builder
         */
        public Builder baseDelay(Duration baseDelay) {
            this.baseDelay = check("baseDelay", baseDelay, Duration.ofMinutes(10), "10 minutes");
            return this;
        }

        /**
         * Sets the longest backoff, from 0 to 1 hour and at least baseDelay; default 30 s.
         *
         * @param maxDelay the longest backoff, from 0 to 1 hour and at least baseDelay
         * @return this builder
         */
        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = check("maxDelay", maxDelay, Duration.ofHours(1), "1 hour");
            return this;
        }

        /**
         * Sets the longest Retry-After the policy waits; a longer one makes it give up at once.
         * From 0 to 24 hours; default 60 s.
         *
         * @param maxRetryAfter the longest Retry-After to wait, from 0 to 24 hours
         * @return this builder
         */
        public Builder maxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = check("maxRetryAfter", maxRetryAfter, Duration.ofHours(24), "24 hours");
            return this;
        }

        /**
         * Sets how the backoff is randomized; default {@link Jitter#FULL}.
         *
         * @param jitter how the backoff is randomized
         * @return this builder
         */
        public Builder jitter(Jitter jitter) {
            this.jitter = Objects.requireNonNull(jitter, "jitter");
            return this;
        }

        /**
         * Sets the source of randomness for jitter, for reproducible tests; it is used under a
         * lock, so it need not be thread-safe. Default: {@link ThreadLocalRandom}.
         *
         * @param random the source of randomness for jitter
         * @return this builder
         */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Sets the time the backoffs are slept on and the deadline is checked on; default
         * {@link Ticker#system()}. A client built with {@code Llm.Builder.ticker(...)} gives its
         * ticker to the retry policy it makes itself; a policy built here keeps the ticker set here.
         *
         * @param ticker the time source
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** {@return the policy} @throws IllegalArgumentException if maxDelay is less than baseDelay */
        public RetryPolicy build() {
            if (maxDelay.compareTo(baseDelay) < 0) {
                throw new IllegalArgumentException("maxDelay must be at least baseDelay (" + Errors.format(baseDelay)
                        + "), got " + Errors.format(maxDelay));
            }
            return new RetryPolicy(this);
        }

        private static Duration check(String name, Duration value, Duration max, String maxText) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be from 0 to " + maxText + ", got " + value);
            }
            return value;
        }
    }
}
