package dev.parley.provider.gemini;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.parley.ChatRequest;
import dev.parley.ContentPart;
import dev.parley.EmbeddingRequest;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.ResponseFormat;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Writes Parley requests as Gemini API ({@code generateContent}, {@code batchEmbedContents})
 * request bodies.
 *
 * <ul>
 * <li>System and developer messages, wherever they stand, become {@code systemInstruction}: one
 *     text part each, in order.</li>
 * <li>User messages become {@code user} contents (text parts; images as {@code inlineData},
 *     from base64 data or {@code data:} URLs; Gemini does not fetch images from other URLs, so
 *     those are refused). Assistant messages become {@code model} contents.</li>
 * <li>Tool calls become {@code functionCall} parts with their arguments object. Consecutive tool
 *     results become one {@code user} content of {@code functionResponse} parts, in order, each
 *     named after the call it answers (Gemini matches results by name and position, and
 *     usually gives calls no id, so none is sent). A result that is a JSON object is sent as
 *     it is; any other text as {@code {"output": text}}, the key Gemini documents.</li>
 * <li>Thought signatures: the signed {@link ReasoningBlock}s of an assistant message go back on
 *     the parts Gemini puts them on: the first to the first {@code functionCall} part, the
 *     next to the next call (sequential steps in one message); with no calls, to the last text
 *     part. Reasoning without a signature (thought summaries, or another provider's reasoning)
 *     is not sent: Gemini cannot use it.</li>
 * <li>Tools become one {@code functionDeclarations} tool, with the JSON Schema as
 *     {@code parametersJsonSchema}; {@link ToolChoice} becomes
 *     {@code toolConfig.functionCallingConfig} ({@code AUTO}, {@code NONE}, {@code ANY}, or
 *     {@code ANY} with {@code allowedFunctionNames}).</li>
 * <li>{@code generationConfig}: temperature, topP, maxOutputTokens, stopSequences, seed, and for a
 *     JSON response format {@code responseMimeType: application/json} with, for a schema,
 *     {@code responseJsonSchema}.</li>
 * <li>{@code extra} is merged last and may replace any field; an {@code extra} member
 *     {@code generationConfig} is merged into Parley's (so that, for example,
 *     {@code thinkingConfig} can be set without repeating the rest). Not sent:
 *     {@link ChatRequest#user()}, {@link Message#name()}, {@link Tool#strict()}.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class GeminiEncoder {

    /** The key Gemini documents for a function's output in {@code functionResponse.response}. */
    static final String OUTPUT_KEY = "output";

    private GeminiEncoder() {
    }

    /**
     * {@return the {@code generateContent} request body}
     *
     * @param provider the provider's name, for errors
     * @param request  the request
     * @throws LlmException of kind UNSUPPORTED or INVALID_REQUEST for what the API cannot take
     */
    static JsonObject chat(String provider, ChatRequest request) {
        if (request.toolChoice() != null && request.tools().isEmpty()
                && request.toolChoice().mode() != ToolChoice.Mode.NONE && request.toolChoice().mode() != ToolChoice.Mode.AUTO) {
            throw invalid(provider, "toolChoice: " + request.toolChoice().mode() + " needs at least one tool in the request");
        }
        JsonObject.Builder body = JsonObject.newBuilder();
        List<JsonValue> system = new ArrayList<>();
        JsonArray contents = contents(provider, request.messages(), system);
        body.put("contents", contents);
        if (!system.isEmpty()) {
            body.put("systemInstruction", JsonObject.of("parts", JsonArray.of(system)));
        }
        if (!request.tools().isEmpty()) {
            JsonArray.Builder declarations = JsonArray.newBuilder();
            for (Tool t : request.tools()) {
                JsonObject.Builder d = JsonObject.newBuilder().put("name", t.name());
                if (t.description() != null) {
                    d.put("description", t.description());
                }
                declarations.add(d.put("parametersJsonSchema", t.parameters()).build());
            }
            body.put("tools", JsonArray.of(JsonObject.of("functionDeclarations", declarations.build())));
            if (request.toolChoice() != null) {
                body.put("toolConfig", JsonObject.of("functionCallingConfig", callingConfig(request.toolChoice())));
            }
        }
        JsonObject.Builder generation = generationConfig(request);
        JsonValue extraGeneration = request.extra().get("generationConfig").orElse(null);
        if (extraGeneration instanceof JsonObject g) {
            g.members().forEach(generation::put);
        }
        JsonObject config = generation.build();
        if (!config.isEmpty()) {
            body.put("generationConfig", config);
        }
        request.extra().members().forEach((name, value) -> {
            if (!(name.equals("generationConfig") && value instanceof JsonObject)) {
                body.put(name, value);
            }
        });
        return body.build();
    }

    private static JsonObject callingConfig(ToolChoice choice) {
        return switch (choice.mode()) {
            case AUTO -> JsonObject.of("mode", JsonString.of("AUTO"));
            case NONE -> JsonObject.of("mode", JsonString.of("NONE"));
            case REQUIRED -> JsonObject.of("mode", JsonString.of("ANY"));
            case TOOL -> JsonObject.of("mode", JsonString.of("ANY"),
                    "allowedFunctionNames", JsonArray.ofStrings(List.of(choice.toolName())));
        };
    }

    private static JsonObject.Builder generationConfig(ChatRequest request) {
        JsonObject.Builder g = JsonObject.newBuilder();
        if (request.temperature() != null) {
            g.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            g.put("topP", request.topP());
        }
        if (request.maxTokens() != null) {
            g.put("maxOutputTokens", request.maxTokens());
        }
        if (!request.stop().isEmpty()) {
            g.put("stopSequences", JsonArray.ofStrings(request.stop()));
        }
        if (request.seed() != null) {
            g.put("seed", request.seed());
        }
        ResponseFormat format = request.responseFormat();
        if (format != null && format.type() != ResponseFormat.Type.TEXT) {
            g.put("responseMimeType", "application/json");
            if (format.type() == ResponseFormat.Type.JSON_SCHEMA) {
                g.put("responseJsonSchema", format.schema());
            }
        }
        return g;
    }

    private static JsonArray contents(String provider, List<Message> messages, List<JsonValue> system) {
        List<JsonValue> out = new ArrayList<>();
        Map<String, String> callNames = new HashMap<>();
        List<JsonValue> results = null;
        for (Message m : messages) {
            if (m.role() != dev.parley.Role.TOOL && results != null) {
                out.add(content("user", results));
                results = null;
            }
            switch (m.role()) {
                case SYSTEM, DEVELOPER -> {
                    if (!m.text().isEmpty()) {
                        system.add(text(m.text()));
                    }
                }
                case USER -> {
                    List<JsonValue> parts = parts(provider, m.content());
                    if (parts.isEmpty()) {
                        parts.add(text(""));
                    }
                    out.add(content("user", parts));
                }
                case ASSISTANT -> {
                    for (ToolCall call : m.toolCalls()) {
                        callNames.put(call.id(), call.name());
                    }
                    out.add(content("model", model(provider, m)));
                }
                case TOOL -> {
                    String name = callNames.get(m.toolCallId());
                    if (name == null) {
                        throw invalid(provider, "a tool result answers call " + m.toolCallId()
                                + ", which no earlier assistant message made; Gemini needs the function's name,"
                                + " taken from that call");
                    }
                    if (results == null) {
                        results = new ArrayList<>();
                    }
                    results.add(JsonObject.of("functionResponse", JsonObject.of("name", JsonString.of(name),
                            "response", response(m.text()))));
                }
            }
        }
        if (results != null) {
            out.add(content("user", results));
        }
        if (out.isEmpty()) {
            throw invalid(provider, "messages: Gemini needs at least one user or assistant message besides the"
                    + " system instruction");
        }
        return JsonArray.of(out);
    }

    /** {@return a tool's result as the object {@code functionResponse.response} must be} */
    static JsonObject response(String result) {
        try {
            if (Json.parse(result) instanceof JsonObject o) {
                return o;
            }
        } catch (JsonException notJson) {
            // plain text
        }
        return JsonObject.of(OUTPUT_KEY, JsonString.of(result));
    }

    private static List<JsonValue> model(String provider, Message m) {
        List<String> signatures = new ArrayList<>();
        for (ReasoningBlock r : m.reasoning()) {
            if (r.signature() != null && !r.redacted()) {
                signatures.add(r.signature());
            }
        }
        List<JsonValue> parts = parts(provider, m.content());
        List<JsonValue> calls = new ArrayList<>();
        for (ToolCall call : m.toolCalls()) {
            JsonObject args;
            try {
                args = call.argumentsJson();
            } catch (JsonException e) {
                throw invalid(provider, "tool call " + call.id() + " (" + call.name()
                        + "): its arguments are not a JSON object, which Gemini requires as the functionCall args ("
                        + e.getMessage() + ")");
            }
            calls.add(JsonObject.of("functionCall", JsonObject.of("name", JsonString.of(call.name()), "args", args)));
        }
        int next = 0;
        for (int i = 0; i < calls.size() && next < signatures.size(); i++, next++) {
            calls.set(i, signed((JsonObject) calls.get(i), signatures.get(next)));
        }
        if (next < signatures.size() && calls.isEmpty()) {
            if (parts.isEmpty()) {
                parts.add(text(""));
            }
            int last = parts.size() - 1;
            parts.set(last, signed((JsonObject) parts.get(last), signatures.get(next)));
        }
        parts.addAll(calls);
        if (parts.isEmpty()) {
            parts.add(text(""));
        }
        return parts;
    }

    private static JsonObject signed(JsonObject part, String signature) {
        return part.toBuilder().put("thoughtSignature", signature).build();
    }

    private static List<JsonValue> parts(String provider, List<ContentPart> content) {
        List<JsonValue> parts = new ArrayList<>();
        for (ContentPart part : content) {
            switch (part) {
                case ContentPart.Text t -> {
                    if (!t.text().isEmpty()) {
                        parts.add(text(t.text()));
                    }
                }
                case ContentPart.Image i -> parts.add(image(provider, i));
            }
        }
        return parts;
    }

    private static JsonObject image(String provider, ContentPart.Image image) {
        String url = image.url();
        if (url == null) {
            return inline(image.mediaType(), image.base64());
        }
        int comma = url.indexOf(',');
        int semicolon = url.indexOf(';');
        if (url.regionMatches(true, 0, "data:", 0, 5) && comma > 0 && semicolon > 5
                && url.substring(0, comma).endsWith(";base64")) {
            return inline(url.substring(5, semicolon), url.substring(comma + 1));
        }
        throw LlmException.newBuilder(LlmException.Kind.UNSUPPORTED).provider(provider)
                .message("Gemini does not fetch images from URLs; give the image as base64 data"
                        + " (ContentPart.imageBase64) or as a data: URL")
                .build();
    }

    private static JsonObject inline(String mediaType, String data) {
        return JsonObject.of("inlineData", JsonObject.of("mimeType", JsonString.of(mediaType), "data", JsonString.of(data)));
    }

    private static JsonObject text(String text) {
        return JsonObject.of("text", JsonString.of(text));
    }

    private static JsonObject content(String role, List<JsonValue> parts) {
        return JsonObject.of("role", JsonString.of(role), "parts", JsonArray.of(parts));
    }

    /**
     * {@return the {@code batchEmbedContents} request body}: one request per input, each naming
     * the model, with {@code outputDimensionality} when dimensions are set; {@code extra} members
     * are added to each request (for example {@code taskType})
     *
     * @param model   the model path, such as {@code models/gemini-embedding-001}
     * @param request the request
     */
    static JsonObject embeddings(String model, EmbeddingRequest request) {
        JsonArray.Builder requests = JsonArray.newBuilder();
        for (String input : request.inputs()) {
            JsonObject.Builder r = JsonObject.newBuilder().put("model", model)
                    .put("content", JsonObject.of("parts", JsonArray.of(text(input))));
            if (request.dimensions() != null) {
                r.put("outputDimensionality", request.dimensions());
            }
            request.extra().members().forEach(r::put);
            requests.add(r.build());
        }
        return JsonObject.of("requests", requests.build());
    }

    private static LlmException invalid(String provider, String message) {
        return LlmException.newBuilder(LlmException.Kind.INVALID_REQUEST).provider(provider).message(message).build();
    }
}
