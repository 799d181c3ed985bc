package dev.parley.provider.anthropic;

import static dev.parley.provider.anthropic.TestSupport.KEY;
import static dev.parley.provider.anthropic.TestSupport.body;
import static dev.parley.provider.anthropic.TestSupport.json;
import static dev.parley.provider.anthropic.TestSupport.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.FinishReason;
import dev.parley.InvalidRequestException;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.RateLimitException;
import dev.parley.ReasoningBlock;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.json.JsonObject;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.RecordedRequest;
import dev.parley.support.ReplayServer.Reply;

/** Non-streaming calls, replayed from the recorded fixtures (and a few synthetic bodies). */
class AnthropicChatTest {

    static final String WEATHER_DESCRIPTION = "Lookup the weather for a given city in either celsius or fahrenheit";
    static final JsonObject WEATHER_SCHEMA = json("""
            {"additionalProperties": false,
             "properties": {
               "location": {"description": "The city and state, e.g. San Francisco, CA", "title": "Location", "type": "string"},
               "units": {"description": "Unit for the output, either 'c' for celsius or 'f' for fahrenheit",
                         "enum": ["c", "f"], "title": "Units", "type": "string"}},
             "required": ["location", "units"],
             "type": "object"}
            """);

    @Test
    void chat_parsesEveryFieldOfMessageBasic_andSendsTheHeaders() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/message_basic"));
            ChatResponse r = provider(server).chat(ChatRequest.of("claude-3-5-sonnet-20240620", "Hello"));

            assertEquals("msg_01QgNtCXZKCJgpWHW3NEwmdP", r.id());
            assertEquals("claude-3-5-sonnet-20240620", r.model());
            assertEquals("anthropic", r.provider());
            assertEquals("Hello! How can I assist you today? Is there anything specific you'd like to know or discuss?",
                    r.text());
            assertEquals(List.of(), r.reasoning());
            assertEquals(List.of(), r.toolCalls());
            assertEquals(FinishReason.STOP, r.finishReason());
            assertEquals("end_turn", r.rawFinishReason());
            assertNull(r.refusal());
            assertEquals(new Usage(16, 24, 40, 0, 0, 0), r.usage());
            assertEquals("req_011CSLsW7mFqvHHnzrKdKjAE", r.requestId());
            assertEquals("999", r.headers().firstValue("anthropic-ratelimit-requests-remaining").orElseThrow());
            assertEquals("96000", r.headers().firstValue("anthropic-ratelimit-tokens-limit").orElseThrow());
            assertEquals("2025-08-21T12:41:00Z", r.headers().firstValue("anthropic-ratelimit-output-tokens-reset").orElseThrow());
            assertEquals("req_011CSLsW7mFqvHHnzrKdKjAE", r.headers().firstValue("request-id").orElseThrow());
            assertEquals("standard", r.raw().object("usage").string("service_tier"));

            RecordedRequest sent = server.takeRequest();
            assertEquals("POST", sent.method());
            assertEquals("/v1/messages", sent.path());
            assertNull(sent.query());
            assertEquals(KEY.value(), sent.header("x-api-key"));
            assertEquals("2023-06-01", sent.header("anthropic-version"));
            assertNull(sent.header("anthropic-beta"));
            assertNull(sent.header("authorization"));
            assertEquals("application/json", sent.header("content-type"));
            assertEquals(json("""
                    {"model": "claude-3-5-sonnet-20240620", "max_tokens": 4096,
                     "messages": [{"role": "user", "content": "Hello"}]}
                    """), body(sent));
        }
    }

    @Test
    void chat_toolUse_sendsTheFixtureRequestBody_andParsesTheToolCall() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/message_tool_use"));
            ChatRequest request = ChatRequest.newBuilder()
                    .model("claude-haiku-4-5")
                    .maxTokens(1024)
                    .addMessage(Message.user("What is the weather in SF?"))
                    .addTool(Tool.of("get_weather", WEATHER_DESCRIPTION, WEATHER_SCHEMA))
                    .build();
            ChatResponse r = provider(server).chat(request);

            // The fixture was sent by the SDK's beta client to /v1/messages?beta=true (with an
            // anthropic-beta header); the body is the same: we send exactly the fixture's JSON.
            RecordedRequest sent = server.takeRequest();
            assertEquals("/v1/messages", sent.path());
            assertEquals(Fixtures.json("anthropic/message_tool_use.request.json"), body(sent));

            assertEquals("msg_018yE33RyaCdsMnr8kGYUQ5Y", r.id());
            assertEquals("claude-haiku-4-5-20251001", r.model());
            assertEquals("", r.text());
            assertEquals(List.of(new ToolCall("toolu_011bpynHqFZ9P4u5rSaXsTJQ", "get_weather",
                    "{\"location\":\"San Francisco, CA\",\"units\":\"f\"}")), r.toolCalls());
            assertEquals(json("{\"location\":\"San Francisco, CA\",\"units\":\"f\"}"), r.toolCalls().get(0).argumentsJson());
            assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
            assertEquals("tool_use", r.rawFinishReason());
            assertEquals(new Usage(656, 74, 730, 0, 0, 0), r.usage());
            assertNull(r.requestId(), "this fixture has no headers");
            assertEquals("not_available", r.raw().object("usage").string("inference_geo"));
        }
    }

    @Test
    void chat_synthetic_thinkingRedactedThinkingTextBlocksAndCacheUsage() {
        // Synthetic: an extended-thinking answer (no recorded sample in the fixtures).
        String body = """
                {"id":"msg_synth","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[
                   {"type":"thinking","thinking":"Let me think.","signature":"sig-1"},
                   {"type":"redacted_thinking","data":"opaque=="},
                   {"type":"text","text":"Part one. "},
                   {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"x"}},
                   {"type":"text","text":"Part two."},
                   {"type":"tool_use","id":"toolu_1","name":"ping","input":{}}],
                 "stop_reason":"tool_use","stop_sequence":null,
                 "usage":{"input_tokens":10,"cache_creation_input_tokens":20,"cache_read_input_tokens":300,"output_tokens":40}}
                """;
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.json(200, body).withHeader("request-id", "req_x"));
            ChatResponse r = provider(server).chat(ChatRequest.of("claude-sonnet-4-5", "hi"));
            assertEquals(List.of(new ReasoningBlock("Let me think.", "sig-1", null), new ReasoningBlock("", null, "opaque==")),
                    r.reasoning());
            assertEquals("Part one. Part two.", r.text());
            assertEquals(List.of(new ToolCall("toolu_1", "ping", "{}")), r.toolCalls());
            // input_tokens excludes cached tokens: Parley's input is the whole prompt.
            assertEquals(new Usage(330, 40, 370, 300, 20, 0), r.usage());
            assertEquals("req_x", r.requestId());
        }
    }

    @Test
    void errors_400And429_mapToTheirExceptions_withRequestIdAndRetryHints() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/error_400_invalid_request"),
                    Reply.fixture("anthropic/error_429_rate_limit").withHeader("retry-after", "7"));
            var provider = provider(server);
            InvalidRequestException bad = assertThrows(InvalidRequestException.class,
                    () -> provider.chat(ChatRequest.of("claude-haiku-4-5", "x")));
            assertEquals(400, bad.statusCode());
            assertEquals("invalid_request_error", bad.errorType());
            assertTrue(bad.providerMessage().startsWith("messages.0.content.1: unexpected `tool_use_id`"));
            assertEquals("req_011CYHyk9NPsBYeGbC9LuDNK", bad.requestId());
            assertFalse(bad.retryable());
            assertEquals("anthropic", bad.provider());

            RateLimitException limited = assertThrows(RateLimitException.class,
                    () -> provider.chat(ChatRequest.of("claude-haiku-4-5", "x")));
            assertEquals(429, limited.statusCode());
            assertEquals("rate_limit_error", limited.errorType());
            assertEquals("req_011CYK5mje9HkutJtmfPzzNC", limited.requestId());
            assertEquals(Duration.ofSeconds(7), limited.retryAfter());
            assertTrue(limited.retryable());
            assertFalse(limited.getMessage().contains(KEY.value()));
        }
    }

    @Test
    void unexpectedShape_isAServerErrorNamingThePath() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages",
                    Reply.json(200, "{\"id\":\"msg\",\"content\":\"not blocks\"}"),
                    Reply.json(200, "{\"content\":[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\",\"input\":[1]}]}"),
                    Reply.json(200, "[1,2]"),
                    Reply.of(200, "text/html", "<html>oops</html>"));
            var provider = provider(server);
            ChatRequest request = ChatRequest.of("claude-haiku-4-5", "x");
            LlmException e1 = assertThrows(LlmException.class, () -> provider.chat(request));
            assertEquals(LlmException.Kind.SERVER_ERROR, e1.kind());
            assertTrue(e1.getMessage().contains("content: expected array, got string"), e1.getMessage());
            LlmException e2 = assertThrows(LlmException.class, () -> provider.chat(request));
            assertEquals(LlmException.Kind.SERVER_ERROR, e2.kind());
            assertTrue(e2.getMessage().contains("content[0].input: expected object, got array"), e2.getMessage());
            LlmException e3 = assertThrows(LlmException.class, () -> provider.chat(request));
            assertEquals(LlmException.Kind.SERVER_ERROR, e3.kind());
            assertTrue(e3.getMessage().contains("expected an object, got array"), e3.getMessage());
            assertEquals(LlmException.Kind.SERVER_ERROR,
                    assertThrows(LlmException.class, () -> provider.chat(request)).kind());
        }
    }

    @Test
    void unparseable200_isNotRetryable_andNeverARawJavaException() {
        // A 200 that does not parse is not transient: retrying only bills the same call again.
        String[] bodies = {
            "{\"id\":\"msg\",\"content\":\"not blocks\"}",
            "[1,2]",
            "{\"content\":[],\"usage\":{\"input_tokens\":-4,\"output_tokens\":1}}",
            "{\"content\":[],\"usage\":{\"input_tokens\":9223372036854775807,\"output_tokens\":1}}",
        };
        for (String body : bodies) {
            try (ReplayServer server = ReplayServer.start()) {
                server.on("POST", "/v1/messages", Reply.json(200, body));
                LlmException e = assertThrows(LlmException.class,
                        () -> provider(server).chat(ChatRequest.of("claude-haiku-4-5", "x")), body);
                assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
                assertFalse(e.retryable(), body);
                assertEquals(200, e.statusCode(), body);
                if (body.contains("9223372036854775807")) {
                    assertTrue(e.getMessage().contains("usage: token counts too large to add up"), e.getMessage());
                }
            }
        }
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.of(200, "text/html", "<html>oops</html>"));
            LlmException e = assertThrows(LlmException.class,
                    () -> provider(server).chat(ChatRequest.of("claude-haiku-4-5", "x")));
            assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
            assertFalse(e.retryable());
        }
    }
}
