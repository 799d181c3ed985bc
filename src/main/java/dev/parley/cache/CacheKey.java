package dev.parley.cache;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import dev.parley.ChatRequest;
import dev.parley.ContentPart;
import dev.parley.EmbeddingRequest;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.ResponseFormat;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonBoolean;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Cache keys: the SHA-256, in lowercase hex, of a canonical JSON form of the request.
 *
 * <p>The canonical form has a fixed member order, names every field (absent ones as
 * {@code null}), and sorts the members of every object the caller supplies ({@code extra}, tool
 * schemas, response schemas), so equal requests always hash alike whatever order their maps were
 * built in. Lists whose order means something (messages, stop sequences, tools, inputs) keep it.
 * A format version is part of the form, so a change to it never collides with old keys.
 */
final class CacheKey {

    /** Bump when the canonical form changes. */
    private static final int FORMAT = 1;
    private static final HexFormat HEX = HexFormat.of();

    private CacheKey() {
    }

    /** {@return the key of a chat request sent to {@code provider}} */
    static String chat(String provider, ChatRequest r) {
        return hash(chatForm(provider, r));
    }

    /** {@return the key of an embedding request sent to {@code provider}} */
    static String embedding(String provider, EmbeddingRequest r) {
        return hash(embeddingForm(provider, r));
    }

    /** {@return the canonical form of a chat request, before hashing} */
    static JsonObject chatForm(String provider, ChatRequest r) {
        JsonArray.Builder messages = JsonArray.newBuilder();
        for (Message m : r.messages()) {
            messages.add(message(m));
        }
        JsonArray.Builder tools = JsonArray.newBuilder();
        for (Tool t : r.tools()) {
            tools.add(JsonObject.newBuilder()
                    .put("name", t.name())
                    .put("description", str(t.description()))
                    .put("parameters", sorted(t.parameters()))
                    .put("strict", t.strict())
                    .build());
        }
        return JsonObject.newBuilder()
                .put("format", FORMAT)
                .put("kind", "chat")
                .put("provider", str(provider))
                .put("model", str(r.model()))
                .put("messages", messages.build())
                .put("temperature", num(r.temperature()))
                .put("topP", num(r.topP()))
                .put("maxTokens", r.maxTokens() == null ? JsonNull.INSTANCE : JsonNumber.of(r.maxTokens()))
                .put("stop", JsonArray.ofStrings(r.stop()))
                .put("seed", r.seed() == null ? JsonNull.INSTANCE : JsonNumber.of(r.seed()))
                .put("tools", tools.build())
                .put("toolChoice", toolChoice(r.toolChoice()))
                .put("responseFormat", responseFormat(r.responseFormat()))
                .put("user", str(r.user()))
                .put("extra", sorted(r.extra()))
                .build();
    }

    /** {@return the canonical form of an embedding request, before hashing} */
    static JsonObject embeddingForm(String provider, EmbeddingRequest r) {
        return JsonObject.newBuilder()
                .put("format", FORMAT)
                .put("kind", "embedding")
                .put("provider", str(provider))
                .put("model", str(r.model()))
                .put("inputs", JsonArray.ofStrings(r.inputs()))
                .put("dimensions", r.dimensions() == null ? JsonNull.INSTANCE : JsonNumber.of(r.dimensions()))
                .put("user", str(r.user()))
                .put("extra", sorted(r.extra()))
                .build();
    }

    private static JsonObject message(Message m) {
        JsonArray.Builder content = JsonArray.newBuilder();
        for (ContentPart p : m.content()) {
            content.add(switch (p) {
                case ContentPart.Text t -> JsonObject.of("type", JsonString.of("text"), "text", JsonString.of(t.text()));
                case ContentPart.Image i -> JsonObject.newBuilder()
                        .put("type", "image")
                        .put("url", str(i.url()))
                        .put("mediaType", str(i.mediaType()))
                        .put("base64", str(i.base64()))
                        .build();
            });
        }
        JsonArray.Builder calls = JsonArray.newBuilder();
        for (ToolCall c : m.toolCalls()) {
            calls.add(JsonObject.newBuilder()
                    .put("id", c.id()).put("name", c.name()).put("arguments", c.arguments()).build());
        }
        return JsonObject.newBuilder()
                .put("role", m.role().wireName())
                .put("content", content.build())
                .put("toolCalls", calls.build())
                .put("toolCallId", str(m.toolCallId()))
                .put("name", str(m.name()))
                .put("reasoning", reasoning(m.reasoning()))
                .build();
    }

    static JsonArray reasoning(List<ReasoningBlock> blocks) {
        JsonArray.Builder out = JsonArray.newBuilder();
        for (ReasoningBlock b : blocks) {
            out.add(JsonObject.newBuilder()
                    .put("text", b.text())
                    .put("signature", str(b.signature()))
                    .put("redactedData", str(b.redactedData()))
                    .build());
        }
        return out.build();
    }

    private static JsonValue toolChoice(ToolChoice c) {
        return c == null ? JsonNull.INSTANCE
                : JsonObject.of("mode", JsonString.of(c.mode().name()), "toolName", str(c.toolName()));
    }

    private static JsonValue responseFormat(ResponseFormat f) {
        return f == null ? JsonNull.INSTANCE : JsonObject.newBuilder()
                .put("type", f.type().name())
                .put("name", str(f.name()))
                .put("schema", f.schema() == null ? JsonNull.INSTANCE : sorted(f.schema()))
                .put("strict", JsonBoolean.of(f.strict()))
                .build();
    }

    static JsonValue str(String s) {
        return s == null ? JsonNull.INSTANCE : JsonString.of(s);
    }

    private static JsonValue num(Double d) {
        return d == null ? JsonNull.INSTANCE : JsonNumber.of(d + 0.0); // + 0.0 turns -0.0 into 0.0
    }

    /**
     * {@return a copy of {@code value} in which every object's members are sorted by name}.
     * Iterative, with an explicit stack, so deeply nested values cost no Java stack.
     */
    static JsonValue sorted(JsonValue value) {
        if (!isContainer(value)) {
            return value;
        }
        ArrayDeque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(value));
        while (true) {
            Frame top = stack.peek();
            if (top.next < top.children.length) {
                JsonValue child = top.children[top.next];
                if (isContainer(child)) {
                    stack.push(new Frame(child));
                } else {
                    top.next++;
                }
                continue;
            }
            JsonValue built = top.build();
            stack.pop();
            Frame parent = stack.peek();
            if (parent == null) {
                return built;
            }
            parent.children[parent.next++] = built;
        }
    }

    private static boolean isContainer(JsonValue v) {
        return (v instanceof JsonObject o && !o.isEmpty()) || (v instanceof JsonArray a && !a.isEmpty());
    }

    /** A container being rebuilt: its children (sorted members for an object) and the next one to visit. */
    private static final class Frame {
        final String[] names;
        final JsonValue[] children;
        int next;

        Frame(JsonValue container) {
            if (container instanceof JsonObject o) {
                List<Map.Entry<String, JsonValue>> members = new ArrayList<>(o.members().entrySet());
                members.sort(Map.Entry.comparingByKey());
                names = new String[members.size()];
                children = new JsonValue[members.size()];
                for (int i = 0; i < names.length; i++) {
                    names[i] = members.get(i).getKey();
                    children[i] = members.get(i).getValue();
                }
            } else {
                names = null;
                children = ((JsonArray) container).values().toArray(new JsonValue[0]);
            }
        }

        JsonValue build() {
            if (names == null) {
                return JsonArray.of(children);
            }
            JsonObject.Builder b = JsonObject.newBuilder();
            for (int i = 0; i < names.length; i++) {
                b.put(names[i], children[i]);
            }
            return b.build();
        }
    }

    private static String hash(JsonObject form) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HEX.formatHex(sha.digest(Json.writeBytes(form)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
