package dev.parley.mcp;

import java.util.Objects;

import dev.parley.Tool;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;

/**
 * A tool an MCP server offers, as {@code tools/list} describes it.
 *
 * <p>{@link #toTool()} makes the {@link Tool} to offer a model; when the model asks for it, pass
 * its name and arguments to {@link McpClient#callTool(String, JsonObject)}.
 *
 * @param name         the tool's name on the server, the one to call it by
 * @param title        a display name for people, or null
 * @param description  what the tool does, for the model; may be null
 * @param inputSchema  the JSON Schema of the arguments object
 * @param outputSchema the JSON Schema of the structured result, or null when the tool has none
 * @param annotations  the server's hints about the tool ({@code readOnlyHint},
 *                     {@code destructiveHint}, ...), or null; untrusted unless the server is
 */
public record McpTool(String name, String title, String description, JsonObject inputSchema,
        JsonObject outputSchema, JsonObject annotations) {

    /** Checks that the name and the input schema are present. */
    public McpTool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(inputSchema, "inputSchema");
    }

    /**
     * {@return the tool to offer a model, under the server's name for it}
     *
     * @throws IllegalArgumentException if the name is not a valid model tool name (1 to 64
     *     letters, digits, '_' or '-'); use {@link #toTool(String)} to give it another
     */
    public Tool toTool() {
        return toTool(name);
    }

    /**
     * {@return the tool to offer a model, under another name}: to prefix the tools of several
     * servers, or to replace characters a model does not accept. Call the server by
     * {@link #name()} still.
     *
     * @param modelName the name the model sees
     * @throws IllegalArgumentException if {@code modelName} is not 1 to 64 letters, digits, '_'
     *     or '-'
     */
    public Tool toTool(String modelName) {
        return Tool.of(modelName, description, inputSchema);
    }

    /** Reads one entry of a {@code tools/list} result; null when it has no name. */
    static McpTool fromJson(JsonObject o) {
        String name = o.optString("name").orElse(null);
        if (name == null) {
            return null;
        }
        JsonObject input = o.optObject("inputSchema").orElse(JsonObject.of("type", JsonString.of("object")));
        return new McpTool(name, o.optString("title").orElse(null), o.optString("description").orElse(null),
                input, o.optObject("outputSchema").orElse(null), o.optObject("annotations").orElse(null));
    }
}
