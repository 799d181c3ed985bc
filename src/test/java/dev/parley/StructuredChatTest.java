package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.schema.Description;
import dev.parley.schema.JsonBindException;
import dev.parley.schema.JsonSchema;
import dev.parley.testing.ScriptedProvider;

/** {@link Llm#chat(ChatRequest, Class)} and its repair turn, against a scripted provider. */
class StructuredChatTest {

    @Description("A capital city")
    record Capital(String country, String city, int population, Optional<String> note) {
    }

    private static Llm llm(ScriptedProvider p) {
        return Llm.newBuilder().provider(p).defaultModel("m").build();
    }

    private static final String PARIS = "{\"country\":\"France\",\"city\":\"Paris\",\"population\":2100000,\"note\":null}";

    @Test
    void chat_sendsTheSchemaAndBindsTheAnswer() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply(PARIS).build();
        Capital c = llm(p).chat(ChatRequest.of("m", "Capital of France?"), Capital.class);
        assertEquals(new Capital("France", "Paris", 2_100_000, Optional.empty()), c);
        ResponseFormat f = p.requests().get(0).responseFormat();
        assertEquals(ResponseFormat.Type.JSON_SCHEMA, f.type());
        assertEquals("Capital", f.name());
        assertTrue(f.strict());
        assertEquals(JsonSchema.of(Capital.class), f.schema());
        assertEquals(1, p.requests().size());
    }

    @Test
    void invalidThenValid_repairTurnCarriesTheErrorAndBindsTheSecondAnswer() {
        String bad = "{\"country\":\"France\",\"city\":\"Paris\",\"population\":\"many\",\"note\":null}";
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply(bad).reply(PARIS).build();
        Structured<Capital> s = llm(p).chat(ChatRequest.of("m", "Capital of France?"), Capital.class,
                StructuredOptions.defaults());
        assertEquals("Paris", s.value().city());
        assertEquals(2, s.attempts());
        assertEquals(PARIS, s.response().text());
        List<Message> second = p.requests().get(1).messages();
        assertEquals(3, second.size());
        assertEquals(Role.ASSISTANT, second.get(1).role());
        assertEquals(bad, second.get(1).text());
        assertEquals(Role.USER, second.get(2).role());
        assertEquals("Your answer does not fit the required JSON schema: $.population: expected a whole number,"
                + " got a string. Answer again with the corrected JSON object only.", second.get(2).text());
        assertEquals(p.requests().get(0).responseFormat(), p.requests().get(1).responseFormat());
    }

    @Test
    void invalidTwice_failsWithTheLastTextAndPath() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply("{\"country\":\"France\"}")
                .reply("{\"country\":\"France\",\"city\":7}").build();
        StructuredOutputException e = assertThrows(StructuredOutputException.class,
                () -> llm(p).chat(ChatRequest.of("m", "Capital?"), Capital.class));
        assertEquals("{\"country\":\"France\",\"city\":7}", e.text());
        assertEquals("$.city", e.path());
        assertEquals("expected a string, got a number", e.reason());
        assertEquals(2, e.attempts());
        assertEquals("the answer does not fit the type after 2 attempts: $.city: expected a string, got a number",
                e.getMessage());
        assertInstanceOf(JsonBindException.class, e.getCause());
        assertEquals(2, p.requests().size());
    }

    @Test
    void noRepairs_failsAfterOneRequest() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply("not json at all").build();
        StructuredOutputException e = assertThrows(StructuredOutputException.class, () -> llm(p).chat(
                ChatRequest.of("m", "Capital?"), Capital.class, StructuredOptions.defaults().withRepairs(0)));
        assertEquals("$", e.path());
        assertTrue(e.reason().startsWith("the answer is not JSON: "), e.reason());
        assertEquals(1, p.requests().size());
    }

    @Test
    void jsonInsideProse_isFound() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply("Here it is:\n```json\n" + PARIS + "\n```").build();
        assertEquals("Paris", llm(p).chat(ChatRequest.of("m", "Capital?"), Capital.class).city());
    }

    @Test
    void refusalAndTruncation_areNotRepaired() {
        ScriptedProvider refused = ScriptedProvider.newBuilder("fake").reply(ChatResponse.newBuilder().provider("fake")
                .text("").refusal("I can't help with that.").finishReason("stop").build()).build();
        StructuredOutputException e = assertThrows(StructuredOutputException.class,
                () -> llm(refused).chat(ChatRequest.of("m", "x"), Capital.class));
        assertEquals("the model refused: I can't help with that.", e.reason());
        assertNull(e.getCause());
        assertEquals(1, refused.requests().size());

        ScriptedProvider cut = ScriptedProvider.newBuilder("fake").reply(ChatResponse.newBuilder().provider("fake")
                .text("{\"country\":\"Fra").finishReason("length").build()).build();
        e = assertThrows(StructuredOutputException.class, () -> llm(cut).chat(ChatRequest.of("m", "x"), Capital.class));
        assertEquals("the answer was cut off at the token limit; raise maxTokens", e.reason());
        assertEquals(1, cut.requests().size());
    }

    @Test
    void toolCallInsteadOfAnAnswer_isNotRepaired() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply(ChatResponse.newBuilder().provider("fake")
                .text("").toolCalls(List.of(new ToolCall("c1", "lookup", "{}"))).finishReason("tool_calls").build()).build();
        StructuredOutputException e = assertThrows(StructuredOutputException.class,
                () -> llm(p).chat(ChatRequest.of("m", "x"), Capital.class));
        assertEquals("the model called the tool lookup instead of answering; send the tool results and ask again",
                e.reason());
        assertEquals(1, p.requests().size());
    }

    @Test
    void optionsNameTheSchema_andTypesMustBeRecords() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply(PARIS).build();
        llm(p).chat(ChatRequest.of("m", "x"), Capital.class, StructuredOptions.defaults().withName("capital_city"));
        assertEquals("capital_city", p.requests().get(0).responseFormat().name());
        assertThrows(IllegalArgumentException.class, () -> StructuredOptions.defaults().withName("has space"));
        assertThrows(IllegalArgumentException.class, () -> StructuredOptions.defaults().withRepairs(4));
        IllegalArgumentException notRecord = assertThrows(IllegalArgumentException.class,
                () -> llm(p).chat(ChatRequest.of("m", "x"), String.class));
        assertTrue(notRecord.getMessage().contains("must be a record"), notRecord.getMessage());
    }

    record Recipe(String title, List<String> steps, int minutes) {
    }

    @Test
    void stream_deliversPartialsAsFieldsComplete_thenTheRecord() {
        String answer = "{\"title\":\"Soup\",\"steps\":[\"Boil water\",\"Add salt\"],\"minutes\":12}";
        List<ChatChunk> chunks = new ArrayList<>();
        for (int i = 0; i < answer.length(); i += 3) {
            chunks.add(ChatChunk.newBuilder().textDelta(answer.substring(i, Math.min(answer.length(), i + 3))).build());
        }
        chunks.add(ChatChunk.newBuilder().finishReason(FinishReason.STOP).build());
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").chunks(chunks).build();
        List<String> seen = new ArrayList<>();
        try (StructuredStream<Recipe> s = llm(p).stream(ChatRequest.of("m", "soup"), Recipe.class)) {
            for (JsonObject partial : s) {
                seen.add(Json.write(partial));
            }
            assertEquals(new Recipe("Soup", List.of("Boil water", "Add salt"), 12), s.value());
            assertEquals(answer, s.response().text());
        }
        assertEquals(List.of("{}", "{\"title\":\"Soup\"}", "{\"title\":\"Soup\",\"steps\":[]}",
                "{\"title\":\"Soup\",\"steps\":[\"Boil water\"]}", "{\"title\":\"Soup\",\"steps\":[\"Boil water\",\"Add salt\"]}",
                "{\"title\":\"Soup\",\"steps\":[\"Boil water\",\"Add salt\"],\"minutes\":12}"), seen);
        assertEquals(ResponseFormat.Type.JSON_SCHEMA, p.requests().get(0).responseFormat().type());
    }

    @Test
    void stream_invalidAnswer_failsOnValue() {
        ScriptedProvider p = ScriptedProvider.newBuilder("fake").reply("{\"title\":\"Soup\"}").build();
        try (StructuredStream<Recipe> s = llm(p).stream(ChatRequest.of("m", "soup"), Recipe.class)) {
            StructuredOutputException e = assertThrows(StructuredOutputException.class, s::value);
            assertEquals("$.steps", e.path());
            assertEquals("missing", e.reason());
        }
    }

    @Test
    void partialJson_neverShowsHalfValues() {
        assertNull(PartialJson.read("Sure: "));
        assertEquals("{}", Json.write(PartialJson.read("```json\n{\"a\":12")));
        assertEquals("{\"a\":12}", Json.write(PartialJson.read("{\"a\":12,")));
        assertEquals("{\"a\":{\"b\":[true]}}", Json.write(PartialJson.read("{\"a\":{\"b\":[true,fal")));
        assertEquals("{\"s\":\"x\\\"y\"}", Json.write(PartialJson.read("{\"s\":\"x\\\"y\",\"t\":\"ab")));
        assertNull(PartialJson.read("{\"a\":}"));
        String deep = "{\"a\":".repeat(1000);
        assertNull(PartialJson.read(deep), "deeper than the limit: nothing, and no stack overflow");
    }
}
