package dev.parley.provider.bedrock;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
 * Writes a {@link ChatRequest} as a Bedrock Converse request body (the model goes in the path).
 *
 * <ul>
 * <li>System and developer messages become {@code system} text blocks, in order.</li>
 * <li>Every other message becomes a {@code user} or {@code assistant} message of content blocks;
 *     Converse wants the roles to alternate, so consecutive messages of one role share one
 *     message. Tool messages are {@code toolResult} blocks of a user message.</li>
 * <li>Assistant messages carry, in this order, their signed reasoning ({@code reasoningContent}
 *     with {@code reasoningText{text, signature}}) and redacted reasoning
 *     ({@code redactedContent}), their text, then a {@code toolUse} block per tool call with
 *     the parsed arguments object. Reasoning without a signature (from another provider) cannot
 *     be verified by the model and is left out.</li>
 * <li>Images go as {@code bytes} (base64 data, {@code data:} URLs included) with their format,
 *     or as an {@code s3Location} for an {@code s3://} URL; web URLs are refused, as Bedrock
 *     does not fetch them.</li>
 * <li>{@code inferenceConfig} holds {@code maxTokens}, {@code temperature}, {@code topP} and
 *     {@code stopSequences}, when set. {@code toolConfig} holds each tool's {@code toolSpec} and
 *     the tool choice ({@code auto}, {@code any}, {@code tool}); Converse has no "none", so that
 *     choice is refused.</li>
 * <li>Not sent: {@code seed}, {@code user}, {@link Message#name()}, {@link Tool#strict()}. JSON
 *     response formats are refused with an UNSUPPORTED error.</li>
 * <li>{@code extra} is merged last and may replace any field: use it for
 *     {@code additionalModelRequestFields} (such as Claude's {@code thinking}),
 *     {@code guardrailConfig} or {@code performanceConfig}.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class ConverseEncoder {

    private ConverseEncoder() {
    }

    /**
     * {@return the request body}
     *
     * @param provider the provider's name, for errors
     * @param request  the request
     * @throws LlmException of kind UNSUPPORTED or INVALID_REQUEST for what Converse cannot take
     */
    static JsonObject encode(String provider, ChatRequest request) {
        ResponseFormat format = request.responseFormat();
        if (format != null && format.type() != ResponseFormat.Type.TEXT) {
            throw unsupported(provider, "Bedrock's Converse API has no " + format.type() + " response format; ask for"
                    + " JSON in the prompt, or define a tool with that schema and force it with ToolChoice.tool(name)");
        }
        JsonObject.Builder body = JsonObject.newBuilder();
        List<JsonValue> system = new ArrayList<>();
        body.put("messages", messages(provider, request.messages(), system));
        if (!system.isEmpty()) {
            body.put("system", JsonArray.of(system));
        }
        JsonObject.Builder inference = JsonObject.newBuilder();
        if (request.maxTokens() != null) {
            inference.put("maxTokens", request.maxTokens());
        }
        if (request.temperature() != null) {
            inference.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            inference.put("topP", request.topP());
        }
        if (!request.stop().isEmpty()) {
            inference.put("stopSequences", JsonArray.ofStrings(request.stop()));
        }
        JsonObject config = inference.build();
        if (!config.isEmpty()) {
            body.put("inferenceConfig", config);
        }
        JsonObject tools = toolConfig(provider, request);
        if (tools != null) {
            body.put("toolConfig", tools);
        }
        request.extra().members().forEach(body::put);
        return body.build();
    }

    private static JsonObject toolConfig(String provider, ChatRequest request) {
        ToolChoice choice = request.toolChoice();
        if (choice != null && choice.mode() == ToolChoice.Mode.NONE) {
            throw unsupported(provider, "Bedrock's Converse API has no tool choice \"none\"; leave the tools out of"
                    + " the request instead");
        }
        if (request.tools().isEmpty()) {
            if (choice != null && choice.mode() != ToolChoice.Mode.AUTO) {
                throw invalid(provider, "toolChoice: " + choice.mode() + " needs at least one tool in the request");
            }
            return null;
        }
        JsonArray.Builder tools = JsonArray.newBuilder();
        for (Tool t : request.tools()) {
            JsonObject.Builder spec = JsonObject.newBuilder().put("name", t.name());
            if (t.description() != null) {
                spec.put("description", t.description());
            }
            spec.put("inputSchema", JsonObject.of("json", t.parameters()));
            tools.add(JsonObject.of("toolSpec", spec.build()));
        }
        JsonObject.Builder config = JsonObject.newBuilder().put("tools", tools.build());
        if (choice != null) {
            config.put("toolChoice", switch (choice.mode()) {
                case AUTO, NONE -> JsonObject.of("auto", JsonObject.of());
                case REQUIRED -> JsonObject.of("any", JsonObject.of());
                case TOOL -> JsonObject.of("tool", JsonObject.of("name", JsonString.of(choice.toolName())));
            });
        }
        return config.build();
    }

    private static JsonArray messages(String provider, List<Message> in, List<JsonValue> system) {
        List<JsonValue> out = new ArrayList<>();
        String role = null;
        List<JsonValue> blocks = null;
        for (Message m : in) {
            String next = switch (m.role()) {
                case SYSTEM, DEVELOPER -> null;
                case USER, TOOL -> "user";
                case ASSISTANT -> "assistant";
            };
            if (next == null) {
                if (!m.text().isEmpty()) {
                    system.add(JsonObject.of("text", JsonString.of(m.text())));
                }
                continue;
            }
            if (!next.equals(role)) {
                if (blocks != null) {
                    out.add(message(role, blocks));
                }
                role = next;
                blocks = new ArrayList<>();
            }
            switch (m.role()) {
                case TOOL -> blocks.add(JsonObject.of("toolResult", JsonObject.newBuilder()
                        .put("toolUseId", m.toolCallId())
                        .put("content", JsonArray.of(JsonObject.of("text", JsonString.of(m.text()))))
                        .build()));
                case ASSISTANT -> assistant(provider, m, blocks);
                default -> content(provider, m.content(), blocks);
            }
        }
        if (blocks != null) {
            out.add(message(role, blocks));
        }
        if (out.isEmpty()) {
            throw invalid(provider, "messages: Bedrock needs at least one user or assistant message besides the system"
                    + " prompt");
        }
        return JsonArray.of(out);
    }

    private static JsonObject message(String role, List<JsonValue> blocks) {
        return JsonObject.of("role", JsonString.of(role), "content", JsonArray.of(blocks));
    }

    private static void content(String provider, List<ContentPart> parts, List<JsonValue> blocks) {
        for (ContentPart part : parts) {
            switch (part) {
                case ContentPart.Text t -> {
                    if (!t.text().isEmpty()) { // Converse refuses blank text blocks
                        blocks.add(JsonObject.of("text", JsonString.of(t.text())));
                    }
                }
                case ContentPart.Image i -> blocks.add(JsonObject.of("image", image(provider, i)));
            }
        }
    }

    private static JsonObject image(String provider, ContentPart.Image image) {
        String url = image.url();
        String mediaType = image.mediaType();
        String data = image.base64();
        if (url != null) {
            int comma = url.indexOf(',');
            if (url.regionMatches(true, 0, "s3://", 0, 5)) {
                String format = format(provider, url.substring(url.lastIndexOf('.') + 1), url);
                return JsonObject.of("format", JsonString.of(format),
                        "source", JsonObject.of("s3Location", JsonObject.of("uri", JsonString.of(url))));
            }
            if (!url.regionMatches(true, 0, "data:", 0, 5) || comma < 0 || !url.substring(0, comma).endsWith(";base64")) {
                throw unsupported(provider, "Bedrock does not fetch images from web addresses: give the image's bytes"
                        + " (ContentPart.Image with base64 data, or a data: URL) or an s3:// location");
            }
            mediaType = url.substring(5, url.indexOf(';'));
            data = url.substring(comma + 1);
        }
        String subtype = mediaType.substring(mediaType.indexOf('/') + 1);
        return JsonObject.of("format", JsonString.of(format(provider, subtype, mediaType)),
                "source", JsonObject.of("bytes", JsonString.of(data)));
    }

    /** {@return Converse's image format for a media subtype or file extension} */
    private static String format(String provider, String subtype, String what) {
        String f = subtype.toLowerCase(Locale.ROOT);
        return switch (f) {
            case "png", "gif", "webp" -> f;
            case "jpeg", "jpg" -> "jpeg";
            default -> throw unsupported(provider, "Bedrock takes png, jpeg, gif and webp images, not " + what);
        };
    }

    private static void assistant(String provider, Message m, List<JsonValue> blocks) {
        for (ReasoningBlock r : m.reasoning()) {
            if (r.redacted()) {
                blocks.add(JsonObject.of("reasoningContent",
                        JsonObject.of("redactedContent", JsonString.of(r.redactedData()))));
            } else if (r.signature() != null) {
                blocks.add(JsonObject.of("reasoningContent", JsonObject.of("reasoningText",
                        JsonObject.of("text", JsonString.of(r.text()), "signature", JsonString.of(r.signature())))));
            }
        }
        content(provider, m.content(), blocks);
        for (ToolCall call : m.toolCalls()) {
            JsonObject input;
            try {
                input = call.argumentsJson();
            } catch (JsonException e) {
                throw invalid(provider, "tool call " + call.id() + " (" + call.name() + "): its arguments are not a JSON"
                        + " object, which Bedrock requires as the toolUse input (" + e.getMessage() + ")");
            }
            blocks.add(JsonObject.of("toolUse", JsonObject.newBuilder().put("toolUseId", call.id())
                    .put("name", call.name()).put("input", input).build()));
        }
    }

    private static LlmException invalid(String provider, String message) {
        return LlmException.newBuilder(LlmException.Kind.INVALID_REQUEST).provider(provider).message(message).build();
    }

    private static LlmException unsupported(String provider, String message) {
        return LlmException.newBuilder(LlmException.Kind.UNSUPPORTED).provider(provider).message(message).build();
    }
}
