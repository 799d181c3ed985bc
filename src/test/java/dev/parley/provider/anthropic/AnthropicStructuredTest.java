package dev.parley.provider.anthropic;

import static dev.parley.provider.anthropic.TestSupport.body;
import static dev.parley.provider.anthropic.TestSupport.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.FinishReason;
import dev.parley.Llm;
import dev.parley.Message;
import dev.parley.ResponseFormat;
import dev.parley.Structured;
import dev.parley.StructuredOptions;
import dev.parley.StructuredStream;
import dev.parley.Tool;
import dev.parley.ToolChoice;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.schema.JsonSchema;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;

/**
 * Structured answers on Anthropic: the schema becomes a tool the model must call, and that
 * call's input is the answer. The replies are the recorded fixtures of a get_weather tool call.
 */
class AnthropicStructuredTest {

    enum Units { c, f }

    record Weather(String location, Units units) {
    }

    record Place(String location) {
    }

    private static final StructuredOptions NAMED = StructuredOptions.defaults().withName("get_weather");

    @Test
    void chat_forcesTheAnswerTool_andBindsItsInput() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/message_tool_use"));
            Llm llm = Llm.newBuilder().provider(provider(server)).build();
            Structured<Weather> s = llm.chat(ChatRequest.of("claude-haiku-4-5", "Weather in SF?"), Weather.class, NAMED);
            assertEquals(new Weather("San Francisco, CA", Units.f), s.value());
            assertEquals(FinishReason.STOP, s.response().finishReason());
            assertEquals(List.of(), s.response().toolCalls());
            assertEquals(74, s.response().usage().outputTokens());

            JsonObject sent = body(server.takeRequest());
            assertEquals(Json.parse("{\"type\":\"tool\",\"name\":\"get_weather\"}"), sent.object("tool_choice"));
            assertEquals(1, sent.array("tools").size());
            JsonObject tool = sent.array("tools").object(0);
            assertEquals("get_weather", tool.string("name"));
            assertEquals(JsonSchema.of(Weather.class), tool.object("input_schema"));
            assertEquals("Give your answer by calling this tool: its input is the answer, a JSON object that follows"
                    + " the input schema.", tool.string("description"));
            assertFalse(sent.has("response_format"));
        }
    }

    @Test
    void withOtherTools_theModelMustCallOneOfThem_orAnswer() {
        JsonObject schema = JsonSchema.of(Weather.class);
        ChatRequest base = ChatRequest.newBuilder().model("claude-haiku-4-5").addMessage(Message.user("x"))
                .addTool(Tool.of("lookup", "Looks up a city", JsonSchema.of(Place.class)))
                .responseFormat(ResponseFormat.jsonSchema("answer", schema)).build();
        JsonObject sent = MessagesEncoder.encode("anthropic", base, 1024, false);
        assertEquals(List.of("lookup", "answer"), sent.array("tools").values().stream()
                .map(t -> ((JsonObject) t).string("name")).toList());
        assertEquals(Json.parse("{\"type\":\"any\"}"), sent.object("tool_choice"));
        JsonObject named = MessagesEncoder.encode("anthropic", base.toBuilder().toolChoice(ToolChoice.tool("lookup"))
                .build(), 1024, false);
        assertEquals(Json.parse("{\"type\":\"tool\",\"name\":\"lookup\"}"), named.object("tool_choice"));
        JsonObject none = MessagesEncoder.encode("anthropic", base.toBuilder().toolChoice(ToolChoice.none())
                .build(), 1024, false);
        assertEquals(Json.parse("{\"type\":\"tool\",\"name\":\"answer\"}"), none.object("tool_choice"));
        // Extended thinking refuses forced tool choices: auto, and the system prompt asks for the tool.
        JsonObject thinking = MessagesEncoder.encode("anthropic", ChatRequest.newBuilder().model("claude-sonnet-4-5")
                .addMessage(Message.system("Be brief.")).addMessage(Message.user("x"))
                .responseFormat(ResponseFormat.jsonSchema("answer", schema))
                .extra("thinking", Json.parse("{\"type\":\"enabled\",\"budget_tokens\":2048}"))
                .build(), 4096, false);
        assertEquals(Json.parse("{\"type\":\"auto\"}"), thinking.object("tool_choice"));
        assertEquals("Be brief.\n\nGive your final answer by calling the tool answer.", thinking.string("system"));
    }

    @Test
    void decoder_keepsOtherToolCalls_andReportsToolUseWhenThereAreSome() {
        JsonObject body = (JsonObject) Json.parse("""
                {"id":"m","model":"c","content":[
                  {"type":"tool_use","id":"t1","name":"lookup","input":{"location":"Oslo"}},
                  {"type":"tool_use","id":"t2","name":"answer","input":{"location":"Oslo","units":"c"}}],
                 "stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":2}}""");
        ChatResponse r = MessagesDecoder.response("anthropic", body, null, null, "answer");
        assertEquals("{\"location\":\"Oslo\",\"units\":\"c\"}", r.text());
        assertEquals(List.of("lookup"), r.toolCalls().stream().map(c -> c.name()).toList());
        assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
    }

    @Test
    void stream_answerToolInputArrivesAsText_partialsThenTheRecord() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/stream_text_then_tool_use"));
            Llm llm = Llm.newBuilder().provider(provider(server)).build();
            List<String> partials = new ArrayList<>();
            try (StructuredStream<Place> s = llm.stream(ChatRequest.of("claude-sonnet-4-20250514", "Weather in Paris?"),
                    Place.class, NAMED)) {
                s.forEach(p -> partials.add(Json.write(p)));
                assertEquals(new Place("Paris"), s.value());
                assertEquals(FinishReason.STOP, s.response().finishReason());
                assertEquals(List.of(), s.response().toolCalls());
            }
            // The recorded stream wrote a sentence before the call; the answer is the call's input.
            assertEquals(List.of("{}", "{\"location\":\"Paris\"}"), partials);
            JsonObject sent = body(server.takeRequest());
            assertEquals("get_weather", sent.object("tool_choice").string("name"));
            assertEquals(true, sent.booleanValue("stream"));
        }
    }
}
