package dev.parley.gateway;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import dev.parley.ChatRequest;
import dev.parley.ContentPart;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.ResponseFormat;
import dev.parley.Role;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonException;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Reads an OpenAI Responses API request body ({@code POST /v1/responses}) into a
 * {@link ChatRequest}, as {@link ChatRequests} does for Chat Completions.
 *
 * <p>Understood: {@code instructions} (a system message first), {@code input} as a string (one
 * user message) or as items: messages of any role with string or part content
 * ({@code input_text}, {@code output_text}, {@code input_image} by URL or data URL), and the
 * items of an earlier answer: {@code reasoning}, {@code function_call} and
 * {@code function_call_output}. Consecutive reasoning, assistant-message and function-call items
 * make one assistant message, as Parley keeps a turn. {@code tools} (function tools),
 * {@code tool_choice}, {@code text.format}, {@code max_output_tokens}, {@code temperature},
 * {@code top_p}, {@code user}; {@code reasoning.effort} and {@code parallel_tool_calls} are
 * forwarded as {@code reasoning_effort} and {@code parallel_tool_calls} to OpenAI-style
 * providers. {@code stream} is read by the handler.
 *
 * <p>Reasoning items: one this gateway wrote (its {@code encrypted_content} starts with
 * {@value #OWN}) is turned back into the exact reasoning block it came from, so that another
 * provider's signed thinking (Anthropic's) survives a client that speaks only the Responses API;
 * any other is OpenAI's own and kept whole, for a Responses-mode upstream to send back.
 *
 * <p>Refused with a 400 rather than dropped: {@code previous_response_id} and
 * {@code conversation} (the gateway keeps no state; send the whole conversation, with
 * {@code store: false}), {@code background}, hosted tools (web search, file search...), and
 * input items of other types, except references to reasoning items ({@code item_reference} to
 * an {@code rs_} id), which are left out: the reasoning they name was stored by OpenAI, not
 * here. Other unknown fields ({@code store}, {@code include}, {@code metadata},
 * {@code truncation}...) are ignored.
 *
 * <p>Stateless and thread-safe.
 */
final class ResponsesRequests {

    /** How the {@code encrypted_content} of a reasoning item this gateway made begins. */
    static final String OWN = "parley:";

    private ResponsesRequests() {
    }

    /**
     * {@return the request}
     *
     * @param body        the parsed body
     * @param model       the model to send upstream, or null for the route's default
     * @param openAiStyle whether the route's provider takes OpenAI's fields
     * @throws ApiError if the body is not a valid request, or asks for what this gateway cannot do
     */
    static ChatRequest parse(JsonObject body, String model, boolean openAiStyle) {
        refuseUnsupported(body);
        ChatRequest.Builder r = ChatRequest.newBuilder().model(model);
        body.optString("instructions").filter(s -> !s.isEmpty()).ifPresent(s -> r.addMessage(Message.system(s)));
        JsonValue input = body.get("input").orElseThrow(() -> ApiError.invalid("Missing required parameter: 'input'.", "input"));
        switch (input) {
            case JsonString s -> r.addMessage(Message.user(s.value()));
            case JsonArray items -> items(items, r);
            default -> throw ApiError.invalid("'input' must be a string or an array of items.", "input");
        }
        body.optDouble("temperature").ifPresent(t -> field("temperature", () -> r.temperature(t)));
        body.optDouble("top_p").ifPresent(p -> field("top_p", () -> r.topP(p)));
        body.optInt("max_output_tokens").ifPresent(n -> field("max_output_tokens", () -> r.maxTokens(n)));
        body.optArray("tools").ifPresent(tools -> {
            for (int i = 0; i < tools.size(); i++) {
                r.addTool(tool(tools.get(i), "tools[" + i + "]"));
            }
        });
        body.get("tool_choice").filter(v -> !(v instanceof JsonNull)).ifPresent(v -> r.toolChoice(toolChoice(v)));
        body.optObject("text").flatMap(t -> t.optObject("format")).ifPresent(f -> r.responseFormat(format(f)));
        body.optString("user").ifPresent(r::user);
        if (openAiStyle) {
            body.optObject("reasoning").flatMap(o -> o.optString("effort"))
                    .ifPresent(e -> r.extra("reasoning_effort", JsonString.of(e)));
            body.get("parallel_tool_calls").filter(v -> !(v instanceof JsonNull))
                    .ifPresent(v -> r.extra("parallel_tool_calls", v));
        }
        try {
            return r.build();
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(e.getMessage(), null);
        }
    }

    private static void refuseUnsupported(JsonObject body) {
        if (present(body, "previous_response_id")) {
            throw ApiError.unsupported("This gateway keeps no responses, so 'previous_response_id' cannot be used: "
                    + "send the whole conversation in 'input' (with store: false).", "previous_response_id");
        }
        if (present(body, "conversation")) {
            throw ApiError.unsupported("This gateway keeps no conversations: send the whole conversation in 'input'.",
                    "conversation");
        }
        if (body.optBoolean("background").orElse(false)) {
            throw ApiError.unsupported("This gateway does not run responses in the background.", "background");
        }
        if (present(body, "prompt")) {
            throw ApiError.unsupported("This gateway has no stored prompts; send 'instructions' and 'input'.", "prompt");
        }
    }

    private static boolean present(JsonObject body, String name) {
        return body.get(name).filter(v -> !(v instanceof JsonNull)).isPresent();
    }

    private static void field(String param, Runnable set) {
        try {
            set.run();
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(e.getMessage(), param);
        }
    }

    /** Adds the input items, merging each run of assistant-side items into one assistant message. */
    private static void items(JsonArray items, ChatRequest.Builder r) {
        if (items.isEmpty()) {
            throw ApiError.invalid("'input' must hold at least one item.", "input");
        }
        Turn turn = null;
        for (int i = 0; i < items.size(); i++) {
            String path = "input[" + i + "]";
            if (!(items.get(i) instanceof JsonObject item)) {
                throw ApiError.invalid("Each input item must be an object.", path);
            }
            String type = item.optString("type").orElse("message");
            String role = item.optString("role").orElse(null);
            boolean assistantSide = switch (type) {
                case "reasoning", "function_call" -> true;
                case "message" -> "assistant".equals(role);
                default -> false;
            };
            if (!assistantSide && turn != null) {
                r.addMessage(turn.message(path));
                turn = null;
            }
            switch (type) {
                case "message" -> {
                    if (assistantSide) {
                        turn = turn != null ? turn : new Turn();
                        turn.text.append(text(item.get("content").orElse(JsonNull.INSTANCE), path + ".content"));
                    } else {
                        r.addMessage(message(item, role, path));
                    }
                }
                case "reasoning" -> (turn = turn != null ? turn : new Turn()).reasoning.add(reasoning(item));
                case "function_call" -> (turn = turn != null ? turn : new Turn()).calls.add(new ToolCall(
                        required(item, "call_id", path), required(item, "name", path), item.optString("arguments").orElse("")));
                case "function_call_output" -> r.addMessage(Message.tool(required(item, "call_id", path),
                        text(item.get("output").orElse(JsonNull.INSTANCE), path + ".output")));
                case "item_reference" -> {
                    if (!item.optString("id").orElse("").startsWith("rs_")) {
                        throw ApiError.unsupported("This gateway keeps no items, so only references to reasoning "
                                + "items can be left out; send the item itself.", path);
                    }
                }
                default -> throw ApiError.unsupported("Input items of type '" + type + "' are not supported; use "
                        + "messages, function_call, function_call_output and reasoning items.", path + ".type");
            }
        }
        if (turn != null) {
            r.addMessage(turn.message("input"));
        }
    }

    /** The assistant-side items of one turn, made into one message. */
    private static final class Turn {
        final StringBuilder text = new StringBuilder();
        final List<ReasoningBlock> reasoning = new ArrayList<>();
        final List<ToolCall> calls = new ArrayList<>();

        Message message(String path) {
            try {
                return Message.assistant(text.toString(), calls).withReasoning(reasoning);
            } catch (IllegalArgumentException e) {
                throw ApiError.invalid(e.getMessage(), path);
            }
        }
    }

    private static String required(JsonObject item, String name, String path) {
        return item.optString(name).orElseThrow(() -> ApiError.invalid("Missing required parameter: '" + name + "'.",
                path + "." + name));
    }

    private static Message message(JsonObject item, String roleName, String path) {
        if (roleName == null) {
            throw ApiError.invalid("Missing required parameter: 'role'.", path + ".role");
        }
        Role role = switch (roleName) {
            case "user" -> Role.USER;
            case "system" -> Role.SYSTEM;
            case "developer" -> Role.DEVELOPER;
            default -> throw ApiError.invalid("Invalid role '" + roleName + "'; expected user, assistant, system or developer.",
                    path + ".role");
        };
        JsonValue content = item.get("content").orElse(JsonNull.INSTANCE);
        List<ContentPart> parts = new ArrayList<>();
        switch (content) {
            case JsonString s -> {
                if (!s.value().isEmpty()) {
                    parts.add(ContentPart.text(s.value()));
                }
            }
            case JsonArray a -> {
                for (int i = 0; i < a.size(); i++) {
                    parts.add(part(a.object(i), path + ".content[" + i + "]"));
                }
            }
            default -> throw ApiError.invalid("'content' must be a string or an array of parts.", path + ".content");
        }
        try {
            return new Message(role, parts, null, null, null, null);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(e.getMessage(), path);
        }
    }

    private static ContentPart part(JsonObject p, String path) {
        String type = p.stringOr("type", "");
        return switch (type) {
            case "input_text", "output_text", "text" -> ContentPart.text(p.string("text"));
            case "input_image" -> {
                String url = p.optString("image_url").orElseThrow(() -> ApiError.unsupported(
                        "Images must be given by 'image_url' (a URL or a data URL); file ids are not supported.",
                        path + ".image_url"));
                yield ChatRequests.image(url, path);
            }
            default -> throw ApiError.unsupported("Content part type '" + type + "' is not supported; use "
                    + "'input_text' or 'input_image'.", path + ".type");
        };
    }

    /** {@return the text of assistant content or a function call's output: a string, or the text of its parts} */
    private static String text(JsonValue v, String path) {
        return switch (v) {
            case JsonNull n -> "";
            case JsonString s -> s.value();
            case JsonArray a -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < a.size(); i++) {
                    JsonObject p = a.object(i);
                    switch (p.stringOr("type", "")) {
                        case "output_text", "input_text", "text" -> sb.append(p.string("text"));
                        case "refusal" -> { }
                        default -> throw ApiError.unsupported("Content part type '" + p.stringOr("type", "")
                                + "' is not supported here; use text parts.", path + "[" + i + "].type");
                    }
                }
                yield sb.toString();
            }
            default -> throw ApiError.invalid("Expected a string or an array of text parts.", path);
        };
    }

    /**
     * {@return the reasoning block of an input reasoning item}: the block this gateway encoded
     * into it (see {@link ResponsesWire#reasoningItem}), or else the item kept whole as OpenAI's
     * own, its summary as the text
     */
    static ReasoningBlock reasoning(JsonObject item) {
        String encrypted = item.optString("encrypted_content").orElse(null);
        if (encrypted != null && encrypted.startsWith(OWN)) {
            try {
                JsonObject b = (JsonObject) Json.parse(new String(Base64.getUrlDecoder().decode(
                        encrypted.substring(OWN.length())), StandardCharsets.UTF_8));
                return new ReasoningBlock(b.optString("text").orElse(""), b.optString("signature").orElse(null),
                        b.optString("redactedData").orElse(null));
            } catch (IllegalArgumentException | JsonException | ClassCastException e) {
                throw ApiError.invalid("This reasoning item's 'encrypted_content' was changed; send it back as it came.",
                        "input");
            }
        }
        StringBuilder text = new StringBuilder();
        JsonArray summary = item.optArray("summary").orElse(JsonArray.of());
        for (int i = 0; i < summary.size(); i++) {
            if (summary.get(i) instanceof JsonObject s && s.get("text").orElse(null) instanceof JsonString t) {
                text.append(text.isEmpty() ? "" : "\n\n").append(t.value());
            }
        }
        return new ReasoningBlock(text.toString(), Json.write(item), null);
    }

    private static Tool tool(JsonValue v, String path) {
        if (!(v instanceof JsonObject t) || !"function".equals(t.stringOr("type", ""))) {
            throw ApiError.unsupported("Only tools of type 'function' are supported.", path + ".type");
        }
        JsonObject parameters = t.optObject("parameters").orElse(JsonObject.of("type", JsonString.of("object"),
                "properties", JsonObject.of()));
        try {
            return new Tool(required(t, "name", path), t.optString("description").orElse(null), parameters,
                    t.optBoolean("strict").orElse(false));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(e.getMessage(), path + ".name");
        }
    }

    private static ToolChoice toolChoice(JsonValue v) {
        if (v instanceof JsonString s) {
            return switch (s.value()) {
                case "auto" -> ToolChoice.auto();
                case "none" -> ToolChoice.none();
                case "required" -> ToolChoice.required();
                default -> throw ApiError.invalid("Invalid 'tool_choice' '" + s.value()
                        + "'; expected auto, none, required or a function.", "tool_choice");
            };
        }
        if (v instanceof JsonObject o && "function".equals(o.stringOr("type", ""))) {
            return ToolChoice.tool(required(o, "name", "tool_choice"));
        }
        throw ApiError.unsupported("Invalid 'tool_choice'; expected auto, none, required or "
                + "{\"type\":\"function\",\"name\":...}.", "tool_choice");
    }

    private static ResponseFormat format(JsonObject f) {
        String type = f.stringOr("type", "");
        return switch (type) {
            case "text" -> ResponseFormat.text();
            case "json_object" -> ResponseFormat.jsonObject();
            case "json_schema" -> {
                try {
                    yield new ResponseFormat(ResponseFormat.Type.JSON_SCHEMA, required(f, "name", "text.format"),
                            f.optObject("schema").orElse(JsonObject.of()), f.optBoolean("strict").orElse(false));
                } catch (IllegalArgumentException e) {
                    throw ApiError.invalid(e.getMessage(), "text.format");
                }
            }
            default -> throw ApiError.invalid("Invalid 'text.format.type' '" + type
                    + "'; expected text, json_object or json_schema.", "text.format.type");
        };
    }
}
