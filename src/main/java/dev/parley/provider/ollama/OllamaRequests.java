package dev.parley.provider.ollama;

import java.util.List;
import java.util.Map;

import dev.parley.ChatRequest;
import dev.parley.ContentPart;
import dev.parley.EmbeddingRequest;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.ResponseFormat;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonException;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Builds the JSON bodies of Ollama's {@code /api/chat} and {@code /api/embed} from Parley's
 * requests, rejecting what Ollama cannot take before anything is sent.
 *
 * <p>Mapping of a chat request: sampling settings go into {@code options} ({@code temperature},
 * {@code top_p}, {@code num_predict} for maxTokens, {@code stop}, {@code seed});
 * {@code format} is {@code "json"} for a JSON object and the schema itself for a JSON schema;
 * tools use the OpenAI function shape. {@code stream} is always written, because Ollama streams
 * unless told not to. {@code extra} is merged last: its members replace Parley's, except that an
 * {@code options} object is merged into the generated one and {@code stream} is always Parley's.
 * Ollama has no {@code tool_choice}: {@code NONE} sends no tools, {@code AUTO} is the default, and
 * {@code REQUIRED} or a named tool is unsupported. The request's {@code user} and message names
 * have no Ollama field and are not sent.
 *
 * <p>Stateless and thread-safe.
 */
final class OllamaRequests {

    private OllamaRequests() {
    }

    /**
     * {@return the body for {@code POST /api/chat}}
     *
     * @param request   the request
     * @param model     the model to use
     * @param stream    whether to ask for a stream
     * @param keepAlive the {@code keep_alive} to send unless {@code extra} has one, or null
     * @param provider  the provider's name, for errors
     * @throws LlmException of kind INVALID_REQUEST or UNSUPPORTED, naming the field, for what Ollama cannot take
     */
    static JsonObject chatBody(ChatRequest request, String model, boolean stream, JsonValue keepAlive, String provider) {
        JsonObject.Builder body = JsonObject.newBuilder()
                .put("model", model)
                .put("messages", messages(request.messages(), provider))
                .put("stream", stream);
        ToolChoice choice = request.toolChoice();
        if (choice != null && (choice.mode() == ToolChoice.Mode.REQUIRED || choice.mode() == ToolChoice.Mode.TOOL)) {
            throw LlmException.newBuilder(LlmException.Kind.UNSUPPORTED).provider(provider)
                    .message("toolChoice: Ollama cannot force a tool call (" + choice.mode()
                            + "); use AUTO, or NONE to send no tools")
                    .build();
        }
        if (!request.tools().isEmpty() && (choice == null || choice.mode() != ToolChoice.Mode.NONE)) {
            JsonArray.Builder tools = JsonArray.newBuilder();
            for (Tool t : request.tools()) {
                JsonObject.Builder fn = JsonObject.newBuilder().put("name", t.name());
                if (t.description() != null) {
                    fn.put("description", t.description());
                }
                fn.put("parameters", t.parameters());
                tools.add(JsonObject.newBuilder().put("type", "function").put("function", fn.build()).build());
            }
            body.put("tools", tools.build());
        }
        ResponseFormat format = request.responseFormat();
        if (format != null && format.type() == ResponseFormat.Type.JSON_OBJECT) {
            body.put("format", "json");
        } else if (format != null && format.type() == ResponseFormat.Type.JSON_SCHEMA) {
            body.put("format", format.schema());
        }
        JsonObject.Builder options = JsonObject.newBuilder();
        if (request.temperature() != null) {
            options.put("temperature", request.temperature().doubleValue());
        }
        if (request.topP() != null) {
            options.put("top_p", request.topP().doubleValue());
        }
        if (request.maxTokens() != null) {
            options.put("num_predict", request.maxTokens().longValue());
        }
        if (!request.stop().isEmpty()) {
            options.put("stop", JsonArray.ofStrings(request.stop()));
        }
        if (request.seed() != null) {
            options.put("seed", request.seed().longValue());
        }
        return finish(body, options.build(), keepAlive, request.extra(), stream);
    }

    /**
     * {@return the body for {@code POST /api/embed}}: {@code model}, {@code input} (always an
     * array), {@code dimensions} when set, then {@code extra} (for {@code truncate},
     * {@code options} ...)
     */
    static JsonObject embedBody(EmbeddingRequest request, String model, JsonValue keepAlive) {
        JsonObject.Builder body = JsonObject.newBuilder()
                .put("model", model)
                .put("input", JsonArray.ofStrings(request.inputs()));
        if (request.dimensions() != null) {
            body.put("dimensions", request.dimensions().longValue());
        }
        return finish(body, JsonObject.of(), keepAlive, request.extra(), null);
    }

    private static JsonObject finish(JsonObject.Builder body, JsonObject options, JsonValue keepAlive,
                                     JsonObject extra, Boolean stream) {
        if (!options.isEmpty()) {
            body.put("options", options);
        }
        if (keepAlive != null) {
            body.put("keep_alive", keepAlive);
        }
        for (Map.Entry<String, JsonValue> e : extra.members().entrySet()) {
            if (e.getKey().equals("options") && e.getValue() instanceof JsonObject more) {
                JsonObject.Builder merged = options.toBuilder();
                more.members().forEach(merged::put);
                body.put("options", merged.build());
            } else {
                body.put(e.getKey(), e.getValue());
            }
        }
        if (stream != null) {
            body.put("stream", stream.booleanValue());
        }
        return body.build();
    }

    private static JsonArray messages(List<Message> messages, String provider) {
        JsonArray.Builder out = JsonArray.newBuilder();
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            JsonObject.Builder o = JsonObject.newBuilder()
                    .put("role", switch (m.role()) {
                        case SYSTEM, DEVELOPER -> "system";
                        case USER -> "user";
                        case ASSISTANT -> "assistant";
                        case TOOL -> "tool";
                    })
                    .put("content", m.text());
            JsonArray images = images(m, i, provider);
            if (!images.isEmpty()) {
                o.put("images", images);
            }
            if (!m.reasoning().isEmpty() && !m.reasoningText().isEmpty()) {
                o.put("thinking", m.reasoningText());
            }
            if (!m.toolCalls().isEmpty()) {
                JsonArray.Builder calls = JsonArray.newBuilder();
                for (int j = 0; j < m.toolCalls().size(); j++) {
                    ToolCall c = m.toolCalls().get(j);
                    JsonObject fn = JsonObject.newBuilder()
                            .put("name", c.name())
                            .put("arguments", arguments(c, "messages[" + i + "].toolCalls[" + j + "].arguments", provider))
                            .build();
                    calls.add(JsonObject.newBuilder().put("id", c.id()).put("function", fn).build());
                }
                o.put("tool_calls", calls.build());
            }
            if (m.toolCallId() != null) {
                String toolName = toolNameFor(messages, i, m.toolCallId());
                if (toolName != null) {
                    o.put("tool_name", toolName);
                }
                o.put("tool_call_id", m.toolCallId());
            }
            out.add(o.build());
        }
        return out.build();
    }

    private static JsonArray images(Message m, int i, String provider) {
        JsonArray.Builder images = JsonArray.newBuilder();
        for (int j = 0; j < m.content().size(); j++) {
            if (m.content().get(j) instanceof ContentPart.Image image) {
                images.add(base64Of(image, "messages[" + i + "].content[" + j + "]", provider));
            }
        }
        return images.build();
    }

    /** Ollama takes images as bare base64; a base64 {@code data:} URL is unwrapped, a web URL refused. */
    private static String base64Of(ContentPart.Image image, String field, String provider) {
        if (image.base64() != null) {
            return image.base64();
        }
        String url = image.url();
        int marker = url.indexOf(";base64,");
        if (url.regionMatches(true, 0, "data:", 0, 5) && marker > 0) {
            return url.substring(marker + ";base64,".length());
        }
        throw LlmException.newBuilder(LlmException.Kind.INVALID_REQUEST).provider(provider)
                .message(field + ": Ollama accepts images only as base64 data, not by URL ("
                        + (url.length() > 80 ? url.substring(0, 77) + "..." : url)
                        + "); fetch the image and send it with ContentPart.imageBase64")
                .build();
    }

    /** Ollama wants the arguments as a JSON object, not text. */
    private static JsonObject arguments(ToolCall call, String field, String provider) {
        try {
            return call.argumentsJson();
        } catch (JsonException e) {
            throw LlmException.newBuilder(LlmException.Kind.INVALID_REQUEST).provider(provider)
                    .message(field + ": Ollama needs the arguments as a JSON object (" + e.getMessage() + ")")
                    .cause(e)
                    .build();
        }
    }

    /** The name of the tool whose call {@code id} the tool message at {@code index} answers, or null. */
    private static String toolNameFor(List<Message> messages, int index, String id) {
        for (int i = index - 1; i >= 0; i--) {
            for (ToolCall c : messages.get(i).toolCalls()) {
                if (c.id().equals(id)) {
                    return c.name();
                }
            }
        }
        return null;
    }

    /** {@return the JSON for a {@code keepAlive} option}: a number of seconds, or a duration such as "5m" */
    static JsonValue keepAlive(String option) {
        String v = option.strip();
        return v.matches("-?(0|[1-9]\\d{0,17})") ? JsonNumber.parse(v) : JsonString.of(v);
    }
}
