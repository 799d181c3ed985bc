package dev.parley.gateway;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import dev.parley.ChatResponse;
import dev.parley.Embedding;
import dev.parley.EmbeddingResponse;
import dev.parley.FinishReason;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Writes Parley's results in OpenAI's response shapes: {@code chat.completion}, usage objects,
 * finish reasons, embedding lists. The streaming shapes are in {@link ChunkTranslator}.
 * Stateless and thread-safe.
 */
final class OpenAiWire {

    private static final Set<String> OPENAI_FINISH = Set.of("stop", "length", "tool_calls", "content_filter", "function_call");
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    /** Made on first use, not when the class loads. */
    private static final class Random {
        static final SecureRandom INSTANCE = new SecureRandom();
    }

    private OpenAiWire() {
    }

    /** {@return a new id such as {@code chatcmpl-} followed by 24 random letters and digits} */
    static String newId(String prefix) {
        char[] c = new char[24];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[Random.INSTANCE.nextInt(ALPHABET.length)];
        }
        return prefix + new String(c);
    }

    /**
     * {@return OpenAI's word for why the model stopped}: the provider's own word when it is one
     * of OpenAI's, else the normalized reason mapped back; reasons OpenAI has no word for
     * (ERROR, OTHER) pass the provider's word through, as OpenAI-compatible servers do, and
     * "stop" when there is none
     */
    static String finishReason(FinishReason reason, String raw, boolean toolCalls) {
        if (raw != null && OPENAI_FINISH.contains(raw)) {
            return raw;
        }
        if (reason == null) {
            return toolCalls ? "tool_calls" : "stop";
        }
        return switch (reason) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case TOOL_CALLS -> "tool_calls";
            case CONTENT_FILTER -> "content_filter";
            case ERROR, OTHER -> raw != null ? raw : "stop";
        };
    }

    /** {@return the usage object, with cached and reasoning token details} */
    static JsonObject usage(Usage u) {
        long total = u.totalTokens() > 0 ? u.totalTokens() : u.inputTokens() + u.outputTokens();
        return JsonObject.newBuilder()
                .put("prompt_tokens", u.inputTokens())
                .put("completion_tokens", u.outputTokens())
                .put("total_tokens", total)
                .put("prompt_tokens_details", JsonObject.of("cached_tokens", JsonNumber.of(u.cachedInputTokens())))
                .put("completion_tokens_details", JsonObject.of("reasoning_tokens", JsonNumber.of(u.reasoningTokens())))
                .build();
    }

    /** {@return the tool calls as OpenAI's {@code tool_calls} array} */
    static JsonArray toolCalls(List<ToolCall> calls) {
        JsonArray.Builder a = JsonArray.newBuilder();
        for (ToolCall c : calls) {
            a.add(JsonObject.newBuilder()
                    .put("id", c.id())
                    .put("type", "function")
                    .put("function", JsonObject.of("name", JsonString.of(c.name()), "arguments", JsonString.of(c.arguments())))
                    .build());
        }
        return a.build();
    }

    /** {@return a {@code chat.completion} object for {@code r}} */
    static JsonObject completion(String id, long created, String model, ChatResponse r) {
        boolean hasCalls = !r.toolCalls().isEmpty();
        JsonValue content = r.text().isEmpty() && (hasCalls || r.refusal() != null) ? JsonNull.INSTANCE : JsonString.of(r.text());
        JsonObject.Builder message = JsonObject.newBuilder()
                .put("role", "assistant")
                .put("content", content);
        if (!r.reasoningText().isEmpty()) {
            message.put("reasoning_content", r.reasoningText());
        }
        if (hasCalls) {
            message.put("tool_calls", toolCalls(r.toolCalls()));
        }
        message.put("refusal", r.refusal() == null ? JsonNull.INSTANCE : JsonString.of(r.refusal()));
        JsonObject choice = JsonObject.newBuilder()
                .put("index", 0)
                .put("message", message.build())
                .put("logprobs", JsonNull.INSTANCE)
                .put("finish_reason", finishReason(r.finishReason(), r.rawFinishReason(), hasCalls))
                .build();
        return JsonObject.newBuilder()
                .put("id", id)
                .put("object", "chat.completion")
                .put("created", created)
                .put("model", model)
                .put("choices", JsonArray.of(choice))
                .put("usage", usage(r.usage()))
                .build();
    }

    /**
     * {@return an embeddings list}
     *
     * @param base64 whether to write each vector as base64 of little-endian float32s, as
     *               {@code encoding_format: "base64"} asks, instead of an array of numbers
     */
    static JsonObject embeddings(String model, EmbeddingResponse r, boolean base64) {
        JsonArray.Builder data = JsonArray.newBuilder();
        for (Embedding e : r.embeddings()) {
            data.add(JsonObject.newBuilder()
                    .put("object", "embedding")
                    .put("index", e.index())
                    .put("embedding", base64 ? JsonString.of(base64(e.vector())) : floats(e.vector()))
                    .build());
        }
        Usage u = r.usage();
        long total = u.totalTokens() > 0 ? u.totalTokens() : u.inputTokens();
        return JsonObject.newBuilder()
                .put("object", "list")
                .put("data", data.build())
                .put("model", model)
                .put("usage", JsonObject.of("prompt_tokens", JsonNumber.of(u.inputTokens()), "total_tokens", JsonNumber.of(total)))
                .build();
    }

    /** {@return the vector as base64 of its little-endian float32 bytes} */
    static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    /** {@return the vector as JSON numbers, each written as its shortest float text} */
    static JsonArray floats(float[] v) {
        JsonArray.Builder a = JsonArray.newBuilder();
        for (float f : v) {
            a.add(Float.isFinite(f) ? JsonNumber.parse(Float.toString(f)) : JsonNumber.of(0));
        }
        return a.build();
    }
}
