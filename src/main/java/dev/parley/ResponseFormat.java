package dev.parley;

import java.util.Objects;

import dev.parley.json.JsonObject;

/**
 * The form of the answer: free text, any JSON object, or JSON that follows a schema.
 *
 * @param type   text, JSON object or JSON schema
 * @param name   the schema's name, with {@link Type#JSON_SCHEMA}; null otherwise
 * @param schema the JSON Schema, with {@link Type#JSON_SCHEMA}; null otherwise
 * @param strict whether the provider must follow the schema exactly
 */
public record ResponseFormat(Type type, String name, JsonObject schema, boolean strict) {

    /** The kinds of response format. */
    public enum Type {
        /** Free text, the default. */
        TEXT,
        /** Any valid JSON object. */
        JSON_OBJECT,
        /** JSON that follows a schema. */
        JSON_SCHEMA
    }

    /** Validates the format. */
    public ResponseFormat {
        Objects.requireNonNull(type, "responseFormat.type");
        if ((type == Type.JSON_SCHEMA) != (schema != null) || (type == Type.JSON_SCHEMA) != (name != null)) {
            throw new IllegalArgumentException("responseFormat: give a name and schema exactly when the type is JSON_SCHEMA");
        }
    }

    /** {@return free text} */
    public static ResponseFormat text() {
        return new ResponseFormat(Type.TEXT, null, null, false);
    }

    /** {@return any JSON object} */
    public static ResponseFormat jsonObject() {
        return new ResponseFormat(Type.JSON_OBJECT, null, null, false);
    }

    /**
     * {@return JSON following {@code schema}, strictly}
     *
     * @param name the schema's name
     * @param schema the JSON schema the answer must follow
     */
    public static ResponseFormat jsonSchema(String name, JsonObject schema) {
        return new ResponseFormat(Type.JSON_SCHEMA, name, schema, true);
    }
}
