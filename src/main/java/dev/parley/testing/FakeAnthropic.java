package dev.parley.testing;

import java.util.ArrayList;
import java.util.List;

import dev.parley.json.JsonArray;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Anthropic's Messages wire format for {@link FakeLlmServer}: {@code message} bodies, streams
 * with every event type in the order the API sends them ({@code message_start},
 * {@code content_block_start}, {@code ping}, {@code content_block_delta} text deltas,
 * {@code content_block_stop}, {@code message_delta} with usage, {@code message_stop}), and error
 * bodies ({@code {"type":"error","error":{...},"request_id"}}). Like the real API it refuses a
 * request without {@code max_tokens}. Stateless and thread-safe.
 */
final class FakeAnthropic {

    private FakeAnthropic() {
    }

    static FakeResponse messages(JsonObject req, String id, String scripted, int chunks) {
        JsonArray messages = req.optArray("messages").orElse(null);
        if (messages == null || messages.isEmpty()) {
            return error(400, "messages: Field required", id);
        }
        if (req.optInt("max_tokens").isEmpty()) {
            return error(400, "max_tokens: Field required", id);
        }
        List<String> prompt = new ArrayList<>();
        req.get("system").ifPresent(s -> prompt.add(text(s)));
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
        FakeAnswer a = FakeAnswer.of(scripted, prompt, lastUser, req.optInt("max_tokens").getAsInt());
        String model = req.stringOr("model", "claude-3-5-haiku-latest");
        String stop = a.truncated() ? "max_tokens" : "end_turn";
        if (!req.optBoolean("stream").orElse(false)) {
            return FakeResponse.json(200, JsonObject.newBuilder()
                    .put("id", id).put("type", "message").put("role", "assistant").put("model", model)
                    .put("content", JsonArray.of(JsonObject.of("type", JsonString.of("text"), "text", JsonString.of(a.text()))))
                    .put("stop_reason", stop).put("stop_sequence", JsonNull.INSTANCE)
                    .put("usage", usage(a.promptTokens(), a.completionTokens()))
                    .build()).header("request-id", "req_" + id.substring(4));
        }
        List<byte[]> frames = new ArrayList<>();
        frames.add(FakeResponse.sse("message_start", JsonObject.of("type", JsonString.of("message_start"), "message",
                JsonObject.newBuilder().put("id", id).put("type", "message").put("role", "assistant").put("model", model)
                        .put("content", JsonArray.of()).put("stop_reason", JsonNull.INSTANCE)
                        .put("stop_sequence", JsonNull.INSTANCE).put("usage", usage(a.promptTokens(), 1)).build())));
        frames.add(FakeResponse.sse("content_block_start", JsonObject.newBuilder().put("type", "content_block_start")
                .put("index", 0).put("content_block", JsonObject.of("type", JsonString.of("text"), "text", JsonString.of("")))
                .build()));
        frames.add(FakeResponse.sse("ping", JsonObject.of("type", JsonString.of("ping"))));
        for (String piece : a.pieces(chunks)) {
            frames.add(FakeResponse.sse("content_block_delta", JsonObject.newBuilder().put("type", "content_block_delta")
                    .put("index", 0).put("delta", JsonObject.of("type", JsonString.of("text_delta"), "text", JsonString.of(piece)))
                    .build()));
        }
        frames.add(FakeResponse.sse("content_block_stop",
                JsonObject.of("type", JsonString.of("content_block_stop"), "index", JsonNumber.of(0))));
        frames.add(FakeResponse.sse("message_delta", JsonObject.newBuilder().put("type", "message_delta")
                .put("delta", JsonObject.of("stop_reason", JsonString.of(stop), "stop_sequence", JsonNull.INSTANCE))
                .put("usage", JsonObject.of("output_tokens", JsonNumber.of(a.completionTokens()))).build()));
        frames.add(FakeResponse.sse("message_stop", JsonObject.of("type", JsonString.of("message_stop"))));
        return FakeResponse.stream("text/event-stream; charset=utf-8", frames).header("request-id", "req_" + id.substring(4));
    }

    private static JsonObject usage(long input, long output) {
        return JsonObject.newBuilder().put("input_tokens", input).put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", 0).put("output_tokens", output).build();
    }

    /** {@return the text of Anthropic content: a string, or the text blocks of an array} */
    private static String text(JsonValue content) {
        return FakeOpenAi.text(content);
    }

    /** {@return an error in Anthropic's shape, with the type Anthropic uses for the status} */
    static FakeResponse error(int status, String message, String id) {
        String type = switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            case 529 -> "overloaded_error";
            default -> "api_error";
        };
        String requestId = "req_" + id.substring(id.indexOf('_') + 1);
        return FakeResponse.json(status, JsonObject.newBuilder().put("type", "error")
                .put("error", JsonObject.of("type", JsonString.of(type), "message", JsonString.of(message)))
                .put("request_id", requestId).build()).header("request-id", requestId);
    }
}
