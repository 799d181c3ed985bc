package dev.parley.internal;

import java.time.Duration;
import java.util.Objects;

import dev.parley.route.CircuitBreaker;

/**
 * How a {@link CircuitBreaker} can keep its state in a {@link Store} that several processes
 * share (the gateway's Redis), without adding to the breaker's public API: the breaker registers
 * an {@link Access} when its class is initialized, which has happened by the time anyone holds a
 * breaker, and Parley's own packages go through the static methods here.
 *
 * <p>A shared breaker asks its store first, on every call: while the store answers, the store
 * decides, and the breaker's own state follows what the store says; while the store cannot
 * answer, the breaker decides alone, from the state it last saw. Thread-safe.
 */
public final class CircuitSharing {

    /**
     * A breaker's rules, which its store applies for it.
     *
     * @param failureThreshold counted failures in a row that open the circuit
     * @param coolDown         how long it stays open
     * @param probes           calls a half-open circuit lets through
     */
    public record Rules(int failureThreshold, Duration coolDown, int probes) {
    }

    /** How a call that was let through ended, as the breaker counts it. */
    public enum Outcome {
        /** The provider answered (an error of the caller's making counts as an answer). */
        SUCCESS,
        /** The provider failed with a kind the breaker counts. */
        FAILURE,
        /** Neither (cancelled, a bug): a probe's place goes to the next caller. */
        NEUTRAL
    }

    /**
     * The shared state of a circuit, as the store last saw it.
     *
     * @param state   the state
     * @param openFor when open, how long until the cool-down ends; zero otherwise
     */
    public record View(CircuitBreaker.State state, Duration openFor) {

        /** Checks the values. */
        public View {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(openFor, "openFor");
        }
    }

    /**
     * The store's answer to whether a call may go.
     *
     * @param admitted whether the call may go
     * @param probe    whether it goes as a probe of a half-open circuit
     * @param view     the circuit's state after the decision
     * @param ticket   what the store needs to record the call's outcome (opaque; null when refused)
     */
    public record Decision(boolean admitted, boolean probe, View view, Object ticket) {

        /** Checks the values. */
        public Decision {
            Objects.requireNonNull(view, "view");
        }
    }

    /** Where a circuit's state is kept for several processes. Implementations are thread-safe and never throw. */
    public interface Store {

        /** {@return the circuit's name in the store, an identifier (never a secret)} */
        String name();

        /** {@return whether a call may go, or null when the store cannot answer now} */
        Decision acquire();

        /**
         * Records how a call the store let through ended.
         *
         * @param admitted the decision that let it through
         * @param outcome  how it ended
         * @return the circuit's state after it, or null when the store could not record it
         */
        View record(Decision admitted, Outcome outcome);

        /** {@return the circuit's state now, or null when the store cannot answer} */
        View view();
    }

    /** What the breaker lends this bridge; registered once, by {@code CircuitBreaker}. */
    public interface Access {

        /**
         * {@return the breaker's rules}
         *
         * @param breaker a breaker
         */
        Rules rules(CircuitBreaker breaker);

        /**
         * Puts the breaker's state in {@code store} from now on, or back in the process alone.
         *
         * @param breaker  a breaker
         * @param expected the store it must have now for the change to happen (null: none)
         * @param store    the new store, or null for none
         * @return whether the breaker had {@code expected} and now has {@code store}
         */
        boolean share(CircuitBreaker breaker, Store expected, Store store);

        /**
         * {@return the store the breaker keeps its state in, or null}
         *
         * @param breaker a breaker
         */
        Store store(CircuitBreaker breaker);
    }

    private static volatile Access access;

    private CircuitSharing() {
    }

    /**
     * Registers the breaker's access; done once, by {@code CircuitBreaker}.
     *
     * @param a the access
     * @throws IllegalStateException if one was registered before
     */
    public static synchronized void register(Access a) {
        if (access != null) {
            throw new IllegalStateException("the circuit breaker's access is already registered");
        }
        access = Objects.requireNonNull(a, "a");
    }

    /**
     * {@return the rules of {@code breaker}}
     *
     * @param breaker a breaker
     */
    public static Rules rules(CircuitBreaker breaker) {
        return access(breaker).rules(breaker);
    }

    /**
     * Makes {@code breaker} keep its state in {@code store} if it had {@code expected}.
     *
     * @param breaker  a breaker
     * @param expected the store it must have now (null: none)
     * @param store    the store, or null to keep the state in the process alone again
     * @return whether it changed
     */
    public static boolean share(CircuitBreaker breaker, Store expected, Store store) {
        return access(breaker).share(breaker, expected, store);
    }

    /**
     * {@return the store {@code breaker} keeps its state in, or null}
     *
     * @param breaker a breaker
     */
    public static Store store(CircuitBreaker breaker) {
        return access(breaker).store(breaker);
    }

    private static Access access(CircuitBreaker breaker) {
        Objects.requireNonNull(breaker, "breaker");
        return access; // registered: the breaker's class is initialized
    }
}
