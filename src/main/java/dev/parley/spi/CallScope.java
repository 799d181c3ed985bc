package dev.parley.spi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What every layer of a call needs to know that is not part of the request: the overall
 * deadline (covering retries, fallbacks and waiting for permits), whether the cache may be used,
 * and the call's {@link Observer}, which is told when an attempt starts and when the call waits.
 *
 * <p>{@code Llm} makes one scope per call and hands it down through each {@link Policy} with the
 * {@link Chain}; a layer that narrows it (a tighter deadline) passes its narrowed copy on with
 * {@link Chain#proceed(Object, CallScope)}. A layer that does work on another thread (a stream, a
 * retry after a backoff) keeps the scope it was given: nothing about the call lives in a
 * thread-local.
 *
 * <p>Immutable and thread-safe.
 */
public final class CallScope {

    /**
     * Told what happens during one call. Each method must be quick, must not throw and must not
     * call Parley; it may be called on any thread, and while a lock is held.
     */
    public interface Observer {

        /** Does nothing. */
        Observer NONE = new Observer() {
        };

        /** The provider itself is about to be called: one attempt of the call (a retry is another). */
        default void attemptStarted() {
        }

        /**
         * The call is about to wait.
         *
         * @param what what it waits for, such as "a rate-limit permit" or "a retry after ..."
         * @param wait how long at most
         */
        default void waiting(String what, Duration wait) {
        }
    }

    private static final CallScope NONE = new CallScope(null, true, Observer.NONE);

    private final Instant deadline;
    private final boolean cacheEnabled;
    private final Observer observer;

    private CallScope(Instant deadline, boolean cacheEnabled, Observer observer) {
        this.deadline = deadline;
        this.cacheEnabled = cacheEnabled;
        this.observer = observer;
    }

    /** {@return the scope of a call with no deadline, the cache enabled, and nobody observing} */
    public static CallScope none() {
        return NONE;
    }

    /**
     * {@return a scope}
     *
     * @param deadline     when the call must be over, or null for no deadline
     * @param cacheEnabled whether a cached answer may be used and an answer cached
     */
    public static CallScope of(Instant deadline, boolean cacheEnabled) {
        return deadline == null && cacheEnabled ? NONE : new CallScope(deadline, cacheEnabled, Observer.NONE);
    }

    /**
     * {@return a scope whose deadline is {@code timeout} from now on {@code clock}}
     *
     * @param clock        the clock the call's deadlines are measured on
     * @param timeout      how long the call may take, or null for no deadline
     * @param cacheEnabled whether a cached answer may be used and an answer cached
     */
    public static CallScope of(Clock clock, Duration timeout, boolean cacheEnabled) {
        return of(timeout == null ? null : plus(clock.instant(), timeout), cacheEnabled);
    }

    /** {@return when the call must be over, or null when it has no deadline} */
    public Instant deadline() {
        return deadline;
    }

    /** {@return whether a cached answer may be used and an answer cached} */
    public boolean cacheEnabled() {
        return cacheEnabled;
    }

    /** {@return who is told when an attempt starts and when the call waits} */
    public Observer observer() {
        return observer;
    }

    /**
     * {@return the time left before the deadline (never negative), or null without a deadline}
     *
     * @param clock the clock the deadline is measured on
     */
    public Duration remaining(Clock clock) {
        if (deadline == null) {
            return null;
        }
        Duration d = Duration.between(clock.instant(), deadline);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /**
     * {@return whether the deadline has passed}
     *
     * @param clock the clock the deadline is measured on
     */
    public boolean expired(Clock clock) {
        return deadline != null && !clock.instant().isBefore(deadline);
    }

    /**
     * {@return a copy whose deadline is the earlier of this one and {@code other}}
     *
     * @param other another deadline, or null for none
     */
    public CallScope withDeadline(Instant other) {
        if (other == null || (deadline != null && !other.isBefore(deadline))) {
            return this;
        }
        return new CallScope(other, cacheEnabled, observer);
    }

    /**
     * {@return a copy told of attempts and waits by {@code observer}}
     *
     * @param observer the new observer
     */
    public CallScope withObserver(Observer observer) {
        return new CallScope(deadline, cacheEnabled, Objects.requireNonNull(observer, "observer"));
    }

    /** Tells the observer that an attempt starts; an observer that throws does not break the call. */
    public void attemptStarted() {
        try {
            observer.attemptStarted();
        } catch (RuntimeException ignored) {
            // an observer must not break the call it observes
        }
    }

    /**
     * Tells the observer that the call is about to wait; an observer that throws does not break
     * the call.
     *
     * @param what what it waits for
     * @param wait how long at most
     */
    public void waiting(String what, Duration wait) {
        try {
            observer.waiting(what, wait);
        } catch (RuntimeException ignored) {
            // the wait itself is what matters
        }
    }

    private static Instant plus(Instant now, Duration timeout) {
        try {
            return now.plus(timeout);
        } catch (ArithmeticException | java.time.DateTimeException e) {
            return Instant.MAX;
        }
    }

    @Override
    public String toString() {
        return "CallScope[deadline=" + deadline + ", cache=" + (cacheEnabled ? "on" : "off") + "]";
    }
}
