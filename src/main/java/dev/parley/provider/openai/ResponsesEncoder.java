package dev.parley.provider.openai;

import java.util.List;
import java.util.Map;

import dev.parley.ChatRequest;
import dev.parley.ContentPart;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.ResponseFormat;
import dev.parley.Role;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.internal.RequestChecks;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonBoolean;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Writes request bodies for OpenAI's Responses API, {@code POST /responses}, from Parley's one
 * {@link ChatRequest}.
 *
 * <ul>
 * <li>A first message with the system or developer role becomes {@code instructions}; every
 *     other message is an input item: user, system and developer messages as
 *     {@code {"role","content"}} (text, or {@code input_text} and {@code input_image} parts),
 *     assistant messages as their reasoning items, then their text, then one
 *     {@code function_call} item per tool call, and tool messages as
 *     {@code function_call_output} items.</li>
 * <li>Reasoning goes back as it came: a {@link ReasoningBlock} whose signature holds a Responses
 *     reasoning item (see {@link ResponsesDecoder#reasoningBlock}) is sent as that item, exactly,
 *     with its id, summary and {@code encrypted_content}; other reasoning (another provider's, or
 *     plain text) cannot be sent to this API and is left out.</li>
 * <li>{@code maxTokens} is {@code max_output_tokens}; the response format is {@code text.format};
 *     tools are flat {@code {"type":"function","name",...}} objects.</li>
 * <li>The request's {@code extra} fields are merged last and may replace any of these: that is
 *     how {@code reasoning} ({@code {"effort":"low","summary":"auto"}}), {@code store},
 *     {@code include}, {@code previous_response_id} or {@code truncation} are set. A chat-style
 *     {@code reasoning_effort} field is written as {@code reasoning.effort}. When {@code extra}
 *     sets {@code "store": false} and no {@code include}, {@code include} asks for
 *     {@code reasoning.encrypted_content}, so that reasoning can travel back on the next turn
 *     without server-side state.</li>
 * </ul>
 * Stop sequences and a seed have no Responses field and are refused before anything is sent.
 * Stateless and thread-safe.
 */
final class ResponsesEncoder {

    private ResponsesEncoder() {
    }

    /**
     * {@return the body of a create-response request}
     *
     * @param provider the provider's name, for errors
     * @param dialect  the server family: a compatible server gets {@code developer} messages as {@code system}
     * @param r        the request
     * @param stream   whether to ask for a stream of events
     * @throws dev.parley.LlmException of kind UNSUPPORTED for stop sequences or a seed
     */
    static JsonObject create(String provider, Dialect dialect, ChatRequest r, boolean stream) {
        if (!r.stop().isEmpty()) {
            throw RequestChecks.unsupported(provider, "stop sequences are (the Responses API has none)");
        }
        if (r.seed() != null) {
            throw RequestChecks.unsupported(provider, "a seed is (the Responses API has none)");
        }
        JsonObject.Builder b = JsonObject.newBuilder();
        if (r.model() != null) {
            b.put("model", r.model());
        }
        List<Message> messages = r.messages();
        int first = 0;
        Role lead = messages.get(0).role();
        if ((lead == Role.SYSTEM || lead == Role.DEVELOPER) && messages.get(0).isTextOnly()) {
            b.put("instructions", messages.get(0).text());
            first = 1;
        }
        b.put("input", input(dialect, messages.subList(first, messages.size())));
        if (r.temperature() != null) {
            b.put("temperature", r.temperature());
        }
        if (r.topP() != null) {
            b.put("top_p", r.topP());
        }
        if (r.maxTokens() != null) {
            b.put("max_output_tokens", r.maxTokens());
        }
        if (!r.tools().isEmpty()) {
            JsonArray.Builder tools = JsonArray.newBuilder();
            r.tools().forEach(t -> tools.add(tool(t)));
            b.put("tools", tools.build());
        }
        if (r.toolChoice() != null) {
            b.put("tool_choice", toolChoice(r.toolChoice()));
        }
        if (r.responseFormat() != null) {
            b.put("text", JsonObject.of("format", format(r.responseFormat())));
        }
        if (r.user() != null) {
            b.put("user", r.user());
        }
        if (stream) {
            b.put("stream", true);
        }
        JsonObject extra = r.extra();
        for (Map.Entry<String, JsonValue> e : extra.members().entrySet()) {
            if (e.getKey().equals("reasoning_effort") && !extra.has("reasoning")) {
                b.put("reasoning", JsonObject.of("effort", e.getValue()));
            } else if (!e.getKey().equals("reasoning_effort")) {
                b.put(e.getKey(), e.getValue());
            }
        }
        if (extra.get("store").orElse(null) instanceof JsonBoolean store && !store.value() && !extra.has("include")) {
            b.put("include", JsonArray.of(JsonString.of("reasoning.encrypted_content")));
        }
        return b.build();
    }

    /** {@return the input items for {@code messages}} */
    static JsonArray input(Dialect dialect, List<Message> messages) {
        JsonArray.Builder items = JsonArray.newBuilder();
        for (Message m : messages) {
            switch (m.role()) {
                case ASSISTANT -> {
                    for (ReasoningBlock block : m.reasoning()) {
                        JsonObject item = reasoningItem(block);
                        if (item != null) {
                            items.add(item);
                        }
                    }
                    if (!m.content().isEmpty()) {
                        items.add(JsonObject.newBuilder().put("role", "assistant").put("content", m.text()).build());
                    }
                    for (ToolCall c : m.toolCalls()) {
                        items.add(JsonObject.newBuilder()
                                .put("type", "function_call")
                                .put("call_id", c.id())
                                .put("name", c.name())
                                .put("arguments", c.arguments())
                                .build());
                    }
                }
                case TOOL -> items.add(JsonObject.newBuilder()
                        .put("type", "function_call_output")
                        .put("call_id", m.toolCallId())
                        .put("output", m.text())
                        .build());
                default -> items.add(JsonObject.newBuilder()
                        .put("role", m.role() == Role.DEVELOPER && dialect.developerAsSystem ? "system" : m.role().wireName())
                        .put("content", m.isTextOnly() ? JsonString.of(m.text()) : parts(m.content()))
                        .build());
            }
        }
        return items.build();
    }

    /**
     * {@return the Responses reasoning item a block carries, or null when it carries none}: the
     * block's signature, when it is the JSON of an object of type {@code reasoning}
     */
    static JsonObject reasoningItem(ReasoningBlock block) {
        String s = block.signature();
        if (s == null || !s.startsWith("{")) {
            return null;
        }
        try {
            return Json.parse(s) instanceof JsonObject o && "reasoning".equals(o.get("type")
                    .filter(JsonString.class::isInstance).map(v -> ((JsonString) v).value()).orElse(null)) ? o : null;
        } catch (JsonException e) {
            return null;
        }
    }

    private static JsonArray parts(List<ContentPart> content) {
        JsonArray.Builder parts = JsonArray.newBuilder();
        for (ContentPart p : content) {
            switch (p) {
                case ContentPart.Text t -> parts.add(JsonObject.newBuilder()
                        .put("type", "input_text").put("text", t.text()).build());
                case ContentPart.Image img -> parts.add(JsonObject.newBuilder()
                        .put("type", "input_image").put("image_url", img.asUrl()).build());
            }
        }
        return parts.build();
    }

    private static JsonObject tool(Tool t) {
        JsonObject.Builder f = JsonObject.newBuilder().put("type", "function").put("name", t.name());
        if (t.description() != null) {
            f.put("description", t.description());
        }
        f.put("parameters", t.parameters());
        f.put("strict", t.strict());
        return f.build();
    }

    private static JsonValue toolChoice(ToolChoice c) {
        return switch (c.mode()) {
            case AUTO -> JsonString.of("auto");
            case NONE -> JsonString.of("none");
            case REQUIRED -> JsonString.of("required");
            case TOOL -> JsonObject.newBuilder().put("type", "function").put("name", c.toolName()).build();
        };
    }

    private static JsonObject format(ResponseFormat f) {
        return switch (f.type()) {
            case TEXT -> JsonObject.of("type", JsonString.of("text"));
            case JSON_OBJECT -> JsonObject.of("type", JsonString.of("json_object"));
            case JSON_SCHEMA -> JsonObject.newBuilder()
                    .put("type", "json_schema")
                    .put("name", f.name())
                    .put("schema", f.schema())
                    .put("strict", f.strict())
                    .build();
        };
    }
}
