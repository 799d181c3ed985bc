package dev.parley.provider.ollama;

import static dev.parley.provider.ollama.OllamaChatTest.body;
import static dev.parley.provider.ollama.OllamaChatTest.json;
import static dev.parley.provider.ollama.OllamaChatTest.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.InvalidRequestException;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.Usage;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.RecordedRequest;
import dev.parley.support.ReplayServer.Reply;

class OllamaEmbedModelsTest {

    private static final List<String> INPUTS = List.of(
            "It is not that I am mad, it is only that my head is different from yours",
            "A man can do as he wills, but not will as he wills",
            "Whereof one cannot speak, thereof one must be silent",
            "The limits of my language mean the limits of my world");

    @Test
    void embed_sendsTheFixtureRequest_andReadsEveryVectorExactly() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/embed", Reply.fixture("ollama/embed"));
            EmbeddingResponse r = provider(server).embed(EmbeddingRequest.of("all-minilm", INPUTS));

            RecordedRequest sent = server.takeRequest();
            assertEquals("/api/embed", sent.path());
            assertEquals(Fixtures.json("ollama/embed.request.json"), body(sent));

            assertEquals("all-minilm", r.model());
            assertEquals("ollama", r.provider());
            assertEquals(new Usage(54, 0, 54, 0, 0, 0), r.usage());
            assertNull(r.requestId());
            assertEquals(4, r.embeddings().size());
            JsonArray raw = ((JsonObject) Fixtures.json("ollama/embed.response.json")).array("embeddings");
            for (int i = 0; i < 4; i++) {
                assertEquals(i, r.embeddings().get(i).index());
                float[] v = r.vector(i);
                assertEquals(384, v.length);
                JsonArray expected = raw.array(i);
                for (int k = 0; k < v.length; k++) {
                    // Independent check through BigDecimal: the nearest float to the exact decimal.
                    float exact = expected.number(k).bigDecimalValue().floatValue();
                    assertEquals(Float.floatToIntBits(exact), Float.floatToIntBits(v[k]), "embeddings[" + i + "][" + k + "]");
                }
            }
            assertEquals(0.030490996f, r.vector(0)[0]);
            assertEquals(-3.1297813e-33f, r.vector(0)[127], "exponent notation is read exactly");
            assertEquals(5.1043477e-34f, r.vector(0)[223]);
            assertEquals(-1.30106745e-33f, r.vector(2)[127]);
            assertEquals(-0.03903945f, r.vector(3)[383]);
        }
    }

    @Test
    void embed_sendsDimensionsAndExtra() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/embed", Reply.json(200, "{\"model\":\"m\",\"embeddings\":[[1,-2.5e-1]]}"));
            EmbeddingResponse r = provider(server).embed(new EmbeddingRequest("m", List.of("hi"), 2, "user-1",
                    json("{\"truncate\":false,\"options\":{\"num_ctx\":512}}")));
            assertEquals(json("""
                    {"model":"m","input":["hi"],"dimensions":2,"truncate":false,"options":{"num_ctx":512}}"""),
                    body(server.takeRequest()));
            assertEquals(1, r.embeddings().size());
            assertEquals(1f, r.vector(0)[0]);
            assertEquals(-0.25f, r.vector(0)[1]);
            assertEquals(Usage.ZERO, r.usage());
        }
    }

    @Test
    void embed_wrongShapes_areServerErrors() {
        String[][] cases = {
                {"{\"model\":\"m\",\"embeddings\":[[1],[2]]}", "expected 1 vectors"},
                {"{\"model\":\"m\"}", "embeddings"},
                {"{\"embeddings\":[[1,\"x\"]]}", "embeddings[0][1]"},
                {"{\"embeddings\":[[1e39]]}", "too large for a float"},
        };
        for (String[] c : cases) {
            try (ReplayServer server = ReplayServer.start()) {
                server.on("POST", "/api/embed", Reply.json(200, c[0]));
                LlmException e = assertThrows(LlmException.class,
                        () -> provider(server).embed(EmbeddingRequest.of("m", List.of("hi"))), c[0]);
                assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
                assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
            }
        }
    }

    @Test
    void embed_withoutModel_failsBeforeSending() {
        try (ReplayServer server = ReplayServer.start()) {
            assertThrows(InvalidRequestException.class, () -> provider(server).embed(EmbeddingRequest.of(null, List.of("hi"))));
            assertEquals(0, server.pendingRequests());
        }
    }

    @Test
    void embed_unknownModel_isNotFound() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/api/embed", Reply.fixture("ollama/error_404_model_not_found"));
            LlmException e = assertThrows(LlmException.class,
                    () -> provider(server).embed(EmbeddingRequest.of("llama3", List.of("hi"))));
            assertEquals(LlmException.Kind.NOT_FOUND, e.kind());
            assertEquals("model 'llama3' not found", e.providerMessage());
        }
    }

    @Test
    void models_readsTheTagsList() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("GET", "/api/tags", Reply.fixture("ollama/tags"));
            List<ModelInfo> models = provider(server).models();

            RecordedRequest sent = server.takeRequest();
            assertEquals("GET", sent.method());
            assertEquals("/api/tags", sent.path());

            assertEquals(List.of("deepseek-r1:latest", "llama3.2:latest"), models.stream().map(ModelInfo::id).toList());
            // 2025-05-10T08:06:48.639712648-07:00 = 2025-05-10T15:06:48Z (fraction dropped).
            assertEquals(1746889608L, models.get(0).created());
            assertEquals(1746405464L, models.get(1).created());
            assertNull(models.get(0).ownedBy());
            JsonArray raw = ((JsonObject) Fixtures.json("ollama/tags.response.json")).array("models");
            assertEquals(raw.object(0), models.get(0).raw());
            assertEquals(JsonNumber.of(4683075271L), models.get(0).raw().number("size"));
            assertEquals("qwen2", models.get(0).raw().object("details").string("family"));
        }
    }

    @Test
    void models_unreadableOrMissingTime_isZero_andMissingNameIsAServerError() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("GET", "/api/tags", Reply.json(200, """
                    {"models":[{"name":"a","modified_at":"yesterday"},{"name":"b"},{"name":"c","modified_at":"2024-01-01T00:00:00Z"}]}"""),
                    Reply.json(200, "{\"models\":[{\"model\":\"x\"}]}"));
            List<ModelInfo> models = provider(server).models();
            assertEquals(List.of(0L, 0L, 1704067200L), models.stream().map(ModelInfo::created).toList());
            LlmException e = assertThrows(LlmException.class, () -> provider(server).models());
            assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
            assertTrue(e.getMessage().contains("models[0].name"), e.getMessage());
        }
    }
}
