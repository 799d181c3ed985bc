package dev.parley.internal;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a policy needs to know about the call in progress that is not part of the request:
 * the overall deadline (covering retries and waiting for permits) and whether the cache may be
 * used. The {@code Llm} facade opens a context around each call; policies read it with
 * {@link #current()}. A policy that hands work to another thread (a stream, an async call)
 * captures the context when the call starts and reopens it there with {@link #call}.
 * {@code onAttempt} is run by the innermost layer each time the provider itself is called, so
 * that observers can count attempts per call. {@code onHeaders} is given the headers of each
 * successful streamed or embeddings response that Parley's adapters receive (non-streamed chat
 * responses carry theirs in {@code ChatResponse.headers()}), so that the rate limiter can follow
 * the provider's rate-limit headers; it must be quick and must not throw. {@code onWait} is told
 * what a call is about to wait for and for how long (a rate-limit permit, a retry's backoff), so
 * that a person watching can be told; it may be called while a lock is held, so it must be quick,
 * must not throw and must not call Parley.
 *
 * <p>Immutable and thread-safe; the current context is per thread.
 */
public record CallContext(Instant deadline, boolean cacheEnabled, Runnable onAttempt,
                          Consumer<HttpHeaders> onHeaders, BiConsumer<String, Duration> onWait) {

    private static final ThreadLocal<CallContext> CURRENT = new ThreadLocal<>();
    private static final Runnable NOTHING = () -> { };
    private static final Consumer<HttpHeaders> IGNORE = headers -> { };
    private static final BiConsumer<String, Duration> NO_WAIT = (what, wait) -> { };
    private static final CallContext DEFAULT = new CallContext(null, true, NOTHING);

    /** Normalizes a null {@code onAttempt}, {@code onHeaders} or {@code onWait} to doing nothing. */
    public CallContext {
        onAttempt = onAttempt == null ? NOTHING : onAttempt;
        onHeaders = onHeaders == null ? IGNORE : onHeaders;
        onWait = onWait == null ? NO_WAIT : onWait;
    }

    /** A context with no wait observer. */
    public CallContext(Instant deadline, boolean cacheEnabled, Runnable onAttempt, Consumer<HttpHeaders> onHeaders) {
        this(deadline, cacheEnabled, onAttempt, onHeaders, NO_WAIT);
    }

    /** A context with no headers observer. */
    public CallContext(Instant deadline, boolean cacheEnabled, Runnable onAttempt) {
        this(deadline, cacheEnabled, onAttempt, IGNORE);
    }

    /** A context with no attempt or headers observer. */
    public CallContext(Instant deadline, boolean cacheEnabled) {
        this(deadline, cacheEnabled, NOTHING, IGNORE);
    }

    /** {@return the context of the call running on this thread; without one, no deadline and the cache enabled} */
    public static CallContext current() {
        CallContext c = CURRENT.get();
        return c != null ? c : DEFAULT;
    }

    /** {@return a context with a deadline {@code timeout} from now on {@code clock}, or none for null} */
    public static CallContext of(Clock clock, Duration timeout, boolean cacheEnabled) {
        return new CallContext(timeout == null ? null : clock.instant().plus(timeout), cacheEnabled, NOTHING);
    }

    /** {@return a copy that runs {@code onAttempt} for each attempt} */
    public CallContext withOnAttempt(Runnable onAttempt) {
        return new CallContext(deadline, cacheEnabled, onAttempt, onHeaders, onWait);
    }

    /** {@return a copy that tells {@code onWait} what the call waits for, and how long} */
    public CallContext withOnWait(BiConsumer<String, Duration> onWait) {
        return new CallContext(deadline, cacheEnabled, onAttempt, onHeaders, onWait);
    }

    /** Tells the wait observer, which must not break the call. */
    public void waiting(String what, Duration wait) {
        try {
            onWait.accept(what, wait);
        } catch (RuntimeException ignored) {
            // best effort: the wait itself is what matters
        }
    }

    /** {@return a copy that gives {@code onHeaders} the headers of successful streamed and embeddings responses} */
    public CallContext withOnHeaders(Consumer<HttpHeaders> onHeaders) {
        return new CallContext(deadline, cacheEnabled, onAttempt, onHeaders, onWait);
    }

    /** Runs {@code work} with this context current on this thread. @return what it returns */
    public <T> T call(Supplier<T> work) {
        CallContext previous = CURRENT.get();
        CURRENT.set(this);
        try {
            return work.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /** {@return the time left before the deadline on {@code clock} (never negative), or null without a deadline} */
    public Duration remaining(Clock clock) {
        if (deadline == null) {
            return null;
        }
        Duration d = Duration.between(clock.instant(), deadline);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** {@return whether the deadline has passed on {@code clock}} */
    public boolean expired(Clock clock) {
        return deadline != null && !clock.instant().isBefore(deadline);
    }
}
