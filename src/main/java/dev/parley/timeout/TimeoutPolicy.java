package dev.parley.timeout;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

import dev.parley.ChatRequest;
import dev.parley.ChatStream;
import dev.parley.LlmException;
import dev.parley.internal.Errors;
import dev.parley.spi.Chain;
import dev.parley.spi.Policy;
import dev.parley.spi.Provider;
import dev.parley.spi.Ticker;

/**
 * Bounds how long a call may take: each attempt of {@code chat}, {@code embed} and
 * {@code models} as a whole, and for {@code stream} the wait for the first chunk and the gaps
 * between chunks; and none of them past the call's overall deadline ({@link dev.parley.spi.CallScope#deadline()}).
 *
 * <p>What each limit bounds (the environment variable that sets it for {@code Llm} in brackets):
 * <table class="striped">
 * <caption>Timeouts, by kind of call</caption>
 * <thead><tr><th>limit</th><th>chat, embed, models</th><th>stream</th></tr></thead>
 * <tbody>
 * <tr><td>{@link Builder#attemptTimeout attemptTimeout} ({@code LLM_ATTEMPT_TIMEOUT})</td>
 *     <td>each attempt, from sending the request to the whole answer read</td>
 *     <td>each attempt up to its first chunk (the part a retry can repeat), together with
 *     {@code firstChunkTimeout}: the smaller one applies; a stream that is flowing is not cut</td></tr>
 * <tr><td>{@link Builder#firstChunkTimeout firstChunkTimeout} ({@code LLM_FIRST_CHUNK_TIMEOUT})</td>
 *     <td>does not apply</td>
 *     <td>from subscribing to the first chunk, each attempt</td></tr>
 * <tr><td>{@link Builder#idleTimeout idleTimeout} ({@code LLM_IDLE_TIMEOUT})</td>
 *     <td>does not apply</td>
 *     <td>the longest gap between two chunks while the subscriber wants more</td></tr>
 * <tr><td>the overall deadline ({@code LLM_TIMEOUT}, set by {@code Llm})</td>
 *     <td colspan="2">the whole call: every attempt, the waits between retries and, for a stream,
 *     every chunk to the last</td></tr>
 * </tbody>
 * </table>
 * The connect timeout ({@code LLM_CONNECT_TIMEOUT}) is not this policy's: it is the HTTP
 * client's limit on opening a TCP (and TLS) connection, counted within the limits above.
 *
 * {@snippet :
 * TimeoutPolicy timeouts = TimeoutPolicy.newBuilder()
 *         .attemptTimeout(Duration.ofSeconds(60))
 *         .firstChunkTimeout(Duration.ofSeconds(20))
 *         .idleTimeout(Duration.ofSeconds(15))
 *         .build();
 * Provider p = retry.decorate(timeouts.decorate(openai)); // each attempt gets its own timeout
 * }
 *
 * <p><b>Calls</b> ({@code chat}, {@code embed}, {@code models}) to Parley's own adapters run on
 * the caller's thread, which one shared timer thread ({@code parley-timeouts}, a daemon that ends
 * when idle) interrupts at the limit; calls to other providers run on a new virtual thread, while
 * the caller waits. The limit is the smaller of
 * {@code attemptTimeout} and the time left before the overall deadline. When it passes, the call
 * is cancelled by interrupting its thread (the adapters abort the HTTP exchange on interrupt)
 * and the caller gets an {@link dev.parley.LlmTimeoutException} naming the limit: retryable
 * for the attempt timeout, not retryable for the overall deadline. If the caller is interrupted
 * while it waits, the call is cancelled the same way, the interrupt flag is restored, and a
 * {@code LlmTimeoutException} (not retryable) is thrown. A call whose deadline has already passed
 * fails at once without reaching the delegate.
 *
 * <p><b>Streams</b> are watched by the same shared timer thread, which looks at a stream when the
 * deadline it last knew of passes: {@code firstChunkTimeout} counts from
 * the subscription to the first chunk;
 * then {@code idleTimeout} is the longest gap between chunks while the subscriber has demand
 * outstanding (a subscriber that stops requesting pauses it, so a slow reader is not mistaken
 * for a stalled server); the overall deadline, if any, bounds the whole stream. At this level only
 * {@link dev.parley.ChatChunk}s are seen, so SSE keep-alive comments and empty events never
 * reset the idle timer. When a limit passes, the delegate's stream is cancelled and the
 * subscriber gets exactly one {@code onError(LlmTimeoutException)}, even if the delegate
 * signals at the same moment. The error is delivered from a short-lived virtual thread, so that
 * the subscriber never holds up the timer. The stream stops being watched when it ends.
 *
 * <p>Defaults: attempt timeout 10 minutes (as the OpenAI and Anthropic SDKs), first-chunk
 * timeout 5 minutes (reasoning models may think that long before their first token), idle
 * timeout 2 minutes, {@link Ticker#system()}. A policy given another {@linkplain Builder#ticker
 * ticker} (a test's {@link dev.parley.testing.ManualTicker}) has a timer thread of its own that
 * waits on that ticker and ends as soon as no call or stream is being timed.
 *
 * <p>Immutable configuration and thread-safe; one instance owns one set of
 * {@linkplain #stats() counters}, shared by every provider it decorates. No thread is created
 * until a call is made, and none outlives its call or stream, except the shared timer thread,
 * which ends 30 seconds after the last call it timed.
 */
public final class TimeoutPolicy implements Policy {

    /**
     * Counters of a policy instance, read with {@link #stats()}.
     *
     * @param attemptTimeouts    calls cut by the attempt timeout, and streams cut by it before their first chunk
     * @param firstChunkTimeouts streams cut while waiting for the first chunk
     * @param idleTimeouts       streams cut by a gap between chunks
     * @param deadlineTimeouts   calls and streams cut by the overall deadline
     */
    public record Stats(long attemptTimeouts, long firstChunkTimeouts, long idleTimeouts, long deadlineTimeouts) {
    }

    /** Which limit passed. */
    enum Limit {
        ATTEMPT, STREAM_ATTEMPT, FIRST_CHUNK, IDLE, DEADLINE
    }

    private final Duration attemptTimeout;
    private final Duration firstChunkTimeout;
    private final Duration idleTimeout;
    private final CallTimer timer;
    private final LongAdder attemptTimeouts = new LongAdder();
    private final LongAdder firstChunkTimeouts = new LongAdder();
    private final LongAdder idleTimeouts = new LongAdder();
    private final LongAdder deadlineTimeouts = new LongAdder();

    private TimeoutPolicy(Builder b) {
        this.attemptTimeout = b.attemptTimeout;
        this.firstChunkTimeout = b.firstChunkTimeout;
        this.idleTimeout = b.idleTimeout;
        this.timer = b.ticker == Ticker.system() ? CallTimer.SHARED : new CallTimer(b.ticker, 0);
    }

    /** {@return a new builder with the defaults} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /**
     * Bounds a chat, an embeddings call or a model listing as described above.
     *
     * @param chain the call
     * @return the answer, if it came in time
     * @throws dev.parley.LlmTimeoutException if a limit passed first
     */
    @Override
    public <Q, R> R call(Chain<Q, R> chain) {
        return Timing.call(this, chain);
    }

    /**
     * Bounds a stream's wait for its first chunk and the gaps between chunks, as described above.
     *
     * @param chain the call
     * @return the stream
     */
    @Override
    public ChatStream stream(Chain<ChatRequest, ChatStream> chain) {
        return Timing.stream(this, chain);
    }

    /** {@return the counters so far; a snapshot} */
    public Stats stats() {
        return new Stats(attemptTimeouts.sum(), firstChunkTimeouts.sum(), idleTimeouts.sum(), deadlineTimeouts.sum());
    }

    /** {@return the limit on each attempt of chat, embed and models, and on a stream's attempt up to its first chunk} */
    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    /** {@return the limit on the wait for a stream's first chunk} */
    public Duration firstChunkTimeout() {
        return firstChunkTimeout;
    }

    /** {@return the limit on the gap between two chunks of a stream} */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** {@return the limit on the wait for a stream's first chunk: the smaller of the first-chunk and attempt timeouts} */
    Duration firstChunkLimit() {
        return attemptTimeout.compareTo(firstChunkTimeout) < 0 ? attemptTimeout : firstChunkTimeout;
    }

    /** {@return which limit {@link #firstChunkLimit()} is, to name it when it passes} */
    Limit firstChunkLimitKind() {
        return attemptTimeout.compareTo(firstChunkTimeout) < 0 ? Limit.STREAM_ATTEMPT : Limit.FIRST_CHUNK;
    }

    /** {@return the timer of this policy's calls and streams: the shared one on the system ticker} */
    CallTimer timer() {
        return timer;
    }

    /** Counts a timeout of {@code limit} and {@return the error for it}, with {@code cause} (may be null) */
    LlmException timedOut(String provider, Limit limit, Duration elapsed, Throwable cause) {
        String message = switch (limit) {
            case ATTEMPT -> "the attempt timeout of " + Errors.format(attemptTimeout) + " passed; the call was cancelled";
            case STREAM_ATTEMPT -> "no first chunk within the attempt timeout of " + Errors.format(attemptTimeout)
                    + "; the stream was cancelled";
            case FIRST_CHUNK -> "no first chunk within the first-chunk timeout of " + Errors.format(firstChunkTimeout)
                    + "; the stream was cancelled";
            case IDLE -> "no chunk for the idle timeout of " + Errors.format(idleTimeout) + "; the stream was cancelled";
            case DEADLINE -> "the overall deadline of the call passed"
                    + (elapsed == null ? " before it started" : " after " + Errors.format(elapsed) + " of this attempt")
                    + "; the call was cancelled";
        };
        (switch (limit) {
            case ATTEMPT, STREAM_ATTEMPT -> attemptTimeouts;
            case FIRST_CHUNK -> firstChunkTimeouts;
            case IDLE -> idleTimeouts;
            case DEADLINE -> deadlineTimeouts;
        }).increment();
        return LlmException.newBuilder(LlmException.Kind.TIMEOUT)
                .provider(provider)
                .message(message)
                .retryable(limit != Limit.DEADLINE)
                .cause(cause)
                .build();
    }

    /**
     * Builds a {@link TimeoutPolicy}. Each setter checks its argument at once and throws
     * {@link IllegalArgumentException} naming it and its range (1 ms to 24 hours). Not thread-safe.
     */
    public static final class Builder {
        private Duration attemptTimeout = Duration.ofMinutes(10);
        private Duration firstChunkTimeout = Duration.ofMinutes(5);
        private Duration idleTimeout = Duration.ofMinutes(2);
        private Ticker ticker = Ticker.system();

        private Builder() {
        }

        /**
         * Sets the limit on each attempt of chat, embed and models, whole response included, and
         * on each attempt of a stream up to its first chunk (when shorter than the
         * {@linkplain #firstChunkTimeout first-chunk timeout}); default 10 minutes.
         *
         * @param attemptTimeout the limit, 1 ms to 24 hours
         * @return this builder
         */
        public Builder attemptTimeout(Duration attemptTimeout) {
            this.attemptTimeout = check("attemptTimeout", attemptTimeout);
            return this;
        }

        /**
         * Sets the limit from subscribing to a stream to its first chunk (the attempt timeout applies
         * instead when shorter); default 5 minutes.
         *
         * @param firstChunkTimeout the limit from subscribing to a stream to its first chunk
         * @return this builder
         */
        public Builder firstChunkTimeout(Duration firstChunkTimeout) {
            this.firstChunkTimeout = check("firstChunkTimeout", firstChunkTimeout);
            return this;
        }

        /**
         * Sets the longest gap between two chunks of a stream; default 2 minutes.
         *
         * @param idleTimeout the longest gap between two chunks of a stream
         * @return this builder
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = check("idleTimeout", idleTimeout);
            return this;
        }

        /**
         * Sets the time the limits are measured on; default {@link Ticker#system()}. A client
         * built with {@code Llm.Builder.ticker(...)} gives its ticker to the timeout policy it
         * makes itself; a policy built here keeps the ticker set here.
         *
         * @param ticker the time source
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** {@return the policy} */
        public TimeoutPolicy build() {
            return new TimeoutPolicy(this);
        }

        private static Duration check(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.compareTo(Duration.ofMillis(1)) < 0 || value.compareTo(Duration.ofHours(24)) > 0) {
                throw new IllegalArgumentException(name + " must be from 1 ms to 24 hours, got " + value);
            }
            return value;
        }
    }
}
