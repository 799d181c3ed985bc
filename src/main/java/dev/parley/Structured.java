package dev.parley;

import java.util.Objects;

/**
 * A typed answer: the value built from the model's JSON, and the response it came in.
 *
 * @param value    the answer, built from the JSON
 * @param response the response whose text was the JSON, for its usage, model and request id
 * @param attempts how many requests it took: 1, or more after repair turns
 * @param <T>      the type of the answer
 */
public record Structured<T>(T value, ChatResponse response, int attempts) {

    /** Validates the answer. */
    public Structured {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(response, "response");
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts: expected at least 1, got " + attempts);
        }
    }
}
