package dev.parley.provider.openai;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.parley.ChatRequest;
import dev.parley.ContentPart;
import dev.parley.Message;
import dev.parley.ResponseFormat;
import dev.parley.Role;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Writes request bodies for {@code POST /chat/completions} and {@code POST /embeddings}.
 *
 * <p>Fields are written in the order of the OpenAI reference; fields the request leaves unset
 * are not written; the request's {@code extra} fields are merged last and may replace any of
 * them. Stateless and thread-safe.
 */
final class ChatEncoder {

    private ChatEncoder() {
    }

    /**
     * {@return the body of a chat completion request}
     *
     * @param dialect the server family
     * @param r       the request
     * @param stream  whether to ask for a stream, with usage on its last chunk
     */
    static JsonObject chat(Dialect dialect, ChatRequest r, boolean stream) {
        JsonObject.Builder b = JsonObject.newBuilder();
        if (r.model() != null) {
            b.put("model", r.model());
        }
        boolean schemaInPrompt = dialect.schemaInPrompt() && r.responseFormat() != null
                && r.responseFormat().type() == ResponseFormat.Type.JSON_SCHEMA;
        JsonArray messages = messages(dialect, r.messages());
        if (schemaInPrompt) {
            JsonArray.Builder withSchema = JsonArray.newBuilder().add(JsonObject.newBuilder().put("role", "system")
                    .put("content", schemaMessage(r.responseFormat())).build());
            messages.values().forEach(withSchema::add);
            messages = withSchema.build();
        }
        b.put("messages", messages);
        if (r.temperature() != null) {
            b.put("temperature", r.temperature());
        }
        if (r.topP() != null) {
            b.put("top_p", r.topP());
        }
        if (r.maxTokens() != null) {
            boolean completion = dialect.completionTokensRule && usesMaxCompletionTokens(r.model());
            b.put(completion ? "max_completion_tokens" : "max_tokens", r.maxTokens());
        }
        if (!r.stop().isEmpty()) {
            b.put("stop", JsonArray.ofStrings(r.stop()));
        }
        if (r.seed() != null) {
            b.put("seed", r.seed());
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
            b.put("response_format", schemaInPrompt ? JsonObject.of("type", JsonString.of("json_object"))
                    : responseFormat(r.responseFormat()));
        }
        if (r.user() != null) {
            b.put("user", r.user());
        }
        if (stream) {
            b.put("stream", true);
            b.put("stream_options", JsonObject.newBuilder().put("include_usage", true).build());
        }
        merge(b, r.extra());
        return b.build();
    }

    /**
     * {@return whether {@code model} is one of OpenAI's reasoning families, which refuse
     * {@code max_tokens} and take {@code max_completion_tokens} instead}: names starting with
     * {@code o} and a digit ({@code o1}, {@code o3-mini}, {@code o4-mini} ...) or with
     * {@code gpt-5}, after an optional {@code ft:} fine-tune prefix, in any case. Other models
     * keep {@code max_tokens}, which every OpenAI-compatible server understands.
     *
     * @param model the model name, or null (no rule applies)
     */
    static boolean usesMaxCompletionTokens(String model) {
        if (model == null) {
            return false;
        }
        String m = model.toLowerCase(Locale.ROOT);
        if (m.startsWith("ft:")) {
            m = m.substring(3);
        }
        return m.length() >= 2 && m.charAt(0) == 'o' && Character.isDigit(m.charAt(1)) || m.startsWith("gpt-5");
    }

    static void merge(JsonObject.Builder b, JsonObject extra) {
        for (Map.Entry<String, JsonValue> e : extra.members().entrySet()) {
            b.put(e.getKey(), e.getValue());
        }
    }

    static JsonArray messages(Dialect dialect, List<Message> messages) {
        boolean[] reasoning = dialect.reasoningRoundTrip ? reasoningToSend(messages) : new boolean[messages.size()];
        JsonArray.Builder out = JsonArray.newBuilder();
        for (int i = 0; i < messages.size(); i++) {
            out.add(message(dialect, messages.get(i), reasoning[i]));
        }
        return out.build();
    }

    /**
     * Marks the assistant messages whose reasoning DeepSeek must see again. DeepSeek's thinking
     * mode guide: between two user messages, if the model called tools, the reasoning of the
     * assistant messages in between must be passed back in every later request (a 400 error
     * otherwise); if it called none, passed-back reasoning is ignored. So reasoning is sent for
     * every assistant message of a user turn that holds a tool call and some reasoning (an
     * assistant message of such a turn without reasoning sends ""), and for no other message:
     * older DeepSeek reasoner models refused {@code reasoning_content} in input, and elsewhere it
     * would be ignored anyway.
     */
    private static boolean[] reasoningToSend(List<Message> messages) {
        boolean[] send = new boolean[messages.size()];
        int start = 0;
        for (int i = 0; i <= messages.size(); i++) {
            if (i < messages.size() && messages.get(i).role() != Role.USER) {
                continue;
            }
            boolean tools = false;
            boolean thought = false;
            for (int j = start; j < i; j++) {
                Message m = messages.get(j);
                if (m.role() == Role.ASSISTANT) {
                    tools |= !m.toolCalls().isEmpty();
                    thought |= !m.reasoning().isEmpty();
                }
            }
            for (int j = start; j < i; j++) {
                send[j] = tools && thought && messages.get(j).role() == Role.ASSISTANT;
            }
            start = i + 1;
        }
        return send;
    }

    private static JsonObject message(Dialect dialect, Message m, boolean sendReasoning) {
        JsonObject.Builder b = JsonObject.newBuilder();
        Role role = m.role() == Role.DEVELOPER && dialect.developerAsSystem ? Role.SYSTEM : m.role();
        b.put("role", role.wireName());
        if (m.role() == Role.ASSISTANT && !m.toolCalls().isEmpty() && m.content().isEmpty()) {
            b.put("content", JsonNull.INSTANCE);
        } else if (m.isTextOnly()) {
            b.put("content", m.text());
        } else {
            b.put("content", parts(m.content()));
        }
        if (m.name() != null) {
            b.put("name", m.name());
        }
        if (sendReasoning) {
            b.put("reasoning_content", m.reasoningText());
        }
        if (!m.toolCalls().isEmpty()) {
            JsonArray.Builder calls = JsonArray.newBuilder();
            for (ToolCall c : m.toolCalls()) {
                calls.add(JsonObject.newBuilder()
                        .put("id", c.id())
                        .put("type", "function")
                        .put("function", JsonObject.newBuilder()
                                .put("name", c.name())
                                .put("arguments", c.arguments())
                                .build())
                        .build());
            }
            b.put("tool_calls", calls.build());
        }
        if (m.toolCallId() != null) {
            b.put("tool_call_id", m.toolCallId());
        }
        return b.build();
    }

    private static JsonArray parts(List<ContentPart> content) {
        JsonArray.Builder parts = JsonArray.newBuilder();
        for (ContentPart p : content) {
            switch (p) {
                case ContentPart.Text t -> parts.add(JsonObject.newBuilder()
                        .put("type", "text").put("text", t.text()).build());
                case ContentPart.Image img -> parts.add(JsonObject.newBuilder()
                        .put("type", "image_url")
                        .put("image_url", JsonObject.of("url", JsonString.of(img.asUrl())))
                        .build());
            }
        }
        return parts.build();
    }

    private static JsonObject tool(Tool t) {
        JsonObject.Builder f = JsonObject.newBuilder().put("name", t.name());
        if (t.description() != null) {
            f.put("description", t.description());
        }
        f.put("parameters", t.parameters());
        if (t.strict()) {
            f.put("strict", true);
        }
        return JsonObject.newBuilder().put("type", "function").put("function", f.build()).build();
    }

    private static JsonValue toolChoice(ToolChoice c) {
        return switch (c.mode()) {
            case AUTO -> JsonString.of("auto");
            case NONE -> JsonString.of("none");
            case REQUIRED -> JsonString.of("required");
            case TOOL -> JsonObject.newBuilder()
                    .put("type", "function")
                    .put("function", JsonObject.newBuilder().put("name", c.toolName()).build())
                    .build();
        };
    }

    /**
     * {@return the system message that carries a schema to a server without {@code json_schema}}
     * It says "JSON", which DeepSeek's JSON mode requires the prompt to say.
     */
    static String schemaMessage(ResponseFormat f) {
        return "Answer with one JSON object and nothing else. The object must follow this JSON Schema (named "
                + f.name() + "):\n" + Json.write(f.schema());
    }

    private static JsonObject responseFormat(ResponseFormat f) {
        return switch (f.type()) {
            case TEXT -> JsonObject.newBuilder().put("type", "text").build();
            case JSON_OBJECT -> JsonObject.newBuilder().put("type", "json_object").build();
            case JSON_SCHEMA -> JsonObject.newBuilder()
                    .put("type", "json_schema")
                    .put("json_schema", JsonObject.newBuilder()
                            .put("name", f.name())
                            .put("schema", f.schema())
                            .put("strict", f.strict())
                            .build())
                    .build();
        };
    }
}
