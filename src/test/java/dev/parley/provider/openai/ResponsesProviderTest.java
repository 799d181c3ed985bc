package dev.parley.provider.openai;

import static dev.parley.provider.openai.Fakes.KEY;
import static dev.parley.provider.openai.Fakes.body;
import static dev.parley.provider.openai.Fakes.fixture;
import static dev.parley.provider.openai.Fakes.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChunkCollector;
import dev.parley.FinishReason;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.ResponseFormat;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.Usage;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonBoolean;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Pace;
import dev.parley.support.ReplayServer.RecordedRequest;
import dev.parley.support.ReplayServer.Reply;
import dev.parley.support.TestSubscriber;

/**
 * The {@code openai} provider in Responses mode ({@code api=responses}) against real Responses
 * API samples (see the fixtures' README), replayed whole and one byte per write.
 */
class ResponsesProviderTest {

    static final String STREAM_TEXT = "openai/responses_stream_text.response.sse";
    static final String STREAM_TOOL = "openai/responses_stream_tool_call_reasoning.response.sse";
    static final JsonObject WEATHER = json("{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\","
            + "\"description\":\"Name of the location to get the weather for\"}},\"required\":[\"location\"],"
            + "\"additionalProperties\":false}");

    static Provider responses(ReplayServer server) {
        return new OpenAiProviderFactory().create(ProviderConfig.newBuilder()
                .baseUrl(server.uri("/v1")).apiKey(KEY).option("api", "responses").build());
    }

    /**
     * {@return a stream fixture as served}: the samples come from string literals in the source's
     * tests, which stop after the last {@code data:} line; the blank line that ends that event on
     * the wire is added here (and only here)
     */
    static Reply stream(String fixture, Pace pace) {
        byte[] sample = Fixtures.bytes(fixture);
        byte[] body = Arrays.copyOf(sample, sample.length + 1);
        body[sample.length] = '\n';
        return new Reply(200, Map.of("content-type", "text/event-stream", "x-request-id", "req_stream"), body, pace);
    }

    /** {@return the {@code data:} objects of a stream fixture, in order} */
    static List<JsonObject> events(String fixture) {
        return Fixtures.text(fixture).lines().filter(l -> l.startsWith("data: "))
                .map(l -> (JsonObject) Json.parse(l.substring(6))).toList();
    }

    private static ChatResponse collect(List<ChatChunk> chunks) {
        ChunkCollector c = new ChunkCollector("openai");
        chunks.forEach(c::add);
        return c.result();
    }

    private static List<ChatChunk> streamAll(ReplayServer server, ChatRequest request) {
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>();
        responses(server).stream(request).subscribe(sub);
        sub.request(Long.MAX_VALUE);
        return sub.awaitCompletion();
    }

    // ---- non-streamed

    @ParameterizedTest
    @EnumSource(Pace.class)
    void text_isReadFromTheRecordedResponse(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/responses", Reply.fixture("openai/responses_text").paced(pace));
            ChatResponse r = responses(server).chat(ChatRequest.of("gpt-4o-mini", "What's the weather like in SF?"));

            assertTrue(r.text().startsWith("I can't provide real-time updates"), r.text());
            assertTrue(r.text().endsWith("variable weather!"), r.text());
            assertEquals("resp_689a0b2545288193953c892439b42e2800b2e36c65a1fd4b", r.id());
            assertEquals("gpt-4o-mini-2024-07-18", r.model());
            assertEquals(new Usage(14, 50, 64, 0, 0, 0), r.usage());
            assertEquals(FinishReason.STOP, r.finishReason());
            assertEquals("completed", r.rawFinishReason());
            assertTrue(r.toolCalls().isEmpty() && r.reasoning().isEmpty() && r.refusal() == null);
            assertEquals(fixture("openai/responses_text.response.json"), r.raw());

            RecordedRequest sent = server.takeRequest();
            assertEquals("/v1/responses", sent.path());
            assertEquals("Bearer " + KEY.value(), sent.header("Authorization"));
            assertEquals("application/json", sent.header("Accept"));
            // The recorded request sent the input as a string; Parley always sends items.
            JsonObject recorded = fixture("openai/responses_text.request.json");
            assertEquals(recorded.toBuilder().put("input", JsonArray.of(JsonObject.newBuilder()
                    .put("role", "user").put("content", recorded.string("input")).build())).build(), body(sent));
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void functionCall_thenItsResult_matchTheRecordedConversation(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/responses", Reply.fixture("openai/responses_tool_call").paced(pace),
                    Reply.fixture("openai/responses_tool_result").paced(pace));
            Provider p = responses(server);
            Tool capital = new Tool("get_capital", null, json("{\"additionalProperties\":false,\"properties\":"
                    + "{\"country\":{\"type\":\"string\"}},\"required\":[\"country\"],\"type\":\"object\"}"), true);
            ChatRequest first = ChatRequest.newBuilder().model("gpt-4o")
                    .addMessage(Message.user("What is the capital of PotatoLand?"))
                    .addTool(capital).toolChoice(ToolChoice.auto()).build();

            ChatResponse call = p.chat(first);

            assertEquals(List.of(new ToolCall("call_61cRAI5gleGxCN89umufHn2a", "get_capital", "{\"country\":\"PotatoLand\"}")),
                    call.toolCalls());
            assertEquals(FinishReason.TOOL_CALLS, call.finishReason());
            assertEquals(new Usage(256, 18, 274, 0, 0, 0), call.usage());
            assertEquals("", call.text());

            ChatRequest second = first.toBuilder().addMessage(call.message())
                    .addMessage(Message.tool("call_61cRAI5gleGxCN89umufHn2a", "Potato City")).build();
            ChatResponse answer = p.chat(second);
            assertEquals("The capital of PotatoLand is Potato City.", answer.text());
            assertEquals(FinishReason.STOP, answer.finishReason());

            // What was sent is what the recorded client sent, but for the empty instructions and
            // empty assistant text it added, and the tool's empty description it wrote.
            for (String name : List.of("openai/responses_tool_call.request.json", "openai/responses_tool_result.request.json")) {
                JsonObject recorded = fixture(name);
                JsonArray.Builder input = JsonArray.newBuilder();
                recorded.array("input").values().stream()
                        .filter(i -> !((JsonObject) i).stringOr("role", "").equals("assistant"))
                        .forEach(input::add);
                JsonObject tool = recorded.array("tools").object(0).toBuilder().remove("description").build();
                JsonObject expected = recorded.toBuilder().remove("instructions").put("input", input.build())
                        .put("tools", JsonArray.of(tool)).build();
                assertEquals(expected, body(server.takeRequest()), name);
            }
        }
    }

    /**
     * A reasoning response, non-streamed: the response object a real stream ended with (its
     * {@code response.completed} event), served as the body. The reasoning item comes back with
     * its encrypted content and goes back on the next turn exactly as it came, ahead of the call
     * it led to; with {@code store: false} the request asks for encrypted reasoning.
     */
    @Test
    void reasoning_withEncryptedContent_roundTripsExactly() {
        List<JsonObject> events = events(STREAM_TOOL);
        JsonObject completed = events.get(events.size() - 1).object("response");
        JsonObject reasoningItem = completed.array("output").object(0);
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/responses", Reply.json(200, Json.write(completed)),
                    Reply.fixture("openai/responses_text"));
            Provider p = responses(server);
            ChatRequest first = ChatRequest.newBuilder().model("gpt-5")
                    .addMessage(Message.user("What's the weather in New York?"))
                    .addTool(new Tool("get_weather", "Get the weather for a specified location", WEATHER, true))
                    .extra("store", JsonBoolean.FALSE)
                    .extra("reasoning", json("{\"effort\":\"minimal\",\"summary\":\"detailed\"}"))
                    .build();

            ChatResponse r = p.chat(first);

            assertEquals(1, r.reasoning().size());
            ReasoningBlock block = r.reasoning().get(0);
            assertEquals("", block.text());
            assertEquals(reasoningItem, Json.parse(block.signature()));
            assertEquals(FinishReason.TOOL_CALLS, r.finishReason());

            p.chat(first.toBuilder().addMessage(r.message())
                    .addMessage(Message.tool("call_zmgkl7rFpA4eOyUO0SamopGI", "Sunny")).build());

            JsonObject sent1 = body(server.takeRequest());
            assertEquals(JsonArray.of(JsonString.of("reasoning.encrypted_content")), sent1.array("include"));
            assertEquals(JsonBoolean.FALSE, sent1.get("store").orElseThrow());
            assertEquals(json("{\"effort\":\"minimal\",\"summary\":\"detailed\"}"), sent1.object("reasoning"));
            JsonArray input = body(server.takeRequest()).array("input");
            assertEquals(4, input.size(), input.toString());
            assertEquals(reasoningItem, input.object(1));
            assertEquals(json("{\"type\":\"function_call\",\"call_id\":\"call_zmgkl7rFpA4eOyUO0SamopGI\","
                    + "\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"New York City, USA\\\"}\"}"), input.object(2));
            assertEquals(json("{\"type\":\"function_call_output\",\"call_id\":\"call_zmgkl7rFpA4eOyUO0SamopGI\","
                    + "\"output\":\"Sunny\"}"), input.object(3));
        }
    }

    // ---- streamed

    @ParameterizedTest
    @EnumSource(Pace.class)
    void streamedText_addsUpToTheCompletedResponse(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/responses", stream(STREAM_TEXT, pace));
            List<ChatChunk> chunks = streamAll(server, ChatRequest.of("gpt-5", "prompt"));
            ChatResponse r = collect(chunks);

            assertEquals("Hello, World!", r.text());
            assertEquals("resp_68d7eff889908196bde536de7b601b7d07152cb8c6ac9072", r.id());
            assertEquals("gpt-5-2025-08-07", r.model());
            assertEquals("req_stream", r.requestId());
            assertEquals(new Usage(12, 10, 22, 0, 0, 0), r.usage());
            assertEquals(FinishReason.STOP, r.finishReason());
            assertEquals(1, r.reasoning().size());
            // The reasoning item as the output_item.done event gave it.
            assertEquals(events(STREAM_TEXT).get(3).object("item"), Json.parse(r.reasoning().get(0).signature()));
            for (ChatChunk c : chunks) {
                assertFalse(c.isEmpty(), c.toString());
                assertEquals("openai", c.provider());
                assertTrue(c.raw().has("sequence_number"), "each chunk keeps its event: " + c.raw());
            }

            JsonObject sent = body(server.takeRequest());
            assertEquals(JsonBoolean.TRUE, sent.get("stream").orElseThrow());
            assertFalse(sent.has("stream_options"), "the Responses API has no stream_options");
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void streamedFunctionCall_withReasoning_isAssembled(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/responses", stream(STREAM_TOOL, pace));
            ChatRequest request = ChatRequest.newBuilder().model("gpt-5").addMessage(Message.user("input?"))
                    .addTool(new Tool("get_weather", "Get the weather for a specified location", WEATHER, true)).build();
            List<ChatChunk> chunks = streamAll(server, request);
            ChatResponse r = collect(chunks);

            assertEquals(List.of(new ToolCall("call_zmgkl7rFpA4eOyUO0SamopGI", "get_weather",
                    "{\"location\":\"New York City, USA\"}")), r.toolCalls());
            assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
            assertEquals("completed", r.rawFinishReason());
            assertEquals(new Usage(69, 24, 93, 0, 0, 0), r.usage());
            JsonObject done = events(STREAM_TOOL).get(3).object("item");
            assertEquals("response.output_item.done", events(STREAM_TOOL).get(3).string("type"));
            assertEquals(List.of(new ReasoningBlock("", Json.write(done), null)), r.reasoning());
            assertEquals(0, chunks.stream().flatMap(c -> c.toolCalls().stream()).mapToInt(d -> d.index()).max().orElse(-1),
                    "one call, numbered 0 though it is output item 1");

            JsonObject sent = body(server.takeRequest());
            assertEquals(json("{\"type\":\"function\",\"name\":\"get_weather\",\"description\":\"Get the weather for a "
                    + "specified location\",\"parameters\":" + Json.write(WEATHER) + ",\"strict\":true}"), sent.array("tools").object(0));
        }
    }

    @Test
    void streamWithoutItsEndEvent_isACutStream() {
        String sample = Fixtures.text(STREAM_TEXT);
        String cut = sample.substring(0, sample.indexOf("event: response.completed"));
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/responses", Reply.of(200, "text/event-stream", cut));
            LlmException e = assertThrows(LlmException.class,
                    () -> responses(server).stream(ChatRequest.of("gpt-5", "prompt")).collect());
            assertEquals(LlmException.Kind.STREAM_INTERRUPTED, e.kind(), e.toString());
        }
    }

    /** The tool loop over the Responses wire, streamed: the real reasoning item goes back with the result. */
    @Test
    void toolLoop_streamed_sendsTheReasoningCallAndResultBack() {
        dev.parley.tools.Toolbox tools = dev.parley.tools.Toolbox.newBuilder()
                .add("get_weather", "Get the weather for a specified location", WEATHER,
                        args -> "Sunny in " + args.string("location"))
                .build();
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/responses", stream(STREAM_TOOL, Pace.WHOLE), stream(STREAM_TEXT, Pace.WHOLE));
            dev.parley.Llm llm = dev.parley.Llm.newBuilder().provider(responses(server)).defaultModel("gpt-5")
                    .retry(dev.parley.retry.RetryPolicy.newBuilder().maxAttempts(1).build()).build();
            dev.parley.tools.ToolLoopResult result = dev.parley.tools.ToolLoop.newBuilder(llm).tools(tools).build()
                    .runStreaming(ChatRequest.newBuilder().addMessage(Message.user("input?"))
                            .extra("store", JsonBoolean.FALSE).build());

            assertEquals(2, result.steps().size(), "a turn of tool calls, then the answer");
            assertEquals("Hello, World!", result.text());
            server.takeRequest();
            JsonObject second = body(server.takeRequest());
            assertEquals(JsonArray.of(JsonString.of("reasoning.encrypted_content")), second.array("include"));
            JsonArray input = second.array("input");
            assertEquals(List.of("user", "reasoning", "function_call", "function_call_output"), input.values().stream()
                    .map(v -> ((JsonObject) v).optString("type").orElseGet(() -> ((JsonObject) v).string("role"))).toList());
            assertEquals(events(STREAM_TOOL).get(3).object("item"), input.object(1));
            assertEquals("Sunny in New York City, USA", input.object(3).string("output"));
            assertEquals("call_zmgkl7rFpA4eOyUO0SamopGI", input.object(3).string("call_id"));
        }
    }

    // ---- assembled from the streaming reference (no public capture has these events)

    @Test
    void summaries_unknownEvents_andIncomplete() {
        String sse = """
                event: response.created
                data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","model":"o4-mini","status":"in_progress","output":[]}}

                event: response.output_item.added
                data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[]}}

                event: response.reasoning_summary_part.added
                data: {"type":"response.reasoning_summary_part.added","sequence_number":2,"item_id":"rs_1","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":""}}

                event: response.reasoning_summary_text.delta
                data: {"type":"response.reasoning_summary_text.delta","sequence_number":3,"item_id":"rs_1","output_index":0,"summary_index":0,"delta":"**Plan**"}

                event: response.reasoning_summary_part.added
                data: {"type":"response.reasoning_summary_part.added","sequence_number":4,"item_id":"rs_1","output_index":0,"summary_index":1,"part":{"type":"summary_text","text":""}}

                event: response.reasoning_summary_text.delta
                data: {"type":"response.reasoning_summary_text.delta","sequence_number":5,"item_id":"rs_1","output_index":0,"summary_index":1,"delta":"Search first."}

                event: response.output_item.done
                data: {"type":"response.output_item.done","sequence_number":6,"output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[{"type":"summary_text","text":"**Plan**"},{"type":"summary_text","text":"Search first."}],"encrypted_content":"gAAAA-opaque"}}

                event: response.web_search_call.searching
                data: {"type":"response.web_search_call.searching","sequence_number":7,"output_index":1,"item_id":"ws_1"}

                event: response.output_text.annotation.added
                data: {"type":"response.output_text.annotation.added","sequence_number":8,"item_id":"msg_1","output_index":2,"content_index":0,"annotation_index":0,"annotation":{"type":"url_citation","url":"https://example.com","title":"Example","start_index":0,"end_index":3}}

                event: response.refusal.delta
                data: {"type":"response.refusal.delta","sequence_number":8,"item_id":"msg_1","output_index":2,"content_index":0,"delta":"No."}

                event: response.incomplete
                data: {"type":"response.incomplete","sequence_number":9,"response":{"id":"resp_1","model":"o4-mini","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"usage":{"input_tokens":20,"input_tokens_details":{"cached_tokens":16},"output_tokens":30,"output_tokens_details":{"reasoning_tokens":25},"total_tokens":50}}}

                """;
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/responses", Reply.of(200, "text/event-stream", sse).paced(Pace.ONE_BYTE_PER_WRITE));
            List<ChatChunk> chunks = streamAll(server, ChatRequest.of("o4-mini", "hi"));
            ChatResponse r = collect(chunks);

            JsonObject item = inlineEvents(sse).get(6).object("item");
            assertEquals(List.of(ResponsesDecoder.reasoningBlock(item)), r.reasoning());
            assertEquals("**Plan**\n\nSearch first.", r.reasoningText());
            assertEquals("No.", r.refusal());
            assertEquals(FinishReason.LENGTH, r.finishReason());
            assertEquals("max_output_tokens", r.rawFinishReason());
            assertEquals(new Usage(20, 30, 50, 16, 0, 25), r.usage());
            for (String kept : List.of("response.web_search_call.searching", "response.output_text.annotation.added")) {
                assertTrue(chunks.stream().anyMatch(c -> c.isEmpty() && kept.equals(c.raw().string("type"))), kept + " kept raw");
            }
        }
    }

    private static List<JsonObject> inlineEvents(String sse) {
        return sse.toString().lines().filter(l -> l.startsWith("data: "))
                .map(l -> (JsonObject) Json.parse(l.substring(6))).toList();
    }

    @Test
    void failedResponse_andErrorEvent_failTheStreamWithTheProvidersError() {
        String failed = "event: response.failed\ndata: {\"type\":\"response.failed\",\"sequence_number\":1,\"response\":"
                + "{\"id\":\"resp_1\",\"status\":\"failed\",\"error\":{\"code\":\"rate_limit_exceeded\",\"message\":\"Slow down.\"}}}\n\n";
        String error = "event: error\ndata: {\"type\":\"error\",\"sequence_number\":1,\"code\":\"server_error\","
                + "\"message\":\"Something broke " + KEY.value() + "\",\"param\":null}\n\n";
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/responses", Reply.of(200, "text/event-stream", failed),
                    Reply.of(200, "text/event-stream", error));
            LlmException e1 = assertThrows(LlmException.class,
                    () -> responses(server).stream(ChatRequest.of("gpt-5", "hi")).collect());
            assertEquals(LlmException.Kind.RATE_LIMITED, e1.kind());
            assertEquals("Slow down.", e1.providerMessage());
            LlmException e2 = assertThrows(LlmException.class,
                    () -> responses(server).stream(ChatRequest.of("gpt-5", "hi")).collect());
            assertEquals(LlmException.Kind.SERVER_ERROR, e2.kind());
            assertFalse(e2.getMessage().contains(KEY.value()) || e2.providerMessage().contains(KEY.value()));
        }
    }

    @Test
    void malformedEvents_failTheStreamWithATypedError() {
        for (String sse : List.of("data: {not json\n\n", "data: [1,2]\n\n",
                "data: {\"type\":\"response.output_text.delta\",\"delta\":5}\n\n")) {
            try (ReplayServer server = ReplayServer.start()) {
                server.on("POST", "/v1/responses", Reply.of(200, "text/event-stream", sse));
                LlmException e = assertThrows(LlmException.class,
                        () -> responses(server).stream(ChatRequest.of("gpt-5", "hi")).collect(), sse);
                assertFalse(e.getMessage().contains("java."), e.getMessage());
            }
        }
    }

    @Test
    void failedStatus_inAWholeResponse_isAnError() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/responses", Reply.json(200, "{\"id\":\"resp_1\",\"object\":\"response\","
                    + "\"status\":\"failed\",\"error\":{\"code\":\"server_error\",\"message\":\"The model failed.\"},\"output\":[]}"));
            LlmException e = assertThrows(LlmException.class, () -> responses(server).chat(ChatRequest.of("gpt-5", "hi")));
            assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
            assertEquals("The model failed.", e.providerMessage());
        }
    }

    // ---- the request

    @Test
    void request_mapsEveryField() {
        ChatRequest r = ChatRequest.newBuilder().model("gpt-5")
                .addMessage(Message.system("Be brief."))
                .addMessage(Message.user(List.of(dev.parley.ContentPart.text("What is this?"),
                        dev.parley.ContentPart.imageUrl("https://example.com/a.png"))))
                .addMessage(Message.assistant("A cat.").withReasoning(List.of(ReasoningBlock.of("plain, not sendable"),
                        new ReasoningBlock("t", "anthropic-signature", null))))
                .addMessage(Message.developer("Answer in French."))
                .temperature(0.5).topP(0.9).maxTokens(100)
                .responseFormat(new ResponseFormat(ResponseFormat.Type.JSON_SCHEMA, "answer",
                        json("{\"type\":\"object\"}"), true))
                .toolChoice(ToolChoice.tool("f")).addTool(Tool.of("f", "F", JsonObject.of()))
                .user("u1")
                .extra("reasoning_effort", JsonString.of("low"))
                .extra("previous_response_id", JsonString.of("resp_prev"))
                .build();
        JsonObject body = ResponsesEncoder.create("openai", Dialect.OPENAI, r, false);
        assertEquals(json("""
                {"model":"gpt-5","instructions":"Be brief.",
                 "input":[{"role":"user","content":[{"type":"input_text","text":"What is this?"},
                                                     {"type":"input_image","image_url":"https://example.com/a.png"}]},
                          {"role":"assistant","content":"A cat."},
                          {"role":"developer","content":"Answer in French."}],
                 "temperature":0.5,"top_p":0.9,"max_output_tokens":100,
                 "tools":[{"type":"function","name":"f","description":"F","parameters":{},"strict":false}],
                 "tool_choice":{"type":"function","name":"f"},
                 "text":{"format":{"type":"json_schema","name":"answer","schema":{"type":"object"},"strict":true}},
                 "user":"u1","reasoning":{"effort":"low"},"previous_response_id":"resp_prev"}"""), body);
        assertNull(ResponsesEncoder.reasoningItem(new ReasoningBlock("", "{\"type\":\"thinking\"}", null)));
        assertEquals("system", ResponsesEncoder.create("openai-compatible", Dialect.COMPATIBLE, r, false)
                .array("input").object(2).string("role"), "a compatible server gets developer messages as system");
    }

    @Test
    void stopSequencesAndSeed_areRefusedBeforeSending() {
        try (ReplayServer server = ReplayServer.start()) {
            Provider p = responses(server);
            LlmException stop = assertThrows(LlmException.class, () -> p.chat(ChatRequest.newBuilder().model("m")
                    .addMessage(Message.user("x")).stop(List.of("END")).build()));
            assertEquals(LlmException.Kind.UNSUPPORTED, stop.kind());
            LlmException seed = assertThrows(LlmException.class, () -> p.stream(ChatRequest.newBuilder().model("m")
                    .addMessage(Message.user("x")).seed(1).build()));
            assertEquals(LlmException.Kind.UNSUPPORTED, seed.kind());
            assertEquals(0, server.pendingRequests());
        }
    }

    @Test
    void configuration_choosesTheApi() {
        ProviderConfig.Builder base = ProviderConfig.newBuilder().apiKey(KEY);
        assertInstanceOf(OpenAiProvider.class, new OpenAiProviderFactory().create(base.build()));
        Provider p = new OpenAiProviderFactory().create(base.option("api", "responses").build());
        assertInstanceOf(ResponsesProvider.class, p);
        assertTrue(p.capabilities().contains(Capability.REASONING) && p.capabilities().contains(Capability.TOOLS));
        assertFalse(p.toString().contains(KEY.value()));
        LlmException bad = assertThrows(LlmException.class, () -> new OpenAiProviderFactory().create(
                ProviderConfig.newBuilder().apiKey(KEY).option("api", "assistants").build()));
        assertEquals(LlmException.Kind.CONFIGURATION, bad.kind());
        assertTrue(bad.getMessage().contains("expected chat or responses"), bad.getMessage());
        assertInstanceOf(ResponsesProvider.class, new OpenAiCompatibleProviderFactory().create(ProviderConfig.newBuilder()
                .baseUrl(java.net.URI.create("http://localhost:8000/v1")).option("api", "responses").build()));
    }

    @Test
    void setting_OPENAI_API_choosesResponses() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/responses", Reply.fixture("openai/responses_text"));
            dev.parley.Llm llm = dev.parley.Llm.newBuilder().provider("openai").settings(Map.of(
                    "OPENAI_API_KEY", "sk-test", "OPENAI_BASE_URL", server.uri("/v1").toString(),
                    "OPENAI_API", "responses")).defaultModel("gpt-4o-mini").build();
            assertTrue(llm.chat("What's the weather like in SF?").text().startsWith("I can't"));
            assertEquals("/v1/responses", server.takeRequest().path());
        }
    }

}
