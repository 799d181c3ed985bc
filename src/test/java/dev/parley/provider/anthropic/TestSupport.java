package dev.parley.provider.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.parley.ApiKey;
import dev.parley.ChatResponse;
import dev.parley.ToolCall;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.RecordedRequest;

/** Shared helpers for the Anthropic tests. */
final class TestSupport {

    /** A fake key; tests check it never shows up in messages. */
    static final ApiKey KEY = ApiKey.of("sk-ant-test-0123456789");

    private TestSupport() {
    }

    /** {@return a provider that talks to {@code server}} */
    static Provider provider(ReplayServer server) {
        return provider(server, Map.of());
    }

    /** {@return a provider that talks to {@code server}, with these options} */
    static Provider provider(ReplayServer server, Map<String, String> options) {
        ProviderConfig.Builder b = ProviderConfig.newBuilder().baseUrl(server.uri("")).apiKey(KEY);
        options.forEach(b::option);
        return new AnthropicProviderFactory().create(b.build());
    }

    /** {@return JSON text parsed as an object} */
    static JsonObject json(String text) {
        return (JsonObject) Json.parse(text);
    }

    /** {@return JSON text parsed as an array} */
    static dev.parley.json.JsonArray jsonArray(String text) {
        return (dev.parley.json.JsonArray) Json.parse(text);
    }

    /** {@return the body of a recorded request, parsed} */
    static JsonObject body(RecordedRequest request) {
        return (JsonObject) Json.parse(request.body());
    }

    /** {@return an SSE body: each pair of strings is an event name and its data} */
    static byte[] sse(String... typeAndData) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < typeAndData.length; i += 2) {
            sb.append("event: ").append(typeAndData[i]).append('\n')
                    .append("data: ").append(typeAndData[i + 1]).append("\n\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@return a 200 event-stream reply with {@code body} and a request-id header} */
    static ReplayServer.Reply sseReply(byte[] body) {
        return new ReplayServer.Reply(200, Map.of("content-type", "text/event-stream", "request-id", "req_synthetic"),
                body, ReplayServer.Pace.WHOLE);
    }

    /**
     * Asserts that a response collected from a stream says what the non-streaming response
     * says: everything but headers and raw JSON, and tool arguments compared as JSON (a stream
     * sends them as the model typed them, the non-streaming body as compact JSON).
     */
    static void assertSameAnswer(ChatResponse expected, ChatResponse collected) {
        assertEquals(expected.id(), collected.id(), "id");
        assertEquals(expected.model(), collected.model(), "model");
        assertEquals(expected.provider(), collected.provider(), "provider");
        assertEquals(expected.text(), collected.text(), "text");
        assertEquals(expected.reasoning(), collected.reasoning(), "reasoning");
        assertEquals(expected.toolCalls().size(), collected.toolCalls().size(), "tool calls");
        for (int i = 0; i < expected.toolCalls().size(); i++) {
            ToolCall e = expected.toolCalls().get(i);
            ToolCall c = collected.toolCalls().get(i);
            assertEquals(e.id(), c.id(), "tool call id");
            assertEquals(e.name(), c.name(), "tool call name");
            assertEquals(e.argumentsJson(), c.argumentsJson(), "tool call arguments");
        }
        assertEquals(expected.finishReason(), collected.finishReason(), "finish reason");
        assertEquals(expected.rawFinishReason(), collected.rawFinishReason(), "raw finish reason");
        assertEquals(expected.refusal(), collected.refusal(), "refusal");
        assertEquals(expected.usage(), collected.usage(), "usage");
        assertEquals(expected.requestId(), collected.requestId(), "request id");
    }
}
