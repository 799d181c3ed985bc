package dev.parley.provider.bedrock;

import static dev.parley.provider.bedrock.BedrockTestSupport.KEY_ID;
import static dev.parley.provider.bedrock.BedrockTestSupport.MODEL;
import static dev.parley.provider.bedrock.BedrockTestSupport.SECRET;
import static dev.parley.provider.bedrock.BedrockTestSupport.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import dev.parley.ApiKey;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.FinishReason;
import dev.parley.InvalidRequestException;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Pace;
import dev.parley.support.ReplayServer.Reply;

/** Converse, not streamed: recorded responses replayed, the signed request on the wire, and errors. */
class BedrockChatTest {

    private static final String PATH = "/model/" + MODEL + "/converse";

    @Test
    void text_isRead_andTheRequestIsSignedAsSent() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, Reply.fixture("bedrock/converse_text").withHeader("x-amzn-requestid", "req-1"));
            ChatResponse r = provider(server).chat(ChatRequest.newBuilder().model(MODEL).maxTokens(100)
                    .addMessage(Message.user("How many r's are in strawberry?")).build());
            assertEquals("Let me count the \"r\"s in \"strawberry\":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\n"
                    + "There are **3** \"r\"s in \"strawberry.\"", r.text());
            assertEquals(FinishReason.STOP, r.finishReason());
            assertEquals("end_turn", r.rawFinishReason());
            assertEquals(new Usage(22, 57, 79, 0, 0, 0), r.usage());
            assertEquals(MODEL, r.model());
            assertEquals("req-1", r.requestId());
            assertEquals("bedrock", r.provider());

            ReplayServer.RecordedRequest sent = server.takeRequest();
            assertEquals(Json.parse("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"How many r's are in"
                    + " strawberry?\"}]}],\"inferenceConfig\":{\"maxTokens\":100}}"), Json.parse(sent.body()));
            assertEquals("20150830T123600Z", sent.header("x-amz-date"));
            // Recompute the signature from what arrived: the path as the SDKs send it (':' as %3A).
            String host = sent.header("host");
            SigV4.Signature expected = SigV4.sign("POST", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", "",
                    List.of(Map.entry("content-type", sent.header("content-type")), Map.entry("host", host),
                            Map.entry("x-amz-date", sent.header("x-amz-date"))),
                    SigV4.sha256Hex(sent.body()), new AwsCredentials(KEY_ID, ApiKey.of(SECRET), null), "us-east-1",
                    "bedrock", "20150830T123600Z");
            assertEquals(expected.authorization(), sent.header("authorization"));
            assertTrue(sent.header("authorization").startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
                    + "us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="));
        }
    }

    @Test
    void sessionToken_isSentAndSigned() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, Reply.fixture("bedrock/converse_text"));
            provider(server, "FQoGZXIvYXdzEXAMPLETOKEN").chat(ChatRequest.of(MODEL, "hi"));
            ReplayServer.RecordedRequest sent = server.takeRequest();
            assertEquals("FQoGZXIvYXdzEXAMPLETOKEN", sent.header("x-amz-security-token"));
            assertTrue(sent.header("authorization").contains("SignedHeaders=content-type;host;x-amz-date;"
                    + "x-amz-security-token,"), sent.header("authorization"));
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void reasoning_keepsItsSignature(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, Reply.fixture("bedrock/converse_reasoning").paced(pace));
            ChatResponse r = provider(server).chat(ChatRequest.of(MODEL, "How many r's are in strawberry?"));
            assertEquals(1, r.reasoning().size());
            ReasoningBlock block = r.reasoning().get(0);
            assertEquals("Let me count the r's in \"strawberry\":\n\ns-t-r-a-w-b-e-r-r-y\n\nThere are 3 r's.", block.text());
            assertTrue(block.signature().startsWith("EvYBCkgICxABGAIqQA9E9VC377"), block.signature());
            assertEquals("There are **3** r's in \"strawberry\":\n\n1. st**r**awbe**r****r**y", r.text());
            assertEquals(new Usage(51, 78, 129, 0, 0, 0), r.usage());
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void parallelToolCalls_areRead_withTheirInputAsCompactJson(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, Reply.fixture("bedrock/converse_parallel_tool_calls").paced(pace));
            ChatResponse r = provider(server).chat(ChatRequest.of(MODEL, "Values of R1 and C1?"));
            assertEquals("Sure! I'll look up both values simultaneously right away!", r.text());
            assertEquals(List.of(new ToolCall("tooluse_hr5juciYZJwUHpRczsw13R", "get_resistor_value", "{\"ref\":\"R1\"}"),
                    new ToolCall("tooluse_AZHw3Ym0S07qOv5NlXj9iJ", "get_capacitor_value", "{\"ref\":\"C1\"}")),
                    r.toolCalls());
            assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
            assertEquals(new Usage(694, 110, 804, 0, 0, 0), r.usage());
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void guardrailIntervention_isAContentFilterFinish_withTheRawReasonKept(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, Reply.fixture("bedrock/converse_guardrail_intervened").paced(pace));
            ChatResponse r = provider(server).chat(ChatRequest.of(MODEL, "a restricted topic"));
            assertEquals(FinishReason.CONTENT_FILTER, r.finishReason());
            assertEquals("guardrail_intervened", r.rawFinishReason());
            assertEquals("Sorry, the model cannot answer this question.", r.text());
            assertTrue(r.raw().has("trace"), "the guardrail trace stays in raw()");
        }
    }

    @Test
    void cacheCounts_makeTheWholePrompt() {
        Usage u = ConverseDecoder.usage((JsonObject) Json.parse(
                "{\"inputTokens\":10,\"outputTokens\":5,\"totalTokens\":1015,\"cacheReadInputTokens\":800,"
                        + "\"cacheWriteInputTokens\":200}"));
        assertEquals(new Usage(1010, 5, 1015, 800, 200, 0), u);
        assertEquals(FinishReason.CONTENT_FILTER, ConverseDecoder.finishReason("content_filtered"));
        assertEquals(FinishReason.LENGTH, ConverseDecoder.finishReason("max_tokens"));
        assertEquals(FinishReason.STOP, ConverseDecoder.finishReason("stop_sequence"));
    }

    @Test
    void recordedValidationError_isAnInvalidRequest_withTheAwsTypeAndMessage() {
        JsonObject recorded = (JsonObject) Fixtures.json("bedrock/error_400_validation.recorded.json");
        Reply reply = Reply.json(recorded.intValue("status"), Json.write(recorded.object("body")));
        for (Map.Entry<String, dev.parley.json.JsonValue> h : recorded.object("headers").members().entrySet()) {
            reply = reply.withHeader(h.getKey(), ((dev.parley.json.JsonString) h.getValue()).value());
        }
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, reply);
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> provider(server).chat(ChatRequest.of(MODEL, "hi")));
            assertEquals("ValidationException", e.errorType());
            assertEquals(400, e.statusCode());
            assertTrue(e.providerMessage().startsWith("The content field in the Message object at messages.1 is empty."));
            assertFalse(e.retryable());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "429, ThrottlingException, RATE_LIMITED, true",
            "429, ModelNotReadyException, UNAVAILABLE, true",
            "503, ServiceUnavailableException, UNAVAILABLE, true",
            "403, AccessDeniedException, PERMISSION_DENIED, false",
            "403, UnrecognizedClientException, AUTHENTICATION, false",
            "403, InvalidSignatureException, AUTHENTICATION, false",
            "404, ResourceNotFoundException, NOT_FOUND, false",
            "400, ServiceQuotaExceededException, QUOTA_EXCEEDED, false",
            "408, ModelTimeoutException, TIMEOUT, true",
            "500, InternalServerException, SERVER_ERROR, true",
    })
    void awsErrorTypes_pickTheKind(int status, String type, LlmException.Kind kind, boolean retryable) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, Reply.json(status, "{\"message\":\"what " + type + " says\"}")
                    .withHeader("x-amzn-errortype", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/")
                    .withHeader("x-amzn-requestid", "rid-7"));
            LlmException e = assertThrows(LlmException.class, () -> provider(server).chat(ChatRequest.of(MODEL, "hi")));
            assertEquals(kind, e.kind());
            assertEquals(type, e.errorType());
            assertEquals("what " + type + " says", e.providerMessage());
            assertEquals("rid-7", e.requestId());
            assertEquals(retryable, e.retryable());
        }
    }

    @Test
    void nonJsonSuccess_isAServerError_notRetried() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", PATH, Reply.of(200, "application/json", "{\"output\":7}"));
            LlmException e = assertThrows(LlmException.class, () -> provider(server).chat(ChatRequest.of(MODEL, "hi")));
            assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
            assertFalse(e.retryable());
            assertFalse(e.getMessage().contains(SECRET));
        }
    }

    @Test
    void noModel_failsBeforeSending() {
        try (ReplayServer server = ReplayServer.start()) {
            assertThrows(LlmException.class, () -> provider(server).chat(ChatRequest.newBuilder()
                    .addMessage(Message.user("hi")).build()));
            assertEquals(0, server.pendingRequests());
        }
    }

    @Test
    void toString_showsNoSecret() {
        try (ReplayServer server = ReplayServer.start()) {
            String s = provider(server, "session-token-123456").toString();
            assertFalse(s.contains(SECRET), s);
            assertFalse(s.contains("session-token-123456"), s);
            assertTrue(s.contains(KEY_ID), s);
        }
    }
}
