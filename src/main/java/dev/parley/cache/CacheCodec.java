package dev.parley.cache;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import dev.parley.ChatResponse;
import dev.parley.Embedding;
import dev.parley.EmbeddingResponse;
import dev.parley.FinishReason;
import dev.parley.ReasoningBlock;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Writes responses as the JSON a {@link CacheEntry} holds, and reads them back.
 *
 * <p>A chat response keeps everything but its HTTP headers: the provider's raw body is kept
 * whole under {@code "raw"}. Embedding vectors are written as base64 of little-endian 32-bit
 * floats, which is exact and about a third of the size of decimal text. Every document names its
 * {@code "type"}, so an entry of one kind is never read as the other.
 */
final class CacheCodec {

    private CacheCodec() {
    }

    static byte[] writeChat(ChatResponse r) {
        JsonArray.Builder calls = JsonArray.newBuilder();
        for (ToolCall c : r.toolCalls()) {
            calls.add(JsonObject.newBuilder()
                    .put("id", c.id()).put("name", c.name()).put("arguments", c.arguments()).build());
        }
        return Json.writeBytes(JsonObject.newBuilder()
                .put("type", "chat")
                .put("id", CacheKey.str(r.id()))
                .put("model", CacheKey.str(r.model()))
                .put("provider", r.provider())
                .put("text", r.text())
                .put("reasoning", CacheKey.reasoning(r.reasoning()))
                .put("toolCalls", calls.build())
                .put("finishReason", r.finishReason() == null ? JsonNull.INSTANCE : JsonString.of(r.finishReason().name()))
                .put("rawFinishReason", CacheKey.str(r.rawFinishReason()))
                .put("refusal", CacheKey.str(r.refusal()))
                .put("usage", usage(r.usage()))
                .put("requestId", CacheKey.str(r.requestId()))
                .put("raw", r.raw() == null ? JsonNull.INSTANCE : r.raw())
                .build());
    }

    /**
     * {@return the chat response in {@code json}}
     *
     * @throws RuntimeException (a {@code JsonException} or {@code IllegalArgumentException}) if
     *                          it is not a chat response this codec wrote
     */
    static ChatResponse readChat(byte[] json) {
        JsonObject o = document(json, "chat");
        List<ReasoningBlock> reasoning = new ArrayList<>();
        for (JsonValue v : o.array("reasoning").values()) {
            JsonObject b = (JsonObject) v;
            reasoning.add(new ReasoningBlock(b.string("text"), b.stringOr("signature", null),
                    b.stringOr("redactedData", null)));
        }
        List<ToolCall> calls = new ArrayList<>();
        for (JsonValue v : o.array("toolCalls").values()) {
            JsonObject c = (JsonObject) v;
            calls.add(new ToolCall(c.string("id"), c.string("name"), c.string("arguments")));
        }
        String finish = o.stringOr("finishReason", null);
        return new ChatResponse(o.stringOr("id", null), o.stringOr("model", null), o.string("provider"),
                o.string("text"), reasoning, calls, finish == null ? null : FinishReason.valueOf(finish),
                o.stringOr("rawFinishReason", null), o.stringOr("refusal", null), usage(o.object("usage")),
                o.stringOr("requestId", null), null, o.optObject("raw").orElse(null));
    }

    static byte[] writeEmbedding(EmbeddingResponse r) {
        JsonArray.Builder vectors = JsonArray.newBuilder();
        for (Embedding e : r.embeddings()) {
            ByteBuffer buf = ByteBuffer.allocate(e.vector().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(e.vector());
            vectors.add(JsonObject.of("index", JsonNumber.of(e.index()),
                    "f32", JsonString.of(Base64.getEncoder().encodeToString(buf.array()))));
        }
        return Json.writeBytes(JsonObject.newBuilder()
                .put("type", "embedding")
                .put("model", CacheKey.str(r.model()))
                .put("provider", r.provider())
                .put("embeddings", vectors.build())
                .put("usage", usage(r.usage()))
                .put("requestId", CacheKey.str(r.requestId()))
                .build());
    }

    /** {@return the embedding response in {@code json}} @throws RuntimeException if it is not one */
    static EmbeddingResponse readEmbedding(byte[] json) {
        JsonObject o = document(json, "embedding");
        List<Embedding> embeddings = new ArrayList<>();
        for (JsonValue v : o.array("embeddings").values()) {
            JsonObject e = (JsonObject) v;
            byte[] bytes = Base64.getDecoder().decode(e.string("f32"));
            if (bytes.length % Float.BYTES != 0) {
                throw new IllegalArgumentException("vector bytes not a multiple of 4");
            }
            float[] vector = new float[bytes.length / Float.BYTES];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
            embeddings.add(new Embedding(e.intValue("index"), vector));
        }
        return new EmbeddingResponse(o.stringOr("model", null), o.string("provider"), embeddings,
                usage(o.object("usage")), o.stringOr("requestId", null));
    }

    private static JsonObject document(byte[] json, String type) {
        if (!(Json.parse(json) instanceof JsonObject o)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (!type.equals(o.string("type"))) {
            throw new IllegalArgumentException("not a " + type + " entry");
        }
        return o;
    }

    private static JsonObject usage(Usage u) {
        return JsonObject.newBuilder()
                .put("input", u.inputTokens())
                .put("output", u.outputTokens())
                .put("total", u.totalTokens())
                .put("cachedInput", u.cachedInputTokens())
                .put("cacheWrite", u.cacheWriteTokens())
                .put("reasoning", u.reasoningTokens())
                .build();
    }

    private static Usage usage(JsonObject o) {
        return new Usage(o.longValue("input"), o.longValue("output"), o.longValue("total"),
                o.longValue("cachedInput"), o.longValue("cacheWrite"), o.longValue("reasoning"));
    }
}
