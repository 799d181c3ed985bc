package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.retry.RetryPolicy;
import dev.parley.schema.Description;
import dev.parley.schema.JsonSchema;
import dev.parley.support.LocalProviders;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;

/**
 * One record with a nested record, an enum, a list and an optional field, asked of OpenAI
 * ({@code json_schema} strict), Anthropic (a forced tool) and Ollama ({@code format}) over their
 * wire formats: the request body has the documented shape with the record's schema, and the
 * answer, in each provider's documented response shape, binds back to the same record.
 */
class StructuredRoundTripTest {

    public enum Pace { RELAXED, BRISK }

    public record Stop(@Description("a city") String city, int nights) {
    }

    public record Trip(String name, Pace pace, List<Stop> stops, Optional<String> note) {
    }

    private static final Trip TRIP = new Trip("Loire", Pace.RELAXED,
            List.of(new Stop("Tours", 2), new Stop("Blois", 1)), Optional.empty());
    private static final String TRIP_JSON = "{\"name\":\"Loire\",\"pace\":\"RELAXED\",\"stops\":[{\"city\":\"Tours\","
            + "\"nights\":2},{\"city\":\"Blois\",\"nights\":1}],\"note\":null}";

    @ParameterizedTest
    @ValueSource(strings = {"openai", "anthropic", "ollama"})
    void aRecord_roundTrips_withTheProvidersMechanism(String provider) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", path(provider), Reply.json(200, answer(provider)));
            Llm llm = Llm.newBuilder().provider(provider)
                    .settings(LocalProviders.settings(provider, server.uri("").toString(), "sk-test")).defaultModel("m")
                    .retry(RetryPolicy.newBuilder().maxAttempts(1).build()).build();

            Trip trip = llm.chat(ChatRequest.newBuilder().addMessage(Message.user("Plan a trip")).build(), Trip.class);

            assertEquals(TRIP, trip);
            JsonObject body = (JsonObject) Json.parse(new String(server.takeRequest().body(), StandardCharsets.UTF_8));
            JsonObject schema = JsonSchema.of(Trip.class);
            switch (provider) {
                case "openai" -> {
                    JsonObject format = body.object("response_format");
                    assertEquals("json_schema", format.string("type"));
                    JsonObject js = format.object("json_schema");
                    assertEquals("Trip", js.string("name"));
                    assertEquals(Boolean.TRUE, js.get("strict").map(v -> v.equals(dev.parley.json.JsonBoolean.TRUE)).orElse(false));
                    assertEquals(schema, js.object("schema"));
                }
                case "anthropic" -> {
                    JsonObject tool = body.array("tools").object(0);
                    assertEquals("Trip", tool.string("name"));
                    assertEquals(schema, tool.object("input_schema"));
                    JsonObject choice = body.object("tool_choice");
                    assertEquals("tool", choice.string("type"));
                    assertEquals("Trip", choice.string("name"));
                }
                default -> {
                    assertEquals(schema, body.object("format"));
                    assertTrue(body.get("stream").map(v -> v.equals(dev.parley.json.JsonBoolean.FALSE)).orElse(true));
                }
            }
        }
    }

    private static String path(String provider) {
        return switch (provider) {
            case "openai" -> "/v1/chat/completions";
            case "anthropic" -> "/v1/messages";
            default -> "/api/chat";
        };
    }

    /** The answer in each provider's documented response shape, carrying the record as JSON. */
    private static String answer(String provider) {
        String asText = Json.write(JsonString.of(TRIP_JSON));
        return switch (provider) {
            case "openai" -> "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + asText
                    + ",\"refusal\":null},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":20,\"total_tokens\":30}}";
            case "anthropic" -> "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\","
                    + "\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Trip\",\"input\":" + TRIP_JSON + "}],"
                    + "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,"
                    + "\"usage\":{\"input_tokens\":10,\"output_tokens\":20}}";
            default -> "{\"model\":\"m\",\"created_at\":\"2025-07-07T20:32:53.844124Z\",\"message\":{\"role\":\"assistant\","
                    + "\"content\":" + asText + "},\"done_reason\":\"stop\",\"done\":true,"
                    + "\"prompt_eval_count\":10,\"eval_count\":20}";
        };
    }
}
