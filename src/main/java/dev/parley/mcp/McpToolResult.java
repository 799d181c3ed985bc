package dev.parley.mcp;

import java.util.List;
import java.util.Objects;

import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonBoolean;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * The outcome of an MCP tool call.
 *
 * <p>A tool that failed says so with {@code isError}: its content then describes the failure,
 * for the model to read and perhaps correct its arguments. That is not an exception; an
 * exception means the call itself failed (no such tool, a timeout, a broken connection).
 *
 * @param content           the content parts, each as the server sent it: {@code text},
 *                          {@code image}, {@code audio}, {@code resource_link} or
 *                          {@code resource} (the {@code type} member says which)
 * @param structuredContent the result as one JSON object, following the tool's output schema, or
 *                          null when the tool gave none
 * @param isError           whether the tool reported a failure
 */
public record McpToolResult(List<JsonObject> content, JsonObject structuredContent, boolean isError) {

    /** Copies the content parts. */
    public McpToolResult {
        content = List.copyOf(Objects.requireNonNull(content, "content"));
    }

    /** {@return the text of the {@code text} parts, joined with line feeds; empty when there are none} */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (JsonObject part : content) {
            if ("text".equals(type(part))) {
                appendLine(sb, string(part, "text"));
            }
        }
        return sb.toString();
    }

    /**
     * {@return the result as the text a model reads in a tool message}: the text parts, a short
     * note for each other part (an image, a resource), the text of embedded text resources, and
     * the structured content as JSON when no part says anything; a failure starts with
     * {@code "Error: "}
     */
    public String toModelText() {
        StringBuilder sb = new StringBuilder();
        for (JsonObject part : content) {
            String type = type(part);
            switch (type == null ? "" : type) {
                case "text" -> appendLine(sb, string(part, "text"));
                case "image", "audio" -> appendLine(sb, "[" + type + " " + string(part, "mimeType") + "]");
                case "resource_link" -> appendLine(sb, "[resource " + string(part, "uri") + "]");
                case "resource" -> {
                    JsonObject resource = part.members().get("resource") instanceof JsonObject r ? r : JsonObject.of();
                    String text = string(resource, "text");
                    appendLine(sb, text != null ? text : "[resource " + string(resource, "uri") + "]");
                }
                default -> appendLine(sb, Json.write(part));
            }
        }
        if (sb.isEmpty() && structuredContent != null) {
            sb.append(Json.write(structuredContent));
        }
        return isError ? "Error: " + sb : sb.toString();
    }

    /** Reads a {@code tools/call} result. */
    static McpToolResult fromJson(JsonObject result) {
        List<JsonObject> parts = result.members().get("content") instanceof JsonArray a
                ? a.values().stream().filter(JsonObject.class::isInstance).map(JsonObject.class::cast).toList()
                : List.of();
        JsonObject structured = result.members().get("structuredContent") instanceof JsonObject s ? s : null;
        boolean isError = result.members().get("isError") instanceof JsonBoolean b && b.value();
        return new McpToolResult(parts, structured, isError);
    }

    private static String type(JsonObject part) {
        return string(part, "type");
    }

    private static String string(JsonObject o, String name) {
        JsonValue v = o.members().get(name);
        return v instanceof JsonString s ? s.value() : null;
    }

    private static void appendLine(StringBuilder sb, String line) {
        if (line == null) {
            return;
        }
        if (!sb.isEmpty()) {
            sb.append('\n');
        }
        sb.append(line);
    }
}
