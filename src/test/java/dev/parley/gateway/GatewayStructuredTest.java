package dev.parley.gateway;

import static dev.parley.gateway.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.parley.ApiKey;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.provider.anthropic.AnthropicProviderFactory;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;

/** An OpenAI client's json_schema request, routed to Anthropic, becomes a forced tool and comes back as content. */
class GatewayStructuredTest extends GatewayTestBase {

    @Test
    void jsonSchemaToAnthropic_isAForcedTool_andTheAnswerIsTheContent() {
        try (ReplayServer upstream = ReplayServer.start()) {
            upstream.on("POST", "/v1/messages", Reply.fixture("anthropic/message_tool_use"));
            start(Gateway.newBuilder().defaultRoute(llm(new AnthropicProviderFactory().create(ProviderConfig.newBuilder()
                    .baseUrl(upstream.uri("")).apiKey(ApiKey.of("sk-ant-test-0123456789")).build()), "claude-haiku-4-5")));
            String schema = "{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"},\"units\":{\"type\":"
                    + "\"string\",\"enum\":[\"c\",\"f\"]}},\"required\":[\"location\",\"units\"],\"additionalProperties\":false}";
            JsonObject reply = json(http.post("/v1/chat/completions", "{\"model\":\"claude-haiku-4-5\",\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"Weather in SF?\"}],\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
                    + "{\"name\":\"get_weather\",\"strict\":true,\"schema\":" + schema + "}}}"));

            JsonObject sent = (JsonObject) Json.parse(upstream.takeRequest().body());
            assertEquals(Json.parse("{\"type\":\"tool\",\"name\":\"get_weather\"}"), sent.object("tool_choice"));
            assertEquals(Json.parse(schema), sent.array("tools").object(0).object("input_schema"));
            JsonObject choice = reply.array("choices").object(0);
            assertEquals("{\"location\":\"San Francisco, CA\",\"units\":\"f\"}", choice.object("message").string("content"));
            assertEquals("stop", choice.string("finish_reason"));

            // A name OpenAI would refuse is a 400 naming the parameter, before any upstream call.
            var bad = http.post("/v1/chat/completions", "{\"model\":\"claude-haiku-4-5\",\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
                    + "{\"name\":\"has space\",\"schema\":" + schema + "}}}");
            assertEquals(400, bad.statusCode(), bad.body());
            assertEquals("response_format", json(bad).object("error").string("param"));
            assertEquals(0, upstream.pendingRequests());
        }
    }
}
