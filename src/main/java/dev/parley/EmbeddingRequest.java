package dev.parley;

import java.util.List;
import java.util.Objects;

import dev.parley.json.JsonObject;

/**
 * A request to embed a batch of texts.
 *
 * @param model      the embedding model, or null for the client's default
 * @param inputs     the texts; at least one, none empty
 * @param dimensions the vector size to ask for, where the model supports shortening; null for its default
 * @param user       an id of the end user; null for none
 * @param extra      provider-specific fields to add to the request body
 */
public record EmbeddingRequest(String model, List<String> inputs, Integer dimensions, String user, JsonObject extra) {

    /** Validates the request. */
    public EmbeddingRequest {
        inputs = List.copyOf(Objects.requireNonNull(inputs, "inputs"));
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("inputs: an embedding request needs at least one input");
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).isEmpty()) {
                throw new IllegalArgumentException("inputs[" + i + "]: must not be empty");
            }
        }
        if (dimensions != null && dimensions < 1) {
            throw new IllegalArgumentException("dimensions: expected at least 1, got " + dimensions);
        }
        extra = extra == null ? JsonObject.of() : extra;
    }

    /**
     * {@return a request to embed {@code inputs} with {@code model}}
     *
     * @param model the embedding model's name, or null for the client's default
     * @param inputs the texts to embed
     */
    public static EmbeddingRequest of(String model, List<String> inputs) {
        return new EmbeddingRequest(model, inputs, null, null, null);
    }

    /**
     * {@return a copy for another model}
     *
     * @param model the other model's name
     */
    public EmbeddingRequest withModel(String model) {
        return new EmbeddingRequest(model, inputs, dimensions, user, extra);
    }
}
