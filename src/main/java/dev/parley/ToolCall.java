package dev.parley;

import java.util.Objects;

import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonParseException;
import dev.parley.json.JsonValue;

/**
 * The model asking the application to call a tool.
 *
 * @param id        the call's id, which the {@linkplain Message#tool tool result} must quote
 * @param name      the tool's name
 * @param arguments the arguments as the model wrote them: JSON text, usually an object, that
 *                  may be malformed (models do make mistakes)
 */
public record ToolCall(String id, String name, String arguments) {

    /** Validates the call. */
    public ToolCall {
        Objects.requireNonNull(id, "toolCall.id");
        Objects.requireNonNull(name, "toolCall.name");
        Objects.requireNonNull(arguments, "toolCall.arguments");
    }

    /**
     * {@return a call with arguments given as JSON}
     *
     * @param id the call's id
     * @param name the tool's name
     * @param arguments the arguments, as JSON text
     */
    public static ToolCall of(String id, String name, JsonValue arguments) {
        return new ToolCall(id, name, Json.write(arguments));
    }

    /**
     * {@return the arguments parsed as a JSON object; empty arguments read as an empty object}
     *
     * @throws JsonParseException if the model wrote malformed JSON or something other than an object
     */
    public JsonObject argumentsJson() {
        if (arguments.isBlank()) {
            return JsonObject.of();
        }
        JsonValue v = Json.parse(arguments);
        if (v instanceof JsonObject o) {
            return o;
        }
        throw new JsonParseException("tool call arguments are " + v.kind() + ", expected an object", 0, 1, 1);
    }
}
