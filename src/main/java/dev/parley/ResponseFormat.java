package dev.parley;

import java.util.Objects;
import java.util.regex.Pattern;

import dev.parley.json.JsonObject;

/**
 * The form of the answer: free text, any JSON object, or JSON that follows a schema.
 *
 * <p>Each provider gets a JSON-schema format by the strongest means it has, and the answer's
 * JSON comes back as the response's text in every case:
 * <ul>
 * <li>OpenAI and Azure OpenAI: {@code response_format} of type {@code json_schema}, strict when
 *     {@link #strict()} is;</li>
 * <li>Anthropic: a tool named as the schema, with the schema as its input, that the model is
 *     made to call; its input is the answer;</li>
 * <li>Ollama: the schema as {@code format};</li>
 * <li>DeepSeek: {@code response_format} of type {@code json_object}, and the schema in a system
 *     message, as DeepSeek has no schema-constrained output.</li>
 * </ul>
 * Other OpenAI-compatible servers get {@code json_schema}. {@code dev.parley.schema.JsonSchema}
 * writes schemas from Java records in the form strict mode accepts, and
 * {@code Llm.chat(request, Answer.class)} uses it.
 *
 * @param type   text, JSON object or JSON schema
 * @param name   the schema's name, 1 to 64 letters, digits, '_' or '-', with {@link Type#JSON_SCHEMA};
 *               null otherwise
 * @param schema the JSON Schema, with {@link Type#JSON_SCHEMA}; null otherwise
 * @param strict whether the provider must follow the schema exactly
 */
public record ResponseFormat(Type type, String name, JsonObject schema, boolean strict) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

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
        if (name != null) {
            checkName("responseFormat.name", name);
        }
    }

    /** Throws if {@code name} is not 1 to 64 letters, digits, '_' or '-'; the message starts with {@code what}. */
    static void checkName(String what, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + ": expected 1 to 64 letters, digits, '_' or '-', got \""
                    + name + "\"");
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
