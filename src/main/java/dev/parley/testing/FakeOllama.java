package dev.parley.testing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;

import dev.parley.json.JsonArray;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/**
 * Ollama's native wire format for {@link FakeLlmServer}: {@code /api/chat} as NDJSON (streamed
 * unless {@code "stream": false}; the last line has {@code done: true}, {@code done_reason},
 * {@code prompt_eval_count} and {@code eval_count} and the durations), {@code /api/embed}, and
 * {@code /api/tags}; errors are {@code {"error":"..."}}. Stateless and thread-safe.
 */
final class FakeOllama {

    private FakeOllama() {
    }

    static FakeResponse chat(JsonObject req, String scripted, int chunks) {
        String model = req.optString("model").orElse(null);
        if (model == null) {
            return error(400, "model is required");
        }
        List<String> prompt = new ArrayList<>();
        String lastUser = null;
        for (JsonValue v : req.optArray("messages").orElse(JsonArray.of()).values()) {
            if (v instanceof JsonObject m) {
                String text = m.stringOr("content", "");
                prompt.add(text);
                if ("user".equals(m.stringOr("role", ""))) {
                    lastUser = text;
                }
            }
        }
        OptionalInt predict = req.optObject("options").map(o -> o.optInt("num_predict")).orElse(OptionalInt.empty());
        Integer max = predict.isPresent() ? predict.getAsInt() : null;
        FakeAnswer a = FakeAnswer.of(scripted, prompt, lastUser, max);
        String reason = a.truncated() ? "length" : "stop";
        if (!req.optBoolean("stream").orElse(true)) {
            return FakeResponse.json(200, done(model, a, a.text(), reason))
                    .header("Content-Type", "application/json; charset=utf-8");
        }
        List<byte[]> frames = new ArrayList<>();
        for (String piece : a.pieces(chunks)) {
            frames.add(FakeResponse.ndjson(JsonObject.newBuilder().put("model", model).put("created_at", Instant.now().toString())
                    .put("message", message(piece)).put("done", false).build()));
        }
        frames.add(FakeResponse.ndjson(done(model, a, "", reason)));
        return FakeResponse.stream("application/x-ndjson", frames);
    }

    private static JsonObject message(String content) {
        return JsonObject.newBuilder().put("role", "assistant").put("content", content).build();
    }

    private static JsonObject done(String model, FakeAnswer a, String content, String reason) {
        return JsonObject.newBuilder().put("model", model).put("created_at", Instant.now().toString())
                .put("message", message(content)).put("done_reason", reason).put("done", true)
                .put("total_duration", 4_883_583_458L).put("load_duration", 1_334_875L)
                .put("prompt_eval_count", a.promptTokens()).put("prompt_eval_duration", 342_546_000L)
                .put("eval_count", a.completionTokens()).put("eval_duration", 4_535_599_000L)
                .build();
    }

    static FakeResponse embed(JsonObject req, int dimensions) {
        List<String> inputs = FakeOpenAi.inputs(req.get("input").orElse(JsonNull.INSTANCE));
        if (inputs == null) {
            return error(400, "invalid input type");
        }
        int dims = req.optInt("dimensions").orElse(dimensions);
        JsonArray.Builder vectors = JsonArray.newBuilder();
        long tokens = 0;
        for (String input : inputs) {
            vectors.add(FakeOpenAi.floats(ScriptedProvider.vectorOf(input, dims)));
            tokens += FakeAnswer.tokens(input.length());
        }
        return FakeResponse.json(200, JsonObject.newBuilder().put("model", req.stringOr("model", "all-minilm"))
                .put("embeddings", vectors.build()).put("total_duration", 14_143_917L).put("load_duration", 1_019_500L)
                .put("prompt_eval_count", tokens).build()).header("Content-Type", "application/json; charset=utf-8");
    }

    static FakeResponse tags(List<String> models) {
        JsonArray.Builder list = JsonArray.newBuilder();
        for (String m : models) {
            String name = m.contains(":") ? m : m + ":latest";
            String digest = HexFormat.of().formatHex(Arrays.copyOf(name.getBytes(StandardCharsets.UTF_8), 32));
            list.add(JsonObject.newBuilder().put("name", name).put("model", name)
                    .put("modified_at", "2025-05-04T17:37:44.706015396-07:00").put("size", 2_019_393_189L)
                    .put("digest", digest)
                    .put("details", JsonObject.newBuilder().put("parent_model", "").put("format", "gguf")
                            .put("family", "llama").put("families", JsonArray.ofStrings(List.of("llama")))
                            .put("parameter_size", "3.2B").put("quantization_level", "Q4_K_M").build())
                    .build());
        }
        return FakeResponse.json(200, JsonObject.of("models", list.build()));
    }

    static FakeResponse error(int status, String message) {
        return FakeResponse.json(status, JsonObject.newBuilder().put("error", message).build())
                .header("Content-Type", "application/json; charset=utf-8");
    }
}
