package dev.parley.provider.anthropic;

import java.util.ArrayList;
import java.util.List;

import dev.parley.ChatRequest;
import dev.parley.ContentPart;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.ResponseFormat;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Writes a {@link ChatRequest} as a Messages API request body.
 *
 * <ul>
 * <li>System and developer messages, wherever they stand, become the top-level {@code system}
 *     string: their texts in order, joined with a blank line ({@code "\n\n"}).</li>
 * <li>Tool messages become {@code tool_result} blocks of a user message. Consecutive results
 *     share one user message (the API wants every result of a turn together), and a user
 *     message right after them joins it too, after the results.</li>
 * <li>Assistant messages carry, in this order: their signed thinking and redacted thinking blocks
 *     (which the API requires back, first, while a tool call is in progress), their text, and a
 *     {@code tool_use} block per tool call with the parsed arguments object. Reasoning without a
 *     signature (from another provider) cannot be verified by Anthropic and is left out.</li>
 * <li>Text-only content is sent as a string, other content as blocks; images go as
 *     {@code base64} sources ({@code data:} URLs included) or {@code url} sources.</li>
 * <li>Not sent: {@code seed} (Anthropic has none; it is only a hint, so it is ignored),
 *     {@link Message#name()}, and {@link Tool#strict()}. JSON response formats are refused
 *     with an UNSUPPORTED error: the base API has no response format.</li>
 * <li>{@code extra} is merged last and may replace any field, except {@code stream}, which the
 *     call decides.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class MessagesEncoder {

    private MessagesEncoder() {
    }

    /**
     * {@return the request body}
     *
     * @param provider         the provider's name, for errors
     * @param request          the request, whose model is set
     * @param defaultMaxTokens the {@code max_tokens} when the request sets none
     * @param stream           whether to ask for a stream
     * @throws LlmException of kind UNSUPPORTED or INVALID_REQUEST for what the API cannot take
     */
    static JsonObject encode(String provider, ChatRequest request, int defaultMaxTokens, boolean stream) {
        check(provider, request);
        JsonObject.Builder body = JsonObject.newBuilder()
                .put("model", request.model())
                .put("max_tokens", request.maxTokens() != null ? request.maxTokens() : defaultMaxTokens);
        List<String> system = new ArrayList<>();
        JsonArray messages = messages(provider, request.messages(), system);
        String answerTool = answerTool(request);
        boolean thinking = thinking(request);
        if (answerTool != null && thinking) {
            system.add("Give your final answer by calling the tool " + answerTool + ".");
        }
        if (!system.isEmpty()) {
            body.put("system", String.join("\n\n", system));
        }
        body.put("messages", messages);
        if (request.temperature() != null) {
            body.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            body.put("top_p", request.topP());
        }
        if (!request.stop().isEmpty()) {
            body.put("stop_sequences", JsonArray.ofStrings(request.stop()));
        }
        ResponseFormat format = request.responseFormat();
        if (!request.tools().isEmpty() || answerTool != null) {
            JsonArray.Builder tools = JsonArray.newBuilder();
            for (Tool t : request.tools()) {
                JsonObject.Builder tool = JsonObject.newBuilder().put("name", t.name());
                if (t.description() != null) {
                    tool.put("description", t.description());
                }
                tools.add(tool.put("input_schema", t.parameters()).build());
            }
            if (answerTool != null) {
                tools.add(JsonObject.newBuilder().put("name", answerTool)
                        .put("description", "Give your answer by calling this tool: its input is the answer, a JSON"
                                + " object that follows the input schema.")
                        .put("input_schema", format.schema()).build());
            }
            body.put("tools", tools.build());
            JsonObject choice = toolChoice(request.toolChoice(), answerTool, !request.tools().isEmpty(), thinking);
            if (choice != null) {
                body.put("tool_choice", choice);
            }
        }
        if (request.user() != null) {
            body.put("metadata", JsonObject.of("user_id", JsonString.of(request.user())));
        }
        request.extra().members().forEach(body::put);
        if (stream) {
            body.put("stream", true);
        } else {
            body.remove("stream");
        }
        return body.build();
    }

    /**
     * {@return the name of the tool whose input is the answer, for a JSON-schema response format;
     * null for any other format} Anthropic has no response format: the schema becomes a tool the
     * model is made to call, and {@link MessagesDecoder} reads its input back as the answer.
     *
     * @param request the request
     */
    static String answerTool(ChatRequest request) {
        ResponseFormat format = request.responseFormat();
        return format != null && format.type() == ResponseFormat.Type.JSON_SCHEMA ? format.name() : null;
    }

    /**
     * {@return whether the request turns on extended thinking} (through its extra {@code thinking}
     * field), with which Anthropic refuses a forced tool choice
     */
    private static boolean thinking(ChatRequest request) {
        return request.extra().get("thinking").orElse(null) instanceof JsonObject t
                && !"disabled".equals(t.stringOr("type", ""));
    }

    /**
     * The tool choice: the request's own; or, with an answer tool, the tool the request names, else
     * any tool when the request has tools the model may call first, else the answer tool. With
     * extended thinking, which allows only {@code auto} and {@code none}, {@code auto}, and the
     * system prompt asks for the answer tool.
     */
    private static JsonObject toolChoice(ToolChoice choice, String answerTool, boolean otherTools, boolean thinking) {
        if (answerTool != null && thinking) {
            return JsonObject.of("type", JsonString.of("auto"));
        }
        if (answerTool != null && (choice == null || choice.mode() != ToolChoice.Mode.TOOL)) {
            return otherTools && (choice == null || choice.mode() != ToolChoice.Mode.NONE)
                    ? JsonObject.of("type", JsonString.of("any"))
                    : JsonObject.newBuilder().put("type", "tool").put("name", answerTool).build();
        }
        if (choice == null) {
            return null;
        }
        JsonObject.Builder out = JsonObject.newBuilder();
        switch (choice.mode()) {
            case AUTO -> out.put("type", "auto");
            case NONE -> out.put("type", "none");
            case REQUIRED -> out.put("type", "any");
            case TOOL -> out.put("type", "tool").put("name", choice.toolName());
        }
        return out.build();
    }

    private static void check(String provider, ChatRequest request) {
        ResponseFormat format = request.responseFormat();
        if (format != null && format.type() == ResponseFormat.Type.JSON_OBJECT) {
            throw LlmException.newBuilder(LlmException.Kind.UNSUPPORTED).provider(provider)
                    .message("Anthropic's Messages API has no JSON_OBJECT response format; ask for JSON in the"
                            + " prompt, or give a schema with ResponseFormat.jsonSchema(name, schema)")
                    .build();
        }
        if (format != null && format.type() == ResponseFormat.Type.JSON_SCHEMA) {
            for (Tool t : request.tools()) {
                if (t.name().equals(format.name())) {
                    throw invalid(provider, "responseFormat.name: \"" + format.name() + "\" is also the name of a"
                            + " tool; Anthropic gets the schema as a tool of that name, so rename one");
                }
            }
        }
        if (request.temperature() != null && request.temperature() > 1) {
            throw invalid(provider, "temperature: Anthropic accepts 0 to 1, got " + request.temperature());
        }
        if (request.toolChoice() != null && request.tools().isEmpty() && answerTool(request) == null
                && request.toolChoice().mode() == ToolChoice.Mode.REQUIRED) {
            throw invalid(provider, "toolChoice: REQUIRED needs at least one tool in the request");
        }
    }

    private static JsonArray messages(String provider, List<Message> in, List<String> system) {
        List<JsonValue> out = new ArrayList<>();
        List<JsonValue> toolResults = null;
        for (Message m : in) {
            switch (m.role()) {
                case SYSTEM, DEVELOPER -> {
                    if (!m.text().isEmpty()) {
                        system.add(m.text());
                    }
                }
                case TOOL -> {
                    if (toolResults == null) {
                        toolResults = new ArrayList<>();
                    }
                    toolResults.add(JsonObject.newBuilder()
                            .put("type", "tool_result")
                            .put("tool_use_id", m.toolCallId())
                            .put("content", m.text())
                            .build());
                }
                case USER -> {
                    if (toolResults != null) {
                        blocks(m.content(), toolResults);
                        out.add(message("user", JsonArray.of(toolResults)));
                        toolResults = null;
                    } else {
                        out.add(message("user", content(m.content())));
                    }
                }
                case ASSISTANT -> {
                    if (toolResults != null) {
                        out.add(message("user", JsonArray.of(toolResults)));
                        toolResults = null;
                    }
                    out.add(message("assistant", assistant(provider, m)));
                }
            }
        }
        if (toolResults != null) {
            out.add(message("user", JsonArray.of(toolResults)));
        }
        if (out.isEmpty()) {
            throw invalid(provider, "messages: Anthropic needs at least one user or assistant message"
                    + " besides the system prompt");
        }
        return JsonArray.of(out);
    }

    private static JsonObject message(String role, JsonValue content) {
        return JsonObject.of("role", JsonString.of(role), "content", content);
    }

    private static JsonValue content(List<ContentPart> parts) {
        if (parts.isEmpty()) {
            return JsonString.of("");
        }
        if (parts.size() == 1 && parts.get(0) instanceof ContentPart.Text t) {
            return JsonString.of(t.text());
        }
        List<JsonValue> blocks = new ArrayList<>();
        blocks(parts, blocks);
        return JsonArray.of(blocks);
    }

    private static void blocks(List<ContentPart> parts, List<JsonValue> blocks) {
        for (ContentPart part : parts) {
            switch (part) {
                case ContentPart.Text t -> {
                    if (!t.text().isEmpty()) { // the API refuses empty text blocks
                        blocks.add(JsonObject.of("type", JsonString.of("text"), "text", JsonString.of(t.text())));
                    }
                }
                case ContentPart.Image i -> blocks.add(JsonObject.of("type", JsonString.of("image"),
                        "source", imageSource(i)));
            }
        }
    }

    private static JsonObject imageSource(ContentPart.Image image) {
        String url = image.url();
        if (url == null) {
            return base64(image.mediaType(), image.base64());
        }
        int comma = url.indexOf(',');
        if (url.regionMatches(true, 0, "data:", 0, 5) && comma > 0 && url.substring(0, comma).endsWith(";base64")) {
            String mediaType = url.substring(5, url.indexOf(';'));
            return base64(mediaType, url.substring(comma + 1));
        }
        return JsonObject.of("type", JsonString.of("url"), "url", JsonString.of(url));
    }

    private static JsonObject base64(String mediaType, String data) {
        return JsonObject.newBuilder().put("type", "base64").put("media_type", mediaType).put("data", data).build();
    }

    private static JsonValue assistant(String provider, Message m) {
        List<JsonValue> blocks = new ArrayList<>();
        for (ReasoningBlock r : m.reasoning()) {
            if (r.redacted()) {
                blocks.add(JsonObject.of("type", JsonString.of("redacted_thinking"), "data", JsonString.of(r.redactedData())));
            } else if (r.signature() != null) {
                blocks.add(JsonObject.newBuilder().put("type", "thinking").put("thinking", r.text())
                        .put("signature", r.signature()).build());
            }
        }
        if (blocks.isEmpty() && m.toolCalls().isEmpty()) {
            return content(m.content());
        }
        blocks(m.content(), blocks);
        for (ToolCall call : m.toolCalls()) {
            JsonObject input;
            try {
                input = call.argumentsJson();
            } catch (JsonException e) {
                throw invalid(provider, "tool call " + call.id() + " (" + call.name()
                        + "): its arguments are not a JSON object, which Anthropic requires as the tool_use input ("
                        + e.getMessage() + ")");
            }
            blocks.add(JsonObject.newBuilder().put("type", "tool_use").put("id", call.id()).put("name", call.name())
                    .put("input", input).build());
        }
        return JsonArray.of(blocks);
    }

    private static LlmException invalid(String provider, String message) {
        return LlmException.newBuilder(LlmException.Kind.INVALID_REQUEST).provider(provider).message(message).build();
    }
}
