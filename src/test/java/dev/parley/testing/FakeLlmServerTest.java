package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.support.Fixtures;
import dev.parley.support.JsonShapes;

/** Each wire format of {@link FakeLlmServer}, checked against the recorded fixtures' shapes. */
class FakeLlmServerTest extends FakeLlmServerTestBase {

    /** An SSE event: its name (or null) and its data. */
    record Event(String name, String data) {
        JsonObject json() {
            return (JsonObject) Json.parse(data);
        }
    }

    static List<Event> events(String body) {
        List<Event> out = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            String name = null;
            StringBuilder data = new StringBuilder();
            for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) {
                    name = line.substring(7).trim();
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
            if (!data.isEmpty()) {
                out.add(new Event(name, data.toString()));
            }
        }
        return out;
    }

    // ---- OpenAI

    @Test
    void openAi_plainChat_echoesTheLastUserMessageInAChatCompletion() throws Exception {
        start(FakeLlmServer.newBuilder());

        HttpResponse<String> r = post("/v1/chat/completions", Fixtures.text("openai/chat_basic.request.json"));

        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("x-request-id").isPresent());
        JsonObject body = json(r);
        JsonShapes.assertSameShape(Fixtures.json("openai/chat_basic.response.json"), body, Set.of(),
                Set.of("usage.prompt_tokens_details"));
        JsonObject choice = body.array("choices").object(0);
        assertEquals("You said: What's the weather like in SF?", choice.object("message").string("content"));
        assertEquals("stop", choice.string("finish_reason"));
        assertEquals("gpt-4o-2024-08-06", body.string("model"));
        JsonObject usage = body.object("usage");
        assertEquals(8, usage.longValue("prompt_tokens"), "30 characters / 4, rounded up");
        assertEquals(10, usage.longValue("completion_tokens"), "40 characters / 4");
        assertEquals(18, usage.longValue("total_tokens"));
    }

    @Test
    void openAi_stream_sendsRoleContentFinishUsageAndDone_likeTheRecording() throws Exception {
        start(FakeLlmServer.newBuilder().reply("The quick brown fox").streamChunks(4));

        HttpResponse<String> r = post("/v1/chat/completions", """
                {"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"hi"}]}""");

        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
        assertTrue(r.body().endsWith("data: [DONE]\n\n"));
        List<Event> events = events(r.body());
        List<Event> fixture = events(Fixtures.text("openai/stream_basic.response.sse"));
        assertEquals(1 + 4 + 1 + 1 + 1, events.size(), r.body());
        Set<String> usageNull = Set.of("usage");
        JsonShapes.assertSameShape(fixture.get(0).json(), events.get(0).json(), Set.of(), usageNull);
        StringBuilder text = new StringBuilder();
        for (Event e : events.subList(1, 5)) {
            JsonShapes.assertSameShape(fixture.get(1).json(), e.json(), Set.of(), usageNull);
            text.append(e.json().array("choices").object(0).object("delta").string("content"));
        }
        assertEquals("The quick brown fox", text.toString());
        JsonShapes.assertSameShape(fixture.get(fixture.size() - 3).json(), events.get(5).json(), Set.of(), usageNull);
        assertEquals("stop", events.get(5).json().array("choices").object(0).string("finish_reason"));
        JsonShapes.assertSameShape(fixture.get(fixture.size() - 2).json(), events.get(6).json(), Set.of(),
                Set.of("usage.prompt_tokens_details"));
        assertEquals("[DONE]", events.get(7).data());
    }

    @Test
    void openAi_streamWithoutIncludeUsage_hasNoUsageChunk_andMaxTokensCutsTheAnswerWithLength() throws Exception {
        start(FakeLlmServer.newBuilder().reply("0123456789abcdefghij"));

        HttpResponse<String> r = post("/v1/chat/completions", """
                {"model":"m","stream":true,"max_tokens":2,"messages":[{"role":"user","content":"hi"}]}""");

        List<Event> events = events(r.body());
        StringBuilder text = new StringBuilder();
        for (Event e : events) {
            if (!e.data().equals("[DONE]")) {
                assertFalse(e.json().has("usage"));
                JsonObject choice = e.json().array("choices").object(0);
                text.append(choice.object("delta").stringOr("content", ""));
            }
        }
        assertEquals("01234567", text.toString(), "2 tokens of 4 characters");
        assertEquals("length", events.get(events.size() - 2).json().array("choices").object(0).string("finish_reason"));
    }

    @Test
    void openAi_embeddings_asFloatsOrBase64_deterministicAndOfTheAskedSize() throws Exception {
        start(FakeLlmServer.newBuilder());

        JsonObject floats = json(post("/v1/embeddings", """
                {"model":"text-embedding-3-small","input":["a","b","a"]}"""));
        JsonShapes.assertSameShape(Fixtures.json("openai/embeddings_float.response.json"), floats, Set.of(), Set.of());
        JsonArray data = floats.array("data");
        assertEquals(1536, data.object(0).array("embedding").size());
        assertEquals(data.object(0).array("embedding"), data.object(2).array("embedding"), "equal texts, equal vectors");
        assertFalse(data.object(0).array("embedding").equals(data.object(1).array("embedding")));

        JsonObject small = json(post("/v1/embeddings", """
                {"model":"m","input":"a","dimensions":8,"encoding_format":"base64"}"""));
        byte[] raw = Base64.getDecoder().decode(small.array("data").object(0).string("embedding"));
        assertEquals(8 * 4, raw.length);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        float[] decoded = new float[8];
        for (int i = 0; i < 8; i++) {
            decoded[i] = b.getFloat();
        }
        assertArrayEquals(ScriptedProvider.vectorOf("a", 8), decoded);
    }

    @Test
    void openAi_modelsList() throws Exception {
        start(FakeLlmServer.newBuilder().models(List.of("gpt-4o-mini", "text-embedding-3-small")));

        JsonObject body = json(get("/v1/models"));

        JsonShapes.assertSameShape(Fixtures.json("openai/models_list.response.json"), body, Set.of(), Set.of());
        assertEquals("text-embedding-3-small", body.array("data").object(1).string("id"));
    }

    // ---- Anthropic

    @Test
    void anthropic_plainMessage_likeTheRecording() throws Exception {
        start(FakeLlmServer.newBuilder().reply("Hello! How can I assist you today?"));

        HttpResponse<String> r = post("/v1/messages", """
                {"model":"claude-3-5-sonnet-20240620","max_tokens":1024,"system":"Be kind.",
                 "messages":[{"role":"user","content":[{"type":"text","text":"Hello"}]}]}""");

        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("request-id").orElseThrow().startsWith("req_"));
        JsonObject body = json(r);
        JsonShapes.assertSameShape(Fixtures.json("anthropic/message_basic.response.json"), body,
                Set.of("usage.cache_creation", "usage.service_tier"), Set.of());
        assertEquals("Hello! How can I assist you today?", body.array("content").object(0).string("text"));
        assertEquals("end_turn", body.string("stop_reason"));
        assertEquals(4, body.object("usage").longValue("input_tokens"), "\"Be kind.\" and \"Hello\": 13 characters");
    }

    @Test
    void anthropic_stream_sendsEveryEventInOrder_likeTheRecording() throws Exception {
        start(FakeLlmServer.newBuilder().reply("The weather is sunny").streamChunks(3));

        HttpResponse<String> r = post("/v1/messages", """
                {"model":"claude-haiku-4-5","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        List<Event> events = events(r.body());
        List<String> names = events.stream().map(Event::name).toList();
        assertEquals(List.of("message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop"), names);
        List<Event> fixture = events(Fixtures.text("anthropic/stream_text.response.sse"));
        Map<String, Event> byName = new java.util.HashMap<>();
        fixture.forEach(e -> byName.putIfAbsent(e.name(), e));
        Set<String> newerUsage = Set.of("message.usage.cache_creation", "message.usage.service_tier", "message.usage.inference_geo",
                "usage.input_tokens", "usage.cache_creation_input_tokens", "usage.cache_read_input_tokens");
        StringBuilder text = new StringBuilder();
        for (Event e : events) {
            assertEquals(e.name(), e.json().string("type"), "event name and type agree");
            JsonShapes.assertSameShape(byName.get(e.name()).json(), e.json(), newerUsage, Set.of());
            if (e.name().equals("content_block_delta")) {
                text.append(e.json().object("delta").string("text"));
            }
        }
        assertEquals("The weather is sunny", text.toString());
        assertEquals("end_turn", events.get(7).json().object("delta").string("stop_reason"));
        assertEquals(5, events.get(7).json().object("usage").longValue("output_tokens"));
    }

    @Test
    void anthropic_refusesARequestWithoutMaxTokens_inItsErrorShape() throws Exception {
        start(FakeLlmServer.newBuilder());

        HttpResponse<String> r = post("/v1/messages", "{\"model\":\"c\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertEquals(400, r.statusCode());
        JsonShapes.assertSameShape(Fixtures.json("anthropic/error_400_invalid_request.response.json"), json(r), Set.of(), Set.of());
        assertEquals("invalid_request_error", json(r).object("error").string("type"));
    }

    // ---- Ollama

    @Test
    void ollama_chatStreamsNdjsonByDefault_endingWithDoneAndCounts() throws Exception {
        start(FakeLlmServer.newBuilder().reply("Hello there").streamChunks(2));

        HttpResponse<String> r = post("/api/chat", Fixtures.text("ollama/chat_stream.request.json"));

        assertEquals("application/x-ndjson", r.headers().firstValue("content-type").orElseThrow());
        String[] lines = r.body().split("\n");
        assertEquals(3, lines.length);
        String[] fixture = Fixtures.text("ollama/chat_stream.response.ndjson").split("\n");
        JsonShapes.assertSameShape(Json.parse(fixture[0]), Json.parse(lines[0]), Set.of("message.images"), Set.of());
        JsonShapes.assertSameShape(Json.parse(fixture[1]), Json.parse(lines[2]), Set.of(), Set.of("done_reason"));
        JsonObject last = (JsonObject) Json.parse(lines[2]);
        assertTrue(last.booleanValue("done"));
        assertEquals("stop", last.string("done_reason"));
        assertEquals(5, last.longValue("prompt_eval_count"), "\"why is the sky blue?\": 20 characters");
        assertEquals(3, last.longValue("eval_count"));
        assertEquals("Hello", ((JsonObject) Json.parse(lines[0])).object("message").string("content").substring(0, 5));
    }

    @Test
    void ollama_plainChat_embed_andTags_likeTheDocs() throws Exception {
        start(FakeLlmServer.newBuilder().embeddingDimensions(384));

        JsonObject chat = json(post("/api/chat", """
                {"model":"gemma2","stream":false,"messages":[{"role":"user","content":"Hello"}]}"""));
        JsonShapes.assertSameShape(Fixtures.json("ollama/chat.response.json"), chat, Set.of(), Set.of());
        assertEquals("You said: Hello", chat.object("message").string("content"));

        JsonObject embed = json(post("/api/embed", Fixtures.text("ollama/embed.request.json")));
        JsonShapes.assertSameShape(Fixtures.json("ollama/embed.response.json"), embed, Set.of(), Set.of());
        assertEquals(4, embed.array("embeddings").size());
        assertEquals(384, embed.array("embeddings").array(0).size());

        JsonObject tags = json(get("/api/tags"));
        JsonShapes.assertSameShape(Fixtures.json("ollama/tags.response.json"), tags, Set.of(), Set.of());
    }

    // ---- common

    @Test
    void replyCanChangeAtRuntime_andRequestsAreRecordedWithCredentialsHiddenInToString() throws Exception {
        start(FakeLlmServer.newBuilder().apiKey("sk-test-123"));

        assertEquals(401, post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").statusCode());
        HttpResponse<String> anthropic = post("/v1/messages", "{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(401, anthropic.statusCode());
        assertEquals("authentication_error", json(anthropic).object("error").string("type"));

        server.reply("Scripted!");
        HttpResponse<String> ok = post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "Authorization", "Bearer sk-test-123");
        assertEquals("Scripted!", json(ok).array("choices").object(0).object("message").string("content"));

        assertEquals("/v1/chat/completions", server.takeRequest().path());
        assertEquals("/v1/messages", server.takeRequest().path());
        RecordedRequest third = server.takeRequest();
        assertEquals("Bearer sk-test-123", third.header("authorization"));
        assertEquals("x", ((JsonObject) third.bodyJson()).array("messages").object(0).string("content"));
        assertFalse(third.toString().contains("sk-test-123"), third.toString());
        assertEquals(2, server.requestCount("/v1/chat/completions"));
        assertEquals(3, server.requestCount());
        assertEquals(3, server.requests().size());
    }

    @Test
    void unknownPathIs404_wrongMethodIs405_badJsonIs400_eachInTheProvidersShape() throws Exception {
        start(FakeLlmServer.newBuilder());

        assertEquals(404, get("/v1/unknown").statusCode());
        assertEquals("404 page not found", get("/api/unknown").body());
        HttpResponse<String> method = get("/v1/chat/completions");
        assertEquals(405, method.statusCode());
        assertEquals("POST", method.headers().firstValue("allow").orElseThrow());
        HttpResponse<String> bad = post("/api/chat", "{nope");
        assertEquals(400, bad.statusCode());
        assertTrue(json(bad).string("error").contains("parse"));
    }
}
