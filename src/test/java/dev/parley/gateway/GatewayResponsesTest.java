package dev.parley.gateway;

import static dev.parley.gateway.TestHttp.json;
import static dev.parley.gateway.TestHttp.sseJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.FinishReason;
import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.Role;
import dev.parley.ToolCall;
import dev.parley.ToolCallDelta;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.retry.RetryPolicy;
import dev.parley.support.Fixtures;
import dev.parley.support.JsonShapes;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;
import dev.parley.testing.ScriptedProvider;

/**
 * {@code POST /v1/responses}: the Responses API in front of any provider, checked against the
 * shapes of real Responses samples (see the fixtures' README).
 */
class GatewayResponsesTest extends GatewayTestBase {

    private static final String STREAM_TEXT = "openai/responses_stream_text.response.sse";
    private static final String STREAM_TOOL = "openai/responses_stream_tool_call_reasoning.response.sse";
    /** Fields of OpenAI's response object this gateway does not write. */
    private static final Set<String> NOT_WRITTEN = Set.of("max_tool_calls", "prompt_cache_key", "safety_identifier",
            "service_tier", "top_logprobs", "text.verbosity", "response.max_tool_calls", "response.prompt_cache_key",
            "response.safety_identifier", "response.service_tier", "response.top_logprobs", "response.text.verbosity",
            "obfuscation");

    /** {@return the recorded events of both sample streams, one of each type} */
    private static Map<String, JsonObject> sampleEvents() {
        Map<String, JsonObject> byType = new HashMap<>();
        for (String f : List.of(STREAM_TEXT, STREAM_TOOL)) {
            for (JsonObject e : sseJson(Fixtures.text(f) + "\n")) {
                byType.putIfAbsent(e.string("type") + "/" + itemType(e), e);
            }
        }
        return byType;
    }

    private static String itemType(JsonObject e) {
        return e.optObject("item").map(i -> i.string("type")).orElse("");
    }

    @Test
    void plain_isAResponseShapedLikeOpenAis() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply(ChatResponse.newBuilder().provider("fake")
                .text("It is foggy.").finishReason("stop").usage(new Usage(14, 50, 64, 4, 0, 7)).build()).build();
        start(Gateway.newBuilder().defaultRoute(llm(p, "m")));

        HttpResponse<String> r = http.post("/v1/responses", """
                {"model":"gpt-4o-mini","instructions":"Be brief.","input":"What's the weather like in SF?",
                 "max_output_tokens":200,"temperature":0.3}""");

        assertEquals(200, r.statusCode(), r.body());
        JsonObject body = json(r);
        JsonShapes.assertSameShape(Fixtures.json("openai/responses_text.response.json"), body, NOT_WRITTEN, Set.of());
        assertTrue(body.string("id").startsWith("resp_"));
        assertEquals("completed", body.string("status"));
        assertEquals("gpt-4o-mini", body.string("model"));
        assertEquals("Be brief.", body.string("instructions"));
        assertEquals(200, body.longValue("max_output_tokens"));
        JsonObject message = body.array("output").object(0);
        assertEquals("It is foggy.", message.array("content").object(0).string("text"));
        assertEquals(Json.parse("{\"input_tokens\":14,\"input_tokens_details\":{\"cached_tokens\":4},\"output_tokens\":50,"
                + "\"output_tokens_details\":{\"reasoning_tokens\":7},\"total_tokens\":64}"), body.object("usage"));

        ChatRequest sent = p.requests().get(0);
        assertEquals(List.of(Message.system("Be brief."), Message.user("What's the weather like in SF?")), sent.messages());
        assertEquals(200, sent.maxTokens());
        assertEquals(0.3, sent.temperature());
    }

    @Test
    void streamed_sendsOpenAisEventsInOpenAisOrder() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").chunks(List.of(
                ChatChunk.newBuilder().reasoningDelta("Think").build(),
                ChatChunk.newBuilder().reasoningDelta(" twice").reasoningSignature("sig").build(),
                ChatChunk.ofText("Hello"), ChatChunk.ofText(", World!"),
                ChatChunk.newBuilder().finishReason(FinishReason.STOP).rawFinishReason("stop").usage(Usage.of(12, 10)).build()))
                .build();
        start(Gateway.newBuilder().defaultRoute(llm(p, "m")));

        HttpResponse<String> r = http.post("/v1/responses", "{\"model\":\"gpt-5\",\"input\":\"prompt\",\"stream\":true}");

        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
        assertFalse(r.body().contains("[DONE]"), "the Responses API has no [DONE]");
        List<JsonObject> events = sseJson(r.body());
        List<String> types = events.stream().map(e -> e.string("type")).toList();
        assertEquals(List.of("response.created", "response.in_progress",
                "response.output_item.added", "response.reasoning_summary_part.added",
                "response.reasoning_summary_text.delta", "response.reasoning_summary_text.delta",
                "response.reasoning_summary_text.done", "response.reasoning_summary_part.done", "response.output_item.done",
                "response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.completed"), types);
        for (String event : r.body().split("\n\n")) {
            if (!event.startsWith("event: ")) {
                continue;
            }
            String type = event.substring("event: ".length(), event.indexOf('\n'));
            assertTrue(event.contains("\"type\":\"" + type + "\""), "the event line names the data's type: " + event);
        }
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i, events.get(i).longValue("sequence_number"));
        }
        Map<String, JsonObject> samples = sampleEvents();
        for (JsonObject e : events) {
            JsonObject sample = samples.get(e.string("type") + "/" + itemType(e));
            if (sample != null) {
                Set<String> missing = new java.util.HashSet<>(NOT_WRITTEN);
                missing.add("item.encrypted_content");
                JsonShapes.assertSameShape(sample, e, missing, Set.of());
            }
        }
        JsonObject done = events.get(events.size() - 1).object("response");
        assertEquals("completed", done.string("status"));
        assertEquals(22, done.object("usage").longValue("total_tokens"));
        JsonArray output = done.array("output");
        assertEquals("Hello, World!", output.object(1).array("content").object(0).string("text"));
        assertEquals(events.get(8).object("item"), output.object(0));
        assertEquals("Think twice", output.object(0).array("summary").object(0).string("text"));
        assertEquals(events.get(2).object("item").string("id"), output.object(0).string("id"));
        assertEquals(events.get(11).string("item_id"), output.object(1).string("id"));
        assertEquals(1, events.get(11).longValue("output_index"));
    }

    /**
     * A reasoning model's signed thinking (Anthropic's) and tool call, through a client that
     * speaks only the Responses API: the reasoning item's {@code encrypted_content} brings the
     * exact block back to the upstream on the next turn.
     */
    @Test
    void signedReasoningAndToolCalls_roundTrip() {
        ScriptedProvider p = ScriptedProvider.newBuilder("anthropic")
                .reply(ChatResponse.newBuilder().provider("anthropic")
                        .reasoning(List.of(new ReasoningBlock("Need the weather.", "EqQBCkgIARABGAIiQ", null),
                                new ReasoningBlock("", null, "EmwKAhgBEgy3va3pzix")))
                        .toolCalls(List.of(new ToolCall("toolu_01", "get_weather", "{\"location\":\"Paris\"}")))
                        .finishReason("tool_use").build())
                .reply("Sunny in Paris.").build();
        start(Gateway.newBuilder().defaultRoute(llm(p, "m")));
        String tools = "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}]";

        JsonObject first = json(http.post("/v1/responses", "{\"input\":\"Weather in Paris?\"," + tools + "}"));
        JsonArray output = first.array("output");
        assertEquals(List.of("reasoning", "reasoning", "function_call"),
                output.values().stream().map(v -> ((JsonObject) v).string("type")).toList());
        assertEquals("toolu_01", output.object(2).string("call_id"));

        JsonArray.Builder input = JsonArray.newBuilder().add(Json.parse("{\"role\":\"user\",\"content\":\"Weather in Paris?\"}"));
        output.values().forEach(input::add);
        input.add(Json.parse("{\"type\":\"function_call_output\",\"call_id\":\"toolu_01\",\"output\":\"sunny\"}"));
        HttpResponse<String> second = http.post("/v1/responses", "{\"input\":" + Json.write(input.build()) + "," + tools + "}");
        assertEquals("Sunny in Paris.", json(second).array("output").object(0).array("content").object(0).string("text"));

        List<Message> sent = p.requests().get(1).messages();
        assertEquals(3, sent.size());
        assertEquals(List.of(new ReasoningBlock("Need the weather.", "EqQBCkgIARABGAIiQ", null),
                new ReasoningBlock("", null, "EmwKAhgBEgy3va3pzix")), sent.get(1).reasoning());
        assertEquals(List.of(new ToolCall("toolu_01", "get_weather", "{\"location\":\"Paris\"}")), sent.get(1).toolCalls());
        assertEquals(Role.TOOL, sent.get(2).role());
        assertEquals("sunny", sent.get(2).text());
    }

    /**
     * The gateway in front of OpenAI's own Responses API (the openai provider with
     * OPENAI_API=responses), replaying a real gpt-5 stream: the reasoning item with its real
     * encrypted content reaches the client as the upstream sent it, and goes back upstream
     * exactly when the client returns it.
     */
    @Test
    void responsesUpstream_passesRealReasoningItemsThroughBothWays() {
        String sample = Fixtures.text(STREAM_TOOL) + "\n";
        List<JsonObject> upstreamEvents = sseJson(sample);
        JsonObject reasoningItem = upstreamEvents.get(3).object("item");
        try (ReplayServer upstream = ReplayServer.start()) {
            upstream.on("POST", "/v1/responses", Reply.of(200, "text/event-stream", sample),
                    Reply.fixture("openai/responses_text"));
            Llm openai = Llm.newBuilder().provider("openai").settings(Map.of("OPENAI_API_KEY", "sk-test",
                    "OPENAI_BASE_URL", upstream.uri("/v1").toString(), "OPENAI_API", "responses"))
                    .defaultModel("gpt-5").retry(RetryPolicy.newBuilder().maxAttempts(1).build()).build();
            start(Gateway.newBuilder().defaultRoute(openai));
            String tools = "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"},\"strict\":true}]";

            HttpResponse<String> r = http.post("/v1/responses", "{\"model\":\"gpt-5\",\"stream\":true,\"store\":false,"
                    + "\"reasoning\":{\"effort\":\"minimal\"},\"input\":\"input?\"," + tools + "}");

            List<JsonObject> events = sseJson(r.body());
            JsonObject completed = events.get(events.size() - 1);
            assertEquals("response.completed", completed.string("type"), r.body());
            JsonArray output = completed.object("response").array("output");
            assertEquals(reasoningItem, output.object(0));
            assertEquals(reasoningItem.string("id"), events.get(2).object("item").string("id"),
                    "the added event names the upstream's reasoning item");
            assertEquals("call_zmgkl7rFpA4eOyUO0SamopGI", output.object(1).string("call_id"));
            assertEquals("{\"location\":\"New York City, USA\"}", output.object(1).string("arguments"));
            JsonObject firstSent = (JsonObject) Json.parse(upstream.takeRequest().body());
            assertEquals(Json.parse("{\"effort\":\"minimal\"}"), firstSent.object("reasoning"));

            List<dev.parley.json.JsonValue> input = new ArrayList<>();
            input.add(Json.parse("{\"role\":\"user\",\"content\":\"input?\"}"));
            input.addAll(output.values());
            input.add(Json.parse("{\"type\":\"function_call_output\",\"call_id\":\"call_zmgkl7rFpA4eOyUO0SamopGI\",\"output\":\"Sunny\"}"));
            HttpResponse<String> second = http.post("/v1/responses", "{\"model\":\"gpt-5\",\"input\":"
                    + Json.write(JsonArray.of(input)) + "," + tools + "}");
            assertEquals(200, second.statusCode(), second.body());

            JsonArray sentInput = ((JsonObject) Json.parse(upstream.takeRequest().body())).array("input");
            assertEquals(reasoningItem, sentInput.object(1));
            assertEquals("function_call", sentInput.object(2).string("type"));
            assertEquals("function_call_output", sentInput.object(3).string("type"));
        }
    }

    @Test
    void streamedToolCalls_becomeFunctionCallItems() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").chunks(List.of(
                ChatChunk.newBuilder().toolCalls(List.of(new ToolCallDelta(1, "call_a", "f", "{\"x\":"))).build(),
                ChatChunk.newBuilder().toolCalls(List.of(new ToolCallDelta(3, "call_b", "g", ""))).build(),
                ChatChunk.newBuilder().toolCalls(List.of(new ToolCallDelta(1, null, null, "1}"))).build(),
                ChatChunk.newBuilder().finishReason(FinishReason.TOOL_CALLS).build())).build();
        start(Gateway.newBuilder().defaultRoute(llm(p, "m")));

        List<JsonObject> events = sseJson(http.post("/v1/responses",
                "{\"input\":\"hi\",\"stream\":true,\"tools\":[{\"type\":\"function\",\"name\":\"f\"},{\"type\":\"function\",\"name\":\"g\"}]}").body());

        JsonArray output = events.get(events.size() - 1).object("response").array("output");
        assertEquals(Json.parse("{\"type\":\"function_call\",\"status\":\"completed\",\"arguments\":\"{\\\"x\\\":1}\","
                + "\"call_id\":\"call_a\",\"name\":\"f\",\"id\":\"" + output.object(0).string("id") + "\"}"), output.object(0));
        assertEquals("call_b", output.object(1).string("call_id"));
        Map<String, JsonObject> samples = sampleEvents();
        for (JsonObject e : events) {
            JsonObject sample = samples.get(e.string("type") + "/" + itemType(e));
            if (sample != null && !e.string("type").equals("response.completed")) {
                JsonShapes.assertSameShape(sample, e, NOT_WRITTEN, Set.of());
            }
        }
        assertTrue(events.stream().anyMatch(e -> e.string("type").equals("response.function_call_arguments.done")
                && e.string("arguments").equals("{\"x\":1}")));
    }

    @Test
    void cutShort_isAnIncompleteResponse() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply(ChatResponse.newBuilder().provider("fake")
                .text("Once upon").finishReason("length").build()).build();
        start(Gateway.newBuilder().defaultRoute(llm(p, "m")));
        JsonObject body = json(http.post("/v1/responses", "{\"input\":\"story\",\"max_output_tokens\":2}"));
        assertEquals("incomplete", body.string("status"));
        assertEquals("max_output_tokens", body.object("incomplete_details").string("reason"));
    }

    @Test
    void whatTheGatewayCannotDo_isA400NamingTheField() {
        start(Gateway.newBuilder().defaultRoute(llm(ScriptedProvider.newBuilder("fake").reply("x").build(), "m")));
        Map<String, String> cases = Map.of(
                "{\"input\":\"hi\",\"previous_response_id\":\"resp_1\"}", "previous_response_id",
                "{\"input\":\"hi\",\"tools\":[{\"type\":\"web_search\"}]}", "tools[0].type",
                "{\"input\":[{\"type\":\"web_search_call\",\"id\":\"ws_1\"}]}", "input[0].type",
                "{\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_1\"}]}", "input[0]",
                "{\"model\":\"m\"}", "input");
        cases.forEach((body, param) -> {
            HttpResponse<String> r = http.post("/v1/responses", body);
            assertEquals(400, r.statusCode(), body);
            JsonObject error = json(r).object("error");
            assertEquals("invalid_request_error", error.string("type"));
            assertEquals(param, error.string("param"), body);
        });
        HttpResponse<String> r = http.post("/v1/responses", "{\"input\":\"hi\",\"previous_response_id\":\"resp_1\"}");
        assertTrue(json(r).object("error").string("message").contains("keeps no responses"), r.body());
        assertEquals(405, http.get("/v1/responses").statusCode());
    }

    @Test
    void upstreamFailures_areErrorsBeforeTheStream_andAnErrorEventAfter() {
        LlmException limited = LlmException.newBuilder(LlmException.Kind.RATE_LIMITED).provider("fake")
                .providerMessage("Slow down").build();
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").fail(limited).build();
        start(Gateway.newBuilder().defaultRoute(llm(p, "m")));
        HttpResponse<String> r = http.post("/v1/responses", "{\"input\":\"hi\",\"stream\":true}");
        assertEquals(429, r.statusCode());
        assertEquals("rate_limit_exceeded", json(r).object("error").string("code"));
        gateway.stop();
        http.close();

        LlmException broke = LlmException.newBuilder(LlmException.Kind.UNAVAILABLE).provider("fake")
                .providerMessage("Overloaded").build();
        start(Gateway.newBuilder().defaultRoute(llm(new FailingStreamProvider(List.of(ChatChunk.ofText("partial")), broke), "m")));
        HttpResponse<String> s = http.post("/v1/responses", "{\"input\":\"hi\",\"stream\":true}");
        assertEquals(200, s.statusCode());
        List<JsonObject> events = sseJson(s.body());
        JsonObject last = events.get(events.size() - 1);
        assertEquals("error", last.string("type"), s.body());
        assertEquals("service_unavailable", last.string("code"));
        assertEquals("Overloaded", last.string("message"));
        assertFalse(s.body().contains("response.completed"));
    }
}
