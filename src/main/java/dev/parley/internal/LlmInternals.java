package dev.parley.internal;

import java.util.Objects;
import java.util.function.Function;

import dev.parley.Llm;
import dev.parley.limit.RateLimitPolicy;
import dev.parley.route.CircuitBreaker;

/**
 * What an {@link Llm} was built with and keeps to itself, read by Parley's own packages (the
 * gateway shows each route's circuit breaker and rate limits) without adding to {@code Llm}'s
 * public API. {@code Llm} registers the reader when its class is initialized, which has happened
 * by the time anyone holds an {@code Llm}. Thread-safe.
 */
public final class LlmInternals {

    /**
     * The state-holding policies of one client.
     *
     * @param breaker   its circuit breaker, or null
     * @param rateLimit its rate limits, or null
     * @param breakerFromSettings whether the breaker was made from the client's settings
     *        ({@code LLM_CIRCUIT_BREAKER_*}) rather than given in code: then it is the client's
     *        own, and the gateway may share its state with its other instances
     */
    public record Policies(CircuitBreaker breaker, RateLimitPolicy rateLimit, boolean breakerFromSettings) {
    }

    private static volatile Function<Llm, Policies> reader;

    private LlmInternals() {
    }

    /**
     * Registers the reader; done once, by {@code Llm}.
     *
     * @param r the reader
     * @throws IllegalStateException if a reader was registered before
     */
    public static synchronized void register(Function<Llm, Policies> r) {
        if (reader != null) {
            throw new IllegalStateException("the Llm reader is already registered");
        }
        reader = Objects.requireNonNull(r, "r");
    }

    /**
     * {@return the policies {@code llm} was built with}
     *
     * @param llm a client
     */
    public static Policies policies(Llm llm) {
        Objects.requireNonNull(llm, "llm");
        return reader.apply(llm); // registered: llm's class is initialized
    }
}
