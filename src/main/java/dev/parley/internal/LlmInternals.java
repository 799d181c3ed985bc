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
     */
    public record Policies(CircuitBreaker breaker, RateLimitPolicy rateLimit) {
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
