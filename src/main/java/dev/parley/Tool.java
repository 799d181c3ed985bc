package dev.parley;

import java.util.Objects;
import java.util.regex.Pattern;

import dev.parley.json.JsonObject;

/**
 * A function the model may ask the application to call.
 *
 * {@snippet :
 * Tool weather = Tool.of("get_weather", "Current weather for a city",
 *         (JsonObject) Json.parse("""
 *             {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}
 *             """));
 * }
 *
 * @param name        the name, 1 to 64 letters, digits, '_' or '-'
 * @param description what the tool does, for the model; may be null
 * @param parameters  a JSON Schema for the arguments object
 * @param strict      whether the provider should make the arguments follow the schema exactly
 *                    (OpenAI structured outputs); ignored where unsupported
 */
public record Tool(String name, String description, JsonObject parameters, boolean strict) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** Validates the tool. */
    public Tool {
        Objects.requireNonNull(name, "tool.name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("tool.name: expected 1 to 64 letters, digits, '_' or '-', got \"" + name + "\"");
        }
        Objects.requireNonNull(parameters, "tool.parameters");
    }

    /**
     * {@return a non-strict tool}
     *
     * @param name the tool's name
     * @param description what the tool does, for the model
     * @param parameters the JSON schema of the tool's arguments
     */
    public static Tool of(String name, String description, JsonObject parameters) {
        return new Tool(name, description, parameters, false);
    }
}
