package dev.parley.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.parley.ChatRequest;
import dev.parley.Llm;
import dev.parley.Message;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.retry.RetryPolicy;
import dev.parley.support.LocalProviders;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;

/**
 * The tool loop over each provider's real wire: the first turn answers with a provider's own
 * tool-call sample (from its docs or SDK tests, see the fixtures' README), the loop runs the
 * tools, and the second request must carry the assistant's tool calls and the results in that
 * provider's format; the second turn answers with a plain sample.
 */
class ToolLoopWireTest {

    @ParameterizedTest(name = "{0} ({2})")
    @CsvSource({
            "openai,     /v1/chat/completions, whole,  openai/chat_parallel_tool_calls,      openai/chat_basic",
            "deepseek,   /chat/completions,    whole,  deepseek/chat_tool_call,              deepseek/chat_basic",
            "anthropic,  /v1/messages,         whole,  anthropic/message_tool_use,           anthropic/message_basic",
            "ollama,     /api/chat,            whole,  ollama/chat_tools,                    ollama/chat",
            "openai,     /v1/chat/completions, stream, openai/stream_tool_call_strict,       openai/stream_basic",
            "anthropic,  /v1/messages,         stream, anthropic/stream_text_then_tool_use,  anthropic/stream_text",
            "ollama,     /api/chat,            stream, ollama/chat_stream_tools,             ollama/chat_stream",
    })
    void loop_sendsTheResultsBackInTheProvidersFormat(String provider, String path, String mode, String toolTurn,
                                                       String answerTurn) {
        Map<String, JsonObject> received = new ConcurrentHashMap<>();
        Toolbox.Builder tools = Toolbox.newBuilder();
        for (String name : List.of("GetWeatherArgs", "get_stock_price", "get_weather")) {
            tools.add(name, "A tool from the sample", JsonObject.of(), args -> {
                received.put(name, args);
                if (name.contains("eather")) {
                    throw new IllegalStateException("the weather service is down");
                }
                return "result of " + name;
            });
        }
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", path, Reply.fixture(toolTurn), Reply.fixture(answerTurn));
            Llm llm = Llm.newBuilder().provider(provider)
                    .settings(LocalProviders.settings(provider, server.uri("").toString(), "sk-test")).defaultModel("m")
                    .retry(RetryPolicy.newBuilder().maxAttempts(1).build()).build();
            ToolLoop loop = ToolLoop.newBuilder(llm).tools(tools.build()).build();
            ChatRequest request = ChatRequest.newBuilder().addMessage(Message.user("What is the weather?")).build();

            ToolLoopResult result = mode.equals("stream") ? loop.runStreaming(request) : loop.run(request);

            assertEquals(2, result.steps().size(), "one turn of tool calls, one answer");
            assertTrue(!received.isEmpty() && received.values().stream().allMatch(a -> !a.isEmpty()),
                    "the tools got the sample's arguments: " + received);
            List<ToolRunView> runs = result.steps().get(0).runs().stream()
                    .map(r -> new ToolRunView(r.call().id(), r.output(), r.error())).toList();
            for (ToolRunView run : runs) {
                boolean weather = result.steps().get(0).runs().stream()
                        .anyMatch(r -> r.call().id().equals(run.id()) && r.call().name().contains("eather"));
                assertEquals(weather, run.error(), "the weather tool fails, the others answer: " + runs);
                if (weather) {
                    assertTrue(run.output().contains("the weather service is down"), run.output());
                }
            }

            server.takeRequest(); // the first turn
            JsonObject second = (JsonObject) Json.parse(new String(server.takeRequest().body(), StandardCharsets.UTF_8));
            assertResultsSent(provider, second, runs, 3);
        }
    }

    /**
     * Through the gateway: the loop speaks OpenAI's wire to {@code parley serve}, whose route
     * goes to Anthropic (replayed from Anthropic's own samples); the gateway translates the tool
     * calls and results both ways.
     */
    @ParameterizedTest(name = "gateway to anthropic ({0})")
    @CsvSource({"whole, anthropic/message_tool_use, anthropic/message_basic",
            "stream, anthropic/stream_text_then_tool_use, anthropic/stream_text"})
    void loop_throughTheGateway_toAnthropic(String mode, String toolTurn, String answerTurn) {
        Map<String, JsonObject> received = new ConcurrentHashMap<>();
        Toolbox tools = Toolbox.newBuilder().add("get_weather", "The weather", JsonObject.of(), args -> {
            received.put("get_weather", args);
            return "result of get_weather";
        }).build();
        try (ReplayServer upstream = ReplayServer.start()) {
            upstream.on("POST", "/v1/messages", Reply.fixture(toolTurn), Reply.fixture(answerTurn));
            Llm anthropic = Llm.newBuilder().provider("anthropic")
                    .settings(LocalProviders.settings("anthropic", upstream.uri("").toString(), "sk-test"))
                    .defaultModel("claude-haiku-4-5").retry(RetryPolicy.newBuilder().maxAttempts(1).build()).build();
            dev.parley.gateway.Gateway gateway = dev.parley.gateway.Gateway.newBuilder().defaultRoute(anthropic)
                    .port(0).build().start();
            try {
                Llm client = Llm.newBuilder().provider("openai-compatible")
                        .settings(Map.of("OPENAI_API_KEY", "sk-local", "OPENAI_BASE_URL", gateway.uri() + "/v1"))
                        .defaultModel("claude-haiku-4-5").retry(RetryPolicy.newBuilder().maxAttempts(1).build()).build();
                ToolLoop loop = ToolLoop.newBuilder(client).tools(tools).build();
                ChatRequest request = ChatRequest.newBuilder().addMessage(Message.user("What is the weather?")).build();

                ToolLoopResult result = mode.equals("stream") ? loop.runStreaming(request) : loop.run(request);

                assertTrue(received.containsKey("get_weather") && !received.get("get_weather").isEmpty(), received.toString());
                upstream.takeRequest();
                JsonObject second = (JsonObject) Json.parse(new String(upstream.takeRequest().body(), StandardCharsets.UTF_8));
                String id = result.steps().get(0).runs().get(0).call().id();
                assertResultsSent("anthropic", second,
                        List.of(new ToolRunView(id, "result of get_weather", false)), 1);
            } finally {
                gateway.stop();
            }
        }
    }

    private record ToolRunView(String id, String output, boolean error) {
    }

    /** Each result went back as the provider's API expects, quoting the call's id. */
    private static void assertResultsSent(String provider, JsonObject body, List<ToolRunView> runs, int tools) {
        JsonArray messages = body.array("messages");
        String all = Json.write(messages);
        for (ToolRunView run : runs) {
            assertTrue(all.contains(run.output()), "the result " + run.output() + " was sent: " + all);
        }
        switch (provider) {
            case "anthropic" -> {
                JsonObject assistant = messages.object(1);
                assertEquals("assistant", assistant.string("role"));
                assertTrue(Json.write(assistant).contains("\"tool_use\""), Json.write(assistant));
                JsonObject user = messages.object(2);
                assertEquals("user", user.string("role"));
                JsonObject block = user.array("content").object(0);
                assertEquals("tool_result", block.string("type"));
                assertEquals(runs.get(0).id(), block.string("tool_use_id"));
            }
            case "ollama" -> {
                JsonObject assistant = messages.object(1);
                assertTrue(assistant.has("tool_calls"), Json.write(assistant));
                assertEquals("tool", messages.object(2).string("role"));
            }
            default -> {
                JsonObject assistant = messages.object(1);
                JsonArray calls = assistant.array("tool_calls");
                assertEquals(runs.size(), calls.size());
                for (int i = 0; i < runs.size(); i++) {
                    JsonObject tool = messages.object(2 + i);
                    assertEquals("tool", tool.string("role"));
                    assertEquals(runs.get(i).id(), tool.string("tool_call_id"));
                    assertEquals(calls.object(i).string("id"), tool.string("tool_call_id"));
                }
            }
        }
        assertEquals(tools, body.array("tools").size(), "the toolbox's tools are declared");
    }
}
