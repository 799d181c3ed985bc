package dev.parley.provider.ollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ContentPart;
import dev.parley.FinishReason;
import dev.parley.InvalidRequestException;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.ResponseFormat;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.UnsupportedCapabilityException;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.json.JsonBoolean;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.RecordedRequest;
import dev.parley.support.ReplayServer.Reply;

class OllamaChatTest {

    static Provider provider(ReplayServer server) {
        return provider(server, ProviderConfig.newBuilder());
    }

    static Provider provider(ReplayServer server, ProviderConfig.Builder config) {
        return new OllamaProviderFactory(name -> null).create(config.baseUrl(server.uri("")).build());
    }

    static JsonObject body(RecordedRequest request) {
        return (JsonObject) Json.parse(request.body());
    }

    static JsonObject json(String text) {
        return (JsonObject) Json.parse(text);
    }

    private static final JsonObject WEATHER_PARAMETERS = json("""
            {"type":"object","properties":{"city":{"type":"string","description":"The city to get the weather for"}},
             "required":["city"]}""");

    @Test
    void chat_parsesEveryField_ofRecordedResponse() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", Reply.fixture("ollama/chat"));
            ChatResponse r = provider(server).chat(ChatRequest.of("gemma2", "Hi"));

            assertEquals("Hello! 👋  How can I help you today?", r.text());
            assertEquals("gemma2", r.model());
            assertEquals("ollama", r.provider());
            assertNull(r.id(), "Ollama gives no completion id");
            assertEquals(FinishReason.STOP, r.finishReason());
            assertEquals("stop", r.rawFinishReason());
            assertEquals(new Usage(26, 12, 38, 0, 0, 0), r.usage());
            assertEquals(List.of(), r.toolCalls());
            assertEquals(List.of(), r.reasoning());
            assertNull(r.refusal());
            assertNull(r.requestId(), "the recorded headers carry no request id");
            assertEquals("application/json; charset=utf-8", r.headers().firstValue("content-type").orElseThrow());
            // Durations stay in the raw body only.
            assertEquals(9819624917L, r.raw().longValue("total_duration"));
            assertEquals(462770333L, r.raw().longValue("eval_duration"));
            assertEquals(Fixtures.json("ollama/chat.response.json"), r.raw());

            RecordedRequest sent = server.takeRequest();
            assertEquals("POST", sent.method());
            assertEquals("/api/chat", sent.path());
            assertEquals("application/json", sent.header("Content-Type"));
            assertNull(sent.header("Authorization"), "no key configured, no Authorization header");
            assertEquals(json("""
                    {"model":"gemma2","messages":[{"role":"user","content":"Hi"}],"stream":false}"""), body(sent));
        }
    }

    @Test
    void chat_takesRequestIdFromHeaders() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", Reply.fixture("ollama/chat").withHeader("x-request-id", "req-42"));
            ChatResponse r = provider(server).chat(ChatRequest.of("gemma2", "Hi"));
            assertEquals("req-42", r.requestId());
        }
    }

    @Test
    void chatTools_sendsTheFixtureRequest_andParsesTheToolCall() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", Reply.fixture("ollama/chat_tools"));
            ChatRequest request = ChatRequest.newBuilder()
                    .model("llama3.2")
                    .addMessage(Message.user("what is the weather in tokyo?"))
                    .addTool(Tool.of("get_weather", "Get the weather in a given city", WEATHER_PARAMETERS))
                    .build();
            ChatResponse r = provider(server).chat(request);

            // The fixture request already says "stream": false, so the bodies are identical.
            assertEquals(Fixtures.json("ollama/chat_tools.request.json"), body(server.takeRequest()));

            assertEquals(List.of(new ToolCall("call_0", "get_weather", "{\"city\":\"Tokyo\"}")), r.toolCalls());
            assertEquals(json("{\"city\":\"Tokyo\"}"), r.toolCalls().get(0).argumentsJson());
            assertEquals("", r.text());
            assertEquals("llama3.2", r.model());
            assertEquals("stop", r.rawFinishReason(), "Ollama says stop even for tool calls; the raw value is kept");
            assertEquals(FinishReason.TOOL_CALLS, r.finishReason(), "normalized to TOOL_CALLS because calls are present");
            assertEquals(new Usage(169, 18, 187, 0, 0, 0), r.usage());
            assertEquals(3244883583L, r.raw().longValue("total_duration"));
        }
    }

    @Test
    void chat_usesToolCallIdsWhenTheServerSendsThem_andKeepsStringArguments() {
        try (ReplayServer server = ReplayServer.start()) {
            // Synthetic: a newer server with ids, and a proxy that sends arguments as text.
            server.on("POST", "/api/chat", Reply.json(200, """
                    {"model":"m","message":{"role":"assistant","content":"","tool_calls":[
                      {"id":"call_abc","function":{"index":0,"name":"a","arguments":{"x":[1,2.5,"y"]}}},
                      {"function":{"name":"b","arguments":"{\\"q\\":1}"}},
                      {"function":{"name":"c"}}]},
                     "done":true,"done_reason":"stop","prompt_eval_count":1,"eval_count":2}"""));
            ChatResponse r = provider(server).chat(ChatRequest.of("m", "x"));
            assertEquals(List.of(
                    new ToolCall("call_abc", "a", "{\"x\":[1,2.5,\"y\"]}"),
                    new ToolCall("call_1", "b", "{\"q\":1}"),
                    new ToolCall("call_2", "c", "{}")), r.toolCalls());
            assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
        }
    }

    @Test
    void chat_lengthStaysLength_evenWithToolCalls() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", Reply.json(200, """
                    {"model":"m","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"a","arguments":{}}}]},
                     "done":true,"done_reason":"length"}"""));
            ChatResponse r = provider(server).chat(ChatRequest.of("m", "x"));
            assertEquals(FinishReason.LENGTH, r.finishReason());
            assertEquals(Usage.ZERO, r.usage(), "counts the server does not report are 0");
        }
    }

    @Test
    void chat_sendsEveryMappedField_andMergesExtraOptions() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", Reply.fixture("ollama/chat"));
            JsonObject schema = json("{\"type\":\"object\",\"properties\":{\"age\":{\"type\":\"integer\"}}}");
            ChatRequest request = ChatRequest.newBuilder()
                    .model("qwen3")
                    .addMessage(Message.system("Be brief."))
                    .addMessage(Message.developer("Use metric units."))
                    .addMessage(Message.user(List.of(ContentPart.text("What is "), ContentPart.text("this?"),
                            ContentPart.imageBase64("image/png", "iVBORw0KGgo="),
                            ContentPart.imageUrl("data:image/jpeg;base64,/9j/4AAQ"))))
                    .addMessage(Message.assistant("Let me check.", List.of(
                                    ToolCall.of("call_0", "get_weather", json("{\"city\":\"Paris\"}"))))
                            .withReasoning(List.of(ReasoningBlock.of("The user wants "), ReasoningBlock.of("weather."))))
                    .addMessage(Message.tool("call_0", "{\"temp\":21}"))
                    .addMessage(Message.tool("call_unknown", "orphan").withName("ignored"))
                    .addTool(Tool.of("get_weather", null, WEATHER_PARAMETERS))
                    .toolChoice(ToolChoice.auto())
                    .temperature(0.2)
                    .topP(0.9)
                    .maxTokens(64)
                    .stop(List.of("\n\n", "END"))
                    .seed(42)
                    .user("end-user-1")
                    .responseFormat(ResponseFormat.jsonSchema("person", schema))
                    .extra("keep_alive", JsonString.of("10m"))
                    .extra("think", JsonBoolean.TRUE)
                    .extra("options", json("{\"num_ctx\":8192,\"temperature\":0.7}"))
                    .extra("stream", JsonBoolean.TRUE)
                    .build();
            provider(server).chat(request);

            JsonObject expected = json("""
                    {"model":"qwen3",
                     "messages":[
                       {"role":"system","content":"Be brief."},
                       {"role":"system","content":"Use metric units."},
                       {"role":"user","content":"What is this?","images":["iVBORw0KGgo=","/9j/4AAQ"]},
                       {"role":"assistant","content":"Let me check.","thinking":"The user wants weather.",
                        "tool_calls":[{"id":"call_0","function":{"name":"get_weather","arguments":{"city":"Paris"}}}]},
                       {"role":"tool","content":"{\\"temp\\":21}","tool_name":"get_weather","tool_call_id":"call_0"},
                       {"role":"tool","content":"orphan","tool_call_id":"call_unknown"}],
                     "tools":[{"type":"function","function":{"name":"get_weather","parameters":
                       {"type":"object","properties":{"city":{"type":"string","description":"The city to get the weather for"}},
                        "required":["city"]}}}],
                     "format":{"type":"object","properties":{"age":{"type":"integer"}}},
                     "options":{"temperature":0.7,"top_p":0.9,"num_predict":64,"stop":["\\n\\n","END"],"seed":42,
                                "num_ctx":8192},
                     "keep_alive":"10m",
                     "think":true,
                     "stream":false}""");
            assertEquals(expected, body(server.takeRequest()),
                    "extra options merge into the generated ones (and win), stream stays Parley's, user is not sent");
        }
    }

    @Test
    void chat_jsonObjectFormat_isJsonString_andToolChoiceNoneSendsNoTools() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", Reply.fixture("ollama/chat"));
            provider(server).chat(ChatRequest.newBuilder().model("m").addMessage(Message.user("x"))
                    .responseFormat(ResponseFormat.jsonObject())
                    .addTool(Tool.of("t", "d", WEATHER_PARAMETERS)).toolChoice(ToolChoice.none())
                    .build());
            assertEquals(json("""
                    {"model":"m","messages":[{"role":"user","content":"x"}],"format":"json","stream":false}"""),
                    body(server.takeRequest()));
        }
    }

    @Test
    void chat_rejectsWhatOllamaCannotTake_beforeSending() {
        try (ReplayServer server = ReplayServer.start()) {
            Provider p = provider(server);

            UnsupportedCapabilityException forced = assertThrows(UnsupportedCapabilityException.class,
                    () -> p.chat(ChatRequest.newBuilder().model("m").addMessage(Message.user("x"))
                            .addTool(Tool.of("t", "d", WEATHER_PARAMETERS)).toolChoice(ToolChoice.required()).build()));
            assertTrue(forced.getMessage().contains("toolChoice"), forced.getMessage());

            InvalidRequestException url = assertThrows(InvalidRequestException.class,
                    () -> p.chat(ChatRequest.newBuilder().model("m").addMessage(Message.user(List.of(
                            ContentPart.text("see"), ContentPart.imageUrl("https://example.com/cat.png")))).build()));
            assertTrue(url.getMessage().contains("messages[0].content[1]"), url.getMessage());

            InvalidRequestException args = assertThrows(InvalidRequestException.class,
                    () -> p.chat(ChatRequest.newBuilder().model("m").addMessage(Message.user("x"))
                            .addMessage(Message.assistant("", List.of(new ToolCall("c1", "t", "{not json"))))
                            .addMessage(Message.tool("c1", "r")).build()));
            assertTrue(args.getMessage().contains("messages[1].toolCalls[0].arguments"), args.getMessage());

            InvalidRequestException noModel = assertThrows(InvalidRequestException.class,
                    () -> p.chat(ChatRequest.newBuilder().addMessage(Message.user("x")).build()));
            assertTrue(noModel.getMessage().contains("no model: set one on the request or a default model"));

            assertEquals(0, server.pendingRequests(), "nothing may be sent for a rejected request");
        }
    }

    @Test
    void chat_reasoningRoundTrip_thinkingInAndOut() {
        try (ReplayServer server = ReplayServer.start()) {
            // Synthetic: a thinking model's whole response.
            server.on("POST", "/api/chat", Reply.json(200, """
                    {"model":"qwen3","message":{"role":"assistant","content":"4","thinking":"2+2 is 4."},
                     "done":true,"done_reason":"stop","prompt_eval_count":10,"eval_count":7}"""));
            Provider p = provider(server);
            ChatResponse first = p.chat(ChatRequest.of("qwen3", "2+2?"));
            assertEquals(List.of(ReasoningBlock.of("2+2 is 4.")), first.reasoning());
            assertEquals("4", first.text());
            server.takeRequest();

            p.chat(ChatRequest.newBuilder().model("qwen3").addMessage(Message.user("2+2?"))
                    .addMessage(first.message()).addMessage(Message.user("and 3+3?")).build());
            assertEquals(json("{\"role\":\"assistant\",\"content\":\"4\",\"thinking\":\"2+2 is 4.\"}"),
                    body(server.takeRequest()).array("messages").object(1));
        }
    }

    @Test
    void keepAliveOption_isSentAsStringOrNumber() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/chat", Reply.fixture("ollama/chat"));
            provider(server, ProviderConfig.newBuilder().option("keepAlive", "30m")).chat(ChatRequest.of("m", "x"));
            assertEquals(JsonString.of("30m"), body(server.takeRequest()).get("keep_alive").orElseThrow());
            provider(server, ProviderConfig.newBuilder().option("keepAlive", "-1")).chat(ChatRequest.of("m", "x"));
            assertEquals(JsonNumber.of(-1), body(server.takeRequest()).get("keep_alive").orElseThrow());
        }
    }
}
