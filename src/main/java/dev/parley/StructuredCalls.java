package dev.parley;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonParseException;
import dev.parley.json.JsonValue;
import dev.parley.schema.JsonBindException;
import dev.parley.schema.JsonBinder;
import dev.parley.schema.JsonSchema;

/**
 * Structured calls: the request with the type's schema as its response format, the answer
 * parsed and bound, and the repair turns that send a binding error back to the model.
 * Stateless and thread-safe.
 */
final class StructuredCalls {

    private StructuredCalls() {
    }

    /**
     * {@return the answer to {@code request} as a {@code type}}
     *
     * @param call    sends one request (the {@link Llm}'s policies included)
     * @param request the request; its response format is replaced
     * @param type    a record
     * @param options repairs, name and call options
     */
    static <T> Structured<T> chat(Function<ChatRequest, ChatResponse> call, ChatRequest request, Class<T> type,
                                  StructuredOptions options) {
        ChatRequest r = withSchema(request, type, options);
        for (int attempt = 1; ; attempt++) {
            ChatResponse response = call.apply(r);
            try {
                return new Structured<>(bind(response, type, attempt), response, attempt);
            } catch (StructuredOutputException e) {
                boolean repairable = e.getCause() != null;
                if (!repairable || attempt > options.repairs()) {
                    throw e;
                }
                List<Message> messages = new ArrayList<>(r.messages());
                messages.add(Message.assistant(response.text()));
                messages.add(Message.user(repairPrompt(e)));
                r = r.toBuilder().messages(messages).build();
            }
        }
    }

    /** {@return {@code request} asking for JSON that follows the schema of {@code type}} */
    static ChatRequest withSchema(ChatRequest request, Class<?> type, StructuredOptions options) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(type, "type");
        if (!type.isRecord()) {
            throw new IllegalArgumentException("type: a structured answer must be a record (providers want a JSON"
                    + " object at the top); wrap a list, an enum or a sealed interface in a record, got "
                    + type.getName());
        }
        String name = options.name() != null ? options.name() : name(type);
        JsonObject schema = JsonSchema.of(type);
        return request.toBuilder().responseFormat(ResponseFormat.jsonSchema(name, schema)).build();
    }

    /** The type's simple name, with other characters than letters, digits, '_' and '-' replaced by '_'. */
    private static String name(Class<?> type) {
        String simple = type.getSimpleName().replaceAll("[^A-Za-z0-9_-]", "_");
        return simple.length() > 64 ? simple.substring(0, 64) : simple;
    }

    /**
     * {@return the answer of {@code response} as a {@code type}}
     *
     * @throws StructuredOutputException if the answer was refused, cut off, is not JSON or does not
     *         fit; with a cause (a parse or bind error) exactly when a repair turn may help
     */
    static <T> T bind(ChatResponse response, Class<T> type, int attempts) {
        String text = response.text();
        if (response.refusal() != null) {
            throw new StructuredOutputException(text, "$", "the model refused: " + response.refusal(), attempts, null);
        }
        if (text.isBlank() && !response.toolCalls().isEmpty()) {
            throw new StructuredOutputException(text, "$", "the model called the tool "
                    + response.toolCalls().get(0).name() + " instead of answering; send the tool results and ask"
                    + " again", attempts, null);
        }
        JsonValue json;
        try {
            json = parse(text);
        } catch (JsonParseException e) {
            if (response.finishReason() == FinishReason.LENGTH) {
                throw new StructuredOutputException(text, "$", "the answer was cut off at the token limit;"
                        + " raise maxTokens", attempts, null);
            }
            String reason = text.isBlank() ? "the answer is empty; expected a JSON object"
                    : "the answer is not JSON: " + e.reason() + " at line " + e.line() + ", column " + e.column();
            throw new StructuredOutputException(text, "$", reason, attempts, e);
        }
        try {
            return JsonBinder.bind(json, type);
        } catch (JsonBindException e) {
            throw new StructuredOutputException(text, e.path(), e.reason(), attempts, e);
        }
    }

    /**
     * {@return the JSON of an answer} Servers that follow the schema send JSON alone; models that
     * only read it in the prompt sometimes wrap it in a Markdown code fence or a sentence, so the
     * text from the first '{' to the last '}' is tried when the whole is not JSON.
     */
    static JsonValue parse(String text) {
        try {
            return Json.parse(text);
        } catch (JsonParseException e) {
            int open = text.indexOf('{');
            int close = text.lastIndexOf('}');
            if (open < 0 || close <= open || (open == 0 && close == text.length() - 1)) {
                throw e;
            }
            try {
                return Json.parse(text.substring(open, close + 1));
            } catch (JsonParseException inner) {
                throw e;
            }
        }
    }

    /** {@return the user message of a repair turn} */
    static String repairPrompt(StructuredOutputException e) {
        return "Your answer does not fit the required JSON schema: " + e.path() + ": " + e.reason()
                + ". Answer again with the corrected JSON object only.";
    }
}
