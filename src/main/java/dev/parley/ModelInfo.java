package dev.parley;

import java.util.Objects;

import dev.parley.json.JsonObject;

/**
 * A model a provider offers, from its models list.
 *
 * @param id      the model's name, as requests use it
 * @param ownedBy who owns it, where the provider says; may be null
 * @param created when it was created, in seconds since the epoch; 0 when unknown
 * @param raw     the provider's entry as JSON
 */
public record ModelInfo(String id, String ownedBy, long created, JsonObject raw) {

    /** Validates the entry. */
    public ModelInfo {
        Objects.requireNonNull(id, "id");
        raw = raw == null ? JsonObject.of() : raw;
    }
}
