package dev.parley.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import dev.parley.json.JsonArray;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * OpenAI's wire format for {@link FakeLlmServer}: {@code chat.completion} bodies and
 * {@code chat.completion.chunk} streams (role chunk, content deltas, finish chunk, usage chunk
 * with {@code "choices": []} when {@code stream_options.include_usage} is set, {@code [DONE]}),
 * embedding lists (floats, or base64 of little-endian float32s), the models list and error
 * bodies, with the field names and order of the recorded fixtures. Stateless and thread-safe.
 */
final class FakeOpenAi {

    private FakeOpenAi() {
    }

    static FakeResponse chat(JsonObject req, String id, String scripted, int chunks) {
        JsonArray messages = req.optArray("messages").orElse(null);
        if (messages == null || messages.isEmpty()) {
            return error(400, "Missing required parameter: 'messages'.", "messages");
        }
        List<String> prompt = new ArrayList<>();
        String lastUser = null;
        for (JsonValue v : messages.values()) {
            if (v instanceof JsonObject m) {
                String text = text(m.get("content").orElse(JsonNull.INSTANCE));
                prompt.add(text);
                if ("user".equals(m.stringOr("role", ""))) {
                    lastUser = text;
                }
            }
        }
        Integer max = req.optInt("max_completion_tokens").isPresent() ? Integer.valueOf(req.optInt("max_completion_tokens").getAsInt())
                : req.optInt("max_tokens").isPresent() ? Integer.valueOf(req.optInt("max_tokens").getAsInt()) : null;
        FakeAnswer a = FakeAnswer.of(scripted, prompt, lastUser, max);
        String model = req.stringOr("model", "gpt-4o-mini");
        long created = Instant.now().getEpochSecond();
        String finish = a.truncated() ? "length" : "stop";
        if (!req.optBoolean("stream").orElse(false)) {
            JsonObject message = JsonObject.newBuilder().put("role", "assistant").put("content", a.text())
                    .put("refusal", JsonNull.INSTANCE).build();
            return FakeResponse.json(200, JsonObject.newBuilder()
                    .put("id", id).put("object", "chat.completion").put("created", created).put("model", model)
                    .put("choices", JsonArray.of(choice("message", message, finish)))
                    .put("usage", usage(a))
                    .put("system_fingerprint", "fp_fake")
                    .build());
        }
        boolean includeUsage = req.optObject("stream_options").flatMap(o -> o.optBoolean("include_usage")).orElse(false);
        List<byte[]> frames = new ArrayList<>();
        JsonObject role = JsonObject.newBuilder().put("role", "assistant").put("content", "").put("refusal", JsonNull.INSTANCE).build();
        frames.add(FakeResponse.sse(null, chunk(id, created, model, choice("delta", role, null), includeUsage)));
        for (String piece : a.pieces(chunks)) {
            frames.add(FakeResponse.sse(null, chunk(id, created, model,
                    choice("delta", JsonObject.of("content", JsonString.of(piece)), null), includeUsage)));
        }
        frames.add(FakeResponse.sse(null, chunk(id, created, model, choice("delta", JsonObject.of(), finish), includeUsage)));
        if (includeUsage) {
            frames.add(FakeResponse.sse(null, JsonObject.newBuilder()
                    .put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model)
                    .put("system_fingerprint", "fp_fake").put("choices", JsonArray.of()).put("usage", usage(a)).build()));
        }
        frames.add("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        return FakeResponse.stream("text/event-stream; charset=utf-8", frames);
    }

    private static JsonObject chunk(String id, long created, String model, JsonObject choice, boolean usageNull) {
        JsonObject.Builder b = JsonObject.newBuilder()
                .put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model)
                .put("system_fingerprint", "fp_fake").put("choices", JsonArray.of(choice));
        if (usageNull) {
            b.put("usage", JsonNull.INSTANCE);
        }
        return b.build();
    }

    private static JsonObject choice(String field, JsonObject value, String finish) {
        return JsonObject.newBuilder().put("index", 0).put(field, value).put("logprobs", JsonNull.INSTANCE)
                .put("finish_reason", finish == null ? JsonNull.INSTANCE : JsonString.of(finish)).build();
    }

    private static JsonObject usage(FakeAnswer a) {
        return JsonObject.newBuilder()
                .put("prompt_tokens", a.promptTokens())
                .put("completion_tokens", a.completionTokens())
                .put("total_tokens", a.promptTokens() + a.completionTokens())
                .put("prompt_tokens_details", JsonObject.of("cached_tokens", JsonNumber.of(0)))
                .put("completion_tokens_details", JsonObject.of("reasoning_tokens", JsonNumber.of(0)))
                .build();
    }

    /** {@return the text of OpenAI message content: a string, or the text parts of an array} */
    static String text(JsonValue content) {
        if (content instanceof JsonString s) {
            return s.value();
        }
        StringBuilder sb = new StringBuilder();
        if (content instanceof JsonArray parts) {
            for (JsonValue p : parts.values()) {
                if (p instanceof JsonObject o && o.get("text").orElse(null) instanceof JsonString t) {
                    sb.append(t.value());
                }
            }
        }
        return sb.toString();
    }

    static FakeResponse embeddings(JsonObject req, int defaultDimensions) {
        List<String> inputs = inputs(req.get("input").orElse(JsonNull.INSTANCE));
        if (inputs == null) {
            return error(400, "'input' must be a string or an array of strings.", "input");
        }
        int dims = req.optInt("dimensions").orElse(defaultDimensions);
        boolean base64 = "base64".equals(req.stringOr("encoding_format", "float"));
        JsonArray.Builder data = JsonArray.newBuilder();
        long tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            float[] v = ScriptedProvider.vectorOf(inputs.get(i), dims);
            tokens += FakeAnswer.tokens(inputs.get(i).length());
            data.add(JsonObject.newBuilder().put("object", "embedding").put("index", i)
                    .put("embedding", base64 ? JsonString.of(base64(v)) : floats(v)).build());
        }
        return FakeResponse.json(200, JsonObject.newBuilder()
                .put("object", "list").put("data", data.build())
                .put("model", req.stringOr("model", "text-embedding-3-small"))
                .put("usage", JsonObject.of("prompt_tokens", JsonNumber.of(tokens), "total_tokens", JsonNumber.of(tokens)))
                .build());
    }

    /** {@return the inputs of an embedding request: a string or an array of strings; null if neither} */
    static List<String> inputs(JsonValue input) {
        if (input instanceof JsonString s) {
            return List.of(s.value());
        }
        if (input instanceof JsonArray a && !a.isEmpty()) {
            List<String> out = new ArrayList<>();
            for (JsonValue v : a.values()) {
                if (!(v instanceof JsonString s)) {
                    return null;
                }
                out.add(s.value());
            }
            return out;
        }
        return null;
    }

    static JsonArray floats(float[] v) {
        JsonArray.Builder a = JsonArray.newBuilder();
        for (float f : v) {
            a.add(JsonNumber.parse(Float.toString(f)));
        }
        return a.build();
    }

    static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    static FakeResponse models(List<String> ids) {
        JsonArray.Builder data = JsonArray.newBuilder();
        for (String id : ids) {
            data.add(JsonObject.newBuilder().put("id", id).put("object", "model").put("created", 1_700_000_000L)
                    .put("owned_by", "system").build());
        }
        return FakeResponse.json(200, JsonObject.newBuilder().put("object", "list").put("data", data.build()).build());
    }

    /** {@return an error in OpenAI's shape, with the type and code OpenAI uses for the status} */
    static FakeResponse error(int status, String message, String param) {
        String type = switch (status) {
            case 429 -> "requests";
            case 500, 502, 503, 504, 529 -> "server_error";
            default -> "invalid_request_error";
        };
        JsonValue code = switch (status) {
            case 401 -> JsonString.of("invalid_api_key");
            case 404 -> JsonString.of("model_not_found");
            case 429 -> JsonString.of("rate_limit_exceeded");
            default -> JsonNull.INSTANCE;
        };
        return FakeResponse.json(status, JsonObject.of("error", JsonObject.newBuilder()
                .put("message", message).put("type", type)
                .put("param", param == null ? JsonNull.INSTANCE : JsonString.of(param))
                .put("code", code).build()));
    }
}
