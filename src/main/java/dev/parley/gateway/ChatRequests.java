package dev.parley.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.parley.ChatRequest;
import dev.parley.ContentPart;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.ResponseFormat;
import dev.parley.Role;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonBoolean;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Reads an OpenAI {@code /v1/chat/completions} request body into a {@link ChatRequest}.
 *
 * <p>Understood: {@code messages} (string or array content with {@code text} and
 * {@code image_url} parts, assistant {@code tool_calls}, DeepSeek {@code reasoning_content},
 * tool messages with {@code tool_call_id}, {@code name}), {@code temperature}, {@code top_p},
 * {@code max_tokens} and {@code max_completion_tokens} (the latter wins), {@code stop} (string
 * or array), {@code seed}, {@code tools}, {@code tool_choice}, {@code response_format},
 * {@code user}. {@code stream} and {@code stream_options} are read by the handler.
 *
 * <p>Unknown fields: a few OpenAI sampling fields ({@link #PASS_THROUGH}) are forwarded as
 * {@link ChatRequest#extra()} when the route's provider speaks OpenAI's wire format; every other
 * unknown field is ignored. Forwarding arbitrary fields is not safe: {@code extra} is written
 * after Parley's own fields and may override them ({@code stream}, say, which would break the
 * adapter), non-OpenAI providers reject unknown fields, and some fields change who pays
 * ({@code service_tier}). Fields whose meaning the gateway cannot honour ({@code n} other than
 * 1, {@code logprobs}, the legacy {@code functions}, audio output) are refused with a 400 rather
 * than silently dropped.
 *
 * <p>Stateless and thread-safe.
 */
final class ChatRequests {

    /** OpenAI fields forwarded to OpenAI-style providers as they are. */
    static final Set<String> PASS_THROUGH = Set.of("frequency_penalty", "presence_penalty", "logit_bias",
            "parallel_tool_calls", "reasoning_effort");

    /** Providers (by {@code Llm.providerName()}) that speak OpenAI's chat wire format. */
    static final Set<String> OPENAI_STYLE = Set.of("openai", "deepseek", "openai-compatible", "azure-openai");

    private ChatRequests() {
    }

    /**
     * {@return the request}
     *
     * @param body          the parsed body
     * @param model         the model to send upstream, or null for the route's default
     * @param openAiStyle   whether the route's provider takes OpenAI's fields, so the pass-through fields are forwarded
     * @throws ApiError if the body is not a valid request
     */
    static ChatRequest parse(JsonObject body, String model, boolean openAiStyle) {
        refuseUnsupported(body);
        ChatRequest.Builder r = ChatRequest.newBuilder().model(model);
        JsonArray messages = body.optArray("messages")
                .orElseThrow(() -> ApiError.invalid("Missing required parameter: 'messages'.", "messages"));
        if (messages.isEmpty()) {
            throw ApiError.invalid("'messages' must hold at least one message.", "messages");
        }
        for (int i = 0; i < messages.size(); i++) {
            String path = "messages[" + i + "]";
            if (!(messages.get(i) instanceof JsonObject m)) {
                throw ApiError.invalid("Each message must be an object.", path);
            }
            r.addMessage(message(m, path));
        }
        body.optDouble("temperature").ifPresent(t -> field("temperature", () -> r.temperature(t)));
        body.optDouble("top_p").ifPresent(p -> field("top_p", () -> r.topP(p)));
        body.optInt("max_tokens").ifPresent(n -> field("max_tokens", () -> r.maxTokens(n)));
        body.optInt("max_completion_tokens").ifPresent(n -> field("max_completion_tokens", () -> r.maxTokens(n)));
        stop(body.get("stop").orElse(JsonNull.INSTANCE), r);
        body.optLong("seed").ifPresent(r::seed);
        body.optArray("tools").ifPresent(tools -> {
            for (int i = 0; i < tools.size(); i++) {
                r.addTool(tool(tools.get(i), "tools[" + i + "]"));
            }
        });
        body.get("tool_choice").filter(v -> !(v instanceof JsonNull)).ifPresent(v -> r.toolChoice(toolChoice(v)));
        body.optObject("response_format").ifPresent(f -> field("response_format", () -> r.responseFormat(responseFormat(f))));
        body.optString("user").ifPresent(r::user);
        if (openAiStyle) {
            for (String name : PASS_THROUGH) {
                body.get(name).filter(v -> !(v instanceof JsonNull)).ifPresent(v -> r.extra(name, v));
            }
        }
        try {
            return r.build();
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(e.getMessage(), null);
        }
    }

    private static void refuseUnsupported(JsonObject body) {
        body.optInt("n").ifPresent(n -> {
            if (n != 1) {
                throw ApiError.unsupported("This gateway returns one choice per request; 'n' must be 1.", "n");
            }
        });
        if (body.optBoolean("logprobs").orElse(false) || body.get("top_logprobs").filter(v -> !(v instanceof JsonNull)).isPresent()) {
            throw ApiError.unsupported("This gateway does not return log probabilities.", "logprobs");
        }
        for (String legacy : List.of("functions", "function_call")) {
            if (body.get(legacy).filter(v -> !(v instanceof JsonNull)).isPresent()) {
                throw ApiError.unsupported("'" + legacy + "' is deprecated and not supported; use 'tools' and 'tool_choice'.", legacy);
            }
        }
        if (body.get("audio").filter(v -> !(v instanceof JsonNull)).isPresent()) {
            throw ApiError.unsupported("This gateway does not produce audio.", "audio");
        }
    }

    private static void field(String param, Runnable set) {
        try {
            set.run();
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(e.getMessage(), param);
        }
    }

    private static Message message(JsonObject m, String path) {
        String roleName = m.optString("role").orElseThrow(() -> ApiError.invalid("Missing required parameter: 'role'.", path + ".role"));
        Role role;
        try {
            role = Role.ofWireName(roleName);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("Invalid role '" + roleName + "'; expected system, developer, user, assistant or tool.", path + ".role");
        }
        List<ContentPart> content = content(m.get("content").orElse(JsonNull.INSTANCE), path + ".content");
        List<ToolCall> calls = new ArrayList<>();
        if (role == Role.ASSISTANT) {
            JsonArray tc = m.optArray("tool_calls").orElse(JsonArray.of());
            for (int i = 0; i < tc.size(); i++) {
                JsonObject call = tc.object(i);
                JsonObject fn = call.object("function");
                calls.add(new ToolCall(call.string("id"), fn.string("name"), fn.stringOr("arguments", "")));
            }
        }
        String toolCallId = role == Role.TOOL ? m.optString("tool_call_id").orElseThrow(
                () -> ApiError.invalid("A tool message needs 'tool_call_id'.", path + ".tool_call_id")) : null;
        List<ReasoningBlock> reasoning = role == Role.ASSISTANT
                ? m.optString("reasoning_content").filter(s -> !s.isEmpty()).map(s -> List.of(ReasoningBlock.of(s))).orElse(List.of())
                : List.of();
        try {
            return new Message(role, content, calls, toolCallId, m.optString("name").orElse(null), reasoning);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(e.getMessage(), path);
        }
    }

    private static List<ContentPart> content(JsonValue v, String path) {
        return switch (v) {
            case JsonNull n -> List.of();
            case JsonString s -> s.value().isEmpty() ? List.of() : List.of(ContentPart.text(s.value()));
            case JsonArray parts -> {
                List<ContentPart> out = new ArrayList<>(parts.size());
                for (int i = 0; i < parts.size(); i++) {
                    out.add(part(parts.object(i), path + "[" + i + "]"));
                }
                yield out;
            }
            default -> throw ApiError.invalid("'content' must be a string, an array of parts or null.", path);
        };
    }

    private static ContentPart part(JsonObject p, String path) {
        String type = p.stringOr("type", "");
        switch (type) {
            case "text":
                return ContentPart.text(p.string("text"));
            case "image_url":
                JsonValue image = p.get("image_url").orElseThrow(() -> ApiError.invalid("Missing 'image_url'.", path + ".image_url"));
                String url = image instanceof JsonObject o ? o.string("url")
                        : image instanceof JsonString s ? s.value() : null;
                if (url == null) {
                    throw ApiError.invalid("'image_url' must be an object with a 'url'.", path + ".image_url");
                }
                return image(url, path);
            default:
                throw ApiError.unsupported("Content part type '" + type + "' is not supported; use 'text' or 'image_url'.", path + ".type");
        }
    }

    /** Data URLs become inline images, so that adapters needing base64 (Anthropic) get it directly. */
    static ContentPart image(String url, String path) {
        try {
            if (url.startsWith("data:")) {
                int marker = url.indexOf(";base64,");
                if (marker > 5) {
                    return ContentPart.imageBase64(url.substring(5, marker), url.substring(marker + 8));
                }
            }
            return ContentPart.imageUrl(url);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(e.getMessage(), path + ".image_url");
        }
    }

    private static void stop(JsonValue v, ChatRequest.Builder r) {
        switch (v) {
            case JsonNull n -> { }
            case JsonString s -> field("stop", () -> r.stop(List.of(s.value())));
            case JsonArray a -> {
                List<String> stops = new ArrayList<>();
                for (int i = 0; i < a.size(); i++) {
                    stops.add(a.string(i));
                }
                field("stop", () -> r.stop(stops));
            }
            default -> throw ApiError.invalid("'stop' must be a string, an array of strings or null.", "stop");
        }
    }

    private static Tool tool(JsonValue v, String path) {
        if (!(v instanceof JsonObject t) || !"function".equals(t.stringOr("type", "function"))) {
            throw ApiError.unsupported("Only tools of type 'function' are supported.", path + ".type");
        }
        JsonObject fn = t.object("function");
        JsonObject parameters = fn.optObject("parameters").orElse(JsonObject.of("type", JsonString.of("object"),
                "properties", JsonObject.of()));
        try {
            return new Tool(fn.string("name"), fn.optString("description").orElse(null), parameters,
                    fn.optBoolean("strict").orElse(false));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(e.getMessage(), path + ".function.name");
        }
    }

    private static ToolChoice toolChoice(JsonValue v) {
        if (v instanceof JsonString s) {
            return switch (s.value()) {
                case "auto" -> ToolChoice.auto();
                case "none" -> ToolChoice.none();
                case "required" -> ToolChoice.required();
                default -> throw ApiError.invalid("Invalid 'tool_choice' '" + s.value() + "'; expected auto, none, required or a function.", "tool_choice");
            };
        }
        if (v instanceof JsonObject o && "function".equals(o.stringOr("type", "")) ) {
            return ToolChoice.tool(o.object("function").string("name"));
        }
        throw ApiError.invalid("Invalid 'tool_choice'; expected auto, none, required or {\"type\":\"function\",\"function\":{\"name\":...}}.", "tool_choice");
    }

    private static ResponseFormat responseFormat(JsonObject f) {
        String type = f.stringOr("type", "");
        return switch (type) {
            case "text" -> ResponseFormat.text();
            case "json_object" -> ResponseFormat.jsonObject();
            case "json_schema" -> {
                JsonObject js = f.object("json_schema");
                JsonObject schema = js.optObject("schema").orElse(JsonObject.of());
                boolean strict = js.get("strict").orElse(JsonBoolean.FALSE) instanceof JsonBoolean b && b.value();
                yield new ResponseFormat(ResponseFormat.Type.JSON_SCHEMA, js.string("name"), schema, strict);
            }
            default -> throw ApiError.invalid("Invalid 'response_format.type' '" + type + "'; expected text, json_object or json_schema.", "response_format.type");
        };
    }
}
