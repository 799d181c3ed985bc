package dev.parley.limit;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

import dev.parley.ChatRequest;
import dev.parley.ChatStream;
import dev.parley.spi.Chain;
import dev.parley.spi.Policy;

/**
 * A client-side rate limit: calls wait their turn for a request permit, an estimate of their
 * tokens and a concurrency slot before they reach the provider, so that an application stays
 * under its provider's limits instead of collecting HTTP 429s.
 *
 * {@snippet :
 * RateLimitPolicy limits = RateLimitPolicy.newBuilder()
 *         .requestsPerWindow(500, Duration.ofMinutes(1))
 *         .tokensPerWindow(200_000, Duration.ofMinutes(1))
 *         .maxConcurrent(16)
 *         .build();
 * Provider limited = limits.decorate(openai);
 * }
 *
 * <p>The request and token limits are sliding windows: at most <i>n</i> in any window, so with
 * 60 requests per minute exactly 60 calls pass in each minute when calls keep coming (traffic that
 * keeps to this also keeps to the providers' own token buckets of the same size). Before a call
 * its tokens are estimated (prompt characters / 4, rounded up, plus {@code maxTokens} or
 * {@value #DEFAULT_OUTPUT_TOKENS} for the answer, an image as {@value #IMAGE_TOKENS}); after it,
 * the difference to the usage the provider reports is refunded or charged. A call larger than
 * the whole token limit waits for an empty window and then goes.
 *
 * <p>Waiting calls are served strictly in arrival order. A call gives up with a
 * {@link dev.parley.RateLimitException} (not retryable, its message naming the limit and the
 * wait) as soon as its wait is known to outlast the deadline of its
 * call (set by the {@code Llm} facade), or when that deadline passes while it waits for a
 * concurrency slot; without a deadline it waits as long as it takes.
 *
 * <p>The policy also follows the provider: after each chat, stream and embeddings call that
 * Parley's adapters made (for other providers, after each chat response that carries headers)
 * it reads OpenAI's
 * {@code x-ratelimit-remaining-*}/{@code x-ratelimit-reset-*} and Anthropic's
 * {@code anthropic-ratelimit-*} headers, and when fewer requests or tokens remain than the local
 * window allows, holds back the difference until the reset (it never allows more than the
 * configured limit; with no local limit, a reported 0 pauses calls until the reset). A {@code RateLimitException} from the provider with a {@code retryAfter} pauses all
 * calls for that long (at most {@value #MAX_PAUSE_MINUTES} minutes).
 *
 * <p>Affects {@code chat}, {@code stream} (the slot is held until the stream completes, fails or
 * is cancelled; the wait happens when the stream is subscribed to, off the subscribing thread
 * when it cannot be granted at once) and {@code embed}; {@code models} is not limited.
 *
 * <p>Defaults: no request, token or concurrency limit (only the provider's headers and 429s are
 * followed), one set of limits per provider name, the system UTC clock.
 *
 * <p>Thread-safe. One policy instance holds one set of limits per provider name (per model with
 * {@link Builder#perModel(boolean) perModel}): decorating two providers of the same name with
 * the same instance makes them share their limits.
 */
public final class RateLimitPolicy implements Policy {

    /** Tokens reserved for the answer of a request without {@code maxTokens}. */
    public static final int DEFAULT_OUTPUT_TOKENS = 256;
    /** Tokens an image in a prompt is estimated at. */
    public static final int IMAGE_TOKENS = 1000;
    /** The longest pause a provider's {@code retryAfter} or reset time can impose, in minutes. */
    public static final int MAX_PAUSE_MINUTES = 60;
    static final long MAX_PAUSE_NANOS = Duration.ofMinutes(MAX_PAUSE_MINUTES).toNanos();
    private static final Duration MIN_WINDOW = Duration.ofMillis(1);
    private static final Duration MAX_WINDOW = Duration.ofDays(1);
    private static final int MAX_REQUESTS = 1_000_000;
    private static final long MAX_TOKENS = 1_000_000_000_000L;
    private static final int MAX_CONCURRENT = 100_000;

    private final Limiter limiter;
    private final Limiting limiting;

    private RateLimitPolicy(Builder b) {
        this.limiter = new Limiter(b.requestLimit, b.tokenLimit, b.maxConcurrent, b.perModel, b.clock, b.parker);
        this.limiting = new Limiting(limiter);
    }

    /** {@return a builder with the defaults} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /**
     * Takes a permit for a chat or an embeddings call (waiting for it within the call's
     * deadline), and follows the provider's rate-limit headers and 429s; a model listing is not
     * limited.
     *
     * @param chain the call
     * @return the answer
     * @throws dev.parley.RateLimitException if no permit can be had before the deadline
     */
    @Override
    public <Q, R> R call(Chain<Q, R> chain) {
        return limiting.call(chain);
    }

    /**
     * Takes a permit when the stream is subscribed to (waiting for it on a virtual thread), and
     * settles the tokens and follows the headers when it ends.
     *
     * @param chain the call
     * @return the stream
     */
    @Override
    public ChatStream stream(Chain<ChatRequest, ChatStream> chain) {
        return limiting.stream(chain);
    }

    /** {@return the counters, across all providers and models this policy limits} */
    public RateLimitStats stats() {
        return limiter.stats();
    }

    @Override
    public String toString() {
        return "RateLimitPolicy[" + limiter + "]";
    }

    /** {@return the shared state, for tests} */
    Limiter limiter() {
        return limiter;
    }

    private static Duration checkWindow(Duration window) {
        Objects.requireNonNull(window, "window");
        if (window.compareTo(MIN_WINDOW) < 0 || window.compareTo(MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("window must be from " + MIN_WINDOW + " to " + MAX_WINDOW
                    + ", got " + window);
        }
        return window;
    }

    /**
     * Builds a {@link RateLimitPolicy}. Setters check their argument at once. Not thread-safe.
     */
    public static final class Builder {
        private Limiter.Limit requestLimit;
        private Limiter.Limit tokenLimit;
        private int maxConcurrent = Integer.MAX_VALUE;
        private boolean perModel;
        private Clock clock = Clock.systemUTC();
        private Parker parker = Parker.SYSTEM;

        private Builder() {
        }

        /**
         * Limits requests to {@code n} per {@code window}, such as 60 per minute. Default: none.
         *
         * @param n      from 1 to 1,000,000
         * @param window from 1 millisecond to 1 day
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder requestsPerWindow(int n, Duration window) {
            if (n < 1 || n > MAX_REQUESTS) {
                throw new IllegalArgumentException("requestsPerWindow must be from 1 to " + MAX_REQUESTS
                        + " requests, got " + n);
            }
            this.requestLimit = new Limiter.Limit(n, checkWindow(window));
            return this;
        }

        /**
         * Limits tokens (prompt and answer) to {@code n} per {@code window}. Default: none.
         *
         * @param n      from 1 to 10<sup>12</sup>
         * @param window from 1 millisecond to 1 day
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder tokensPerWindow(long n, Duration window) {
            if (n < 1 || n > MAX_TOKENS) {
                throw new IllegalArgumentException("tokensPerWindow must be from 1 to " + MAX_TOKENS
                        + " tokens, got " + n);
            }
            this.tokenLimit = new Limiter.Limit(n, checkWindow(window));
            return this;
        }

        /**
         * Limits the calls in flight at once (a stream counts until it ends). Default: none.
         *
         * @param n from 1 to 100,000
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxConcurrent(int n) {
            if (n < 1 || n > MAX_CONCURRENT) {
                throw new IllegalArgumentException("maxConcurrent must be from 1 to " + MAX_CONCURRENT
                        + ", got " + n);
            }
            this.maxConcurrent = n;
            return this;
        }

        /**
         * Sets whether each model has its own limits (as OpenAI's are) instead of one set per
         * provider name. Default false.
         *
         * @param perModel true for limits per model
         * @return this builder
         */
        public Builder perModel(boolean perModel) {
            this.perModel = perModel;
            return this;
        }

        /**
         * Sets the clock that times the windows and judges deadlines. Default
         * {@link Clock#systemUTC()}.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Sets how waiting callers park; for tests that move a fake clock instead of waiting. */
        Builder parker(Parker parker) {
            this.parker = Objects.requireNonNull(parker, "parker");
            return this;
        }

        /** {@return the policy} */
        public RateLimitPolicy build() {
            return new RateLimitPolicy(this);
        }
    }
}
