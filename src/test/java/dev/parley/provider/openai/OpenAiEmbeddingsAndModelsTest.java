package dev.parley.provider.openai;

import static dev.parley.provider.openai.Fakes.body;
import static dev.parley.provider.openai.Fakes.fixture;
import static dev.parley.provider.openai.Fakes.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.parley.ConfigurationException;
import dev.parley.InvalidRequestException;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.Usage;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.RecordedRequest;
import dev.parley.support.ReplayServer.Reply;

class OpenAiEmbeddingsAndModelsTest {

    static final String MODEL = "text-embedding-3-small";
    static final List<String> FOUR = List.of("one", "two", "three", "four");

    /** {@return the vectors of the float fixture, read with a regex and Float.parseFloat, independently of the adapter} */
    private static List<float[]> fixtureVectors() {
        String text = Fixtures.text("openai/embeddings_float.response.json");
        Pattern number = Pattern.compile("-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?");
        List<float[]> out = new ArrayList<>();
        int at = 0;
        while ((at = text.indexOf("\"embedding\": [", at)) >= 0) {
            int end = text.indexOf(']', at);
            Matcher m = number.matcher(text.substring(at + 14, end));
            List<Float> values = new ArrayList<>();
            while (m.find()) {
                values.add(Float.parseFloat(m.group()));
            }
            float[] v = new float[values.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = values.get(i);
            }
            out.add(v);
            at = end;
        }
        return out;
    }

    private static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
            }
        }
    }

    @Test
    void floatFixture_parsesEveryNumberToTheExactFloat() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/embeddings", Reply.fixture("openai/embeddings_float"));
            EmbeddingResponse r = Fakes.openai(server).embed(EmbeddingRequest.of(MODEL, FOUR));

            RecordedRequest sent = server.takeRequest();
            assertEquals("/v1/embeddings", sent.path());
            // OpenAI is asked for base64; this recording answered in floats, which are read as well.
            assertEquals(json("{\"model\":\"text-embedding-3-small\",\"input\":[\"one\",\"two\",\"three\",\"four\"],"
                    + "\"encoding_format\":\"base64\"}"), body(sent));

            assertEquals(MODEL, r.model());
            assertEquals("openai", r.provider());
            assertEquals(new Usage(56, 0, 56, 0, 0, 0), r.usage());
            List<float[]> expected = fixtureVectors();
            assertEquals(4, expected.size());
            assertEquals(4, r.embeddings().size());
            for (int i = 0; i < 4; i++) {
                assertEquals(i, r.embeddings().get(i).index());
                assertEquals(1536, r.vector(i).length);
                assertSameBits(expected.get(i), r.vector(i), "vector " + i);
            }
            assertEquals(0.01400754f, r.vector(0)[0]);
            assertEquals(0.0027448204f, r.vector(3)[1535]);
        }
    }

    private static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    @Test
    void base64_decodesLittleEndianFloat32BitForBit() {
        float[] special = {0f, -0f, 1f, -1.5f, 1f / 3, (float) Math.PI, Float.MIN_VALUE, Float.MIN_NORMAL,
                Float.MAX_VALUE, -Float.MAX_VALUE, 0.01400754f, -0.027486494f};
        float[] random = new float[1536];
        Random rnd = new Random(42);
        for (int i = 0; i < random.length; i++) {
            random[i] = (float) rnd.nextGaussian() * 0.05f;
        }
        // Listed out of order: the vectors come back in input order.
        String body = """
                {"object":"list","data":[
                  {"object":"embedding","index":1,"embedding":"%s"},
                  {"object":"embedding","index":0,"embedding":"%s"}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":5,"total_tokens":5}}"""
                .formatted(base64(random), base64(special));
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/embeddings", Reply.json(200, body).withHeader("x-request-id", "req_e"));
            EmbeddingResponse r = Fakes.openai(server).embed(EmbeddingRequest.of(MODEL, List.of("a", "b")));
            assertSameBits(special, r.vector(0), "special");
            assertSameBits(random, r.vector(1), "random");
            assertEquals(0, r.embeddings().get(0).index());
            assertEquals(1, r.embeddings().get(1).index());
            assertEquals("req_e", r.requestId());
            assertEquals(new Usage(5, 0, 5, 0, 0, 0), r.usage());
        }
    }

    @Test
    void compatible_asksForFloatsByDefault_andBase64WhenConfigured() {
        String reply = "{\"data\":[{\"index\":0,\"embedding\":[0.5,-1.25,3e-5]}],\"model\":\"nomic\"}";
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/embeddings", Reply.json(200, reply));
            Provider floats = new OpenAiCompatibleProviderFactory().create(ProviderConfig.newBuilder()
                    .baseUrl(server.uri("/v1")).build());
            EmbeddingResponse r = floats.embed(new EmbeddingRequest("nomic", List.of("x"), 3, "u-1", null));
            RecordedRequest sent = server.takeRequest();
            assertEquals(json("{\"model\":\"nomic\",\"input\":[\"x\"],\"dimensions\":3,\"user\":\"u-1\"}"), body(sent),
                    "float is the default and is not written");
            assertEquals(null, sent.header("Authorization"), "no key, no header");
            assertSameBits(new float[] {0.5f, -1.25f, 3e-5f}, r.vector(0), "floats");

            Provider base64 = new OpenAiCompatibleProviderFactory().create(ProviderConfig.newBuilder()
                    .baseUrl(server.uri("/v1")).option("embeddingEncoding", "base64").build());
            base64.embed(EmbeddingRequest.of("nomic", List.of("x")));
            assertEquals("base64", body(server.takeRequest()).string("encoding_format"));

            Provider openaiFloat = new OpenAiProviderFactory().create(ProviderConfig.newBuilder()
                    .baseUrl(server.uri("/v1")).apiKey(Fakes.KEY).option("embeddingEncoding", "float").build());
            openaiFloat.embed(EmbeddingRequest.of("nomic", List.of("x")));
            assertFalse(body(server.takeRequest()).has("encoding_format"));
        }
        assertThrows(ConfigurationException.class, () -> new OpenAiCompatibleProviderFactory().create(
                ProviderConfig.newBuilder().baseUrl(java.net.URI.create("http://localhost:1/v1"))
                        .option("embeddingEncoding", "binary").build()));
    }

    @Test
    void malformedEmbeddings_areServerErrorsNamingThePath() {
        String second = ",{\"index\":1,\"embedding\":[2]}]}";
        assertPath("{\"data\":[{\"index\":0,\"embedding\":\"ab$c\"}" + second, "data[0].embedding: not base64");
        assertPath("{\"data\":[{\"index\":0,\"embedding\":\"AAAAAAA=\"}" + second,
                "data[0].embedding: 5 bytes of base64 data are not a whole number of float32 values");
        assertPath("{\"data\":[{\"index\":0,\"embedding\":[1,\"x\"]}" + second, "data[0].embedding[1]");
        assertPath("{\"data\":[{\"index\":0,\"embedding\":[1]},{\"index\":0,\"embedding\":[2]}]}", "data[1].index");
        assertPath("{\"data\":[{\"index\":0,\"embedding\":[1]}]}", "expected 2 embeddings");
        assertPath("{\"data\":[{\"index\":0,\"embedding\":{}},{\"index\":1,\"embedding\":[2]}]}", "data[0].embedding");
    }

    @Test
    void nonFiniteValues_areServerErrors_notRetried() {
        // JSON has no NaN, but a number past the float range is Infinity once read; base64 can
        // hold any bits. An embedding with such a value is no use, and cannot be written as JSON.
        String second = ",{\"index\":1,\"embedding\":[2]}]}";
        for (float bad : new float[] {Float.NaN, Float.intBitsToFloat(0x7fc00001), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            assertPath("{\"data\":[{\"index\":0,\"embedding\":\"" + base64(new float[] {1f, bad}) + "\"}" + second,
                    "embedding 0: value 1 is " + bad + ", not a finite number");
        }
        assertPath("{\"data\":[{\"index\":0,\"embedding\":[0.5,1e39]}" + second,
                "embedding 0: value 1 is Infinity, not a finite number");
        assertPath("{\"data\":[{\"index\":0,\"embedding\":[1]},{\"index\":1,\"embedding\":[-1e300]}]}",
                "embedding 1: value 0 is -Infinity, not a finite number");
    }

    private static void assertPath(String reply, String expected) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/embeddings", Reply.json(200, reply));
            LlmException e = assertThrows(LlmException.class,
                    () -> Fakes.openai(server).embed(EmbeddingRequest.of(MODEL, List.of("a", "b"))));
            assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
            assertTrue(e.getMessage().contains(expected), e.getMessage());
            assertFalse(e.retryable(), e.getMessage());
        }
    }

    @Test
    void embed_withoutModel_isAnInvalidRequestBeforeAnyRequest() {
        try (ReplayServer server = ReplayServer.start()) {
            LlmException e = assertThrows(InvalidRequestException.class,
                    () -> Fakes.openai(server).embed(EmbeddingRequest.of(null, List.of("a"))));
            assertTrue(e.getMessage().contains("no model"), e.getMessage());
            assertEquals(0, server.pendingRequests());
        }
    }

    @Test
    void modelsList_parsesEveryEntry() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("GET", "/v1/models", Reply.fixture("openai/models_list"));
            List<ModelInfo> models = Fakes.openai(server).models();
            RecordedRequest sent = server.takeRequest();
            assertEquals("GET", sent.method());
            assertEquals("Bearer " + Fakes.KEY.value(), sent.header("Authorization"));

            JsonArray data = fixture("openai/models_list.response.json").array("data");
            assertEquals(104, data.size());
            assertEquals(data.size(), models.size());
            for (int i = 0; i < data.size(); i++) {
                JsonObject entry = data.object(i);
                ModelInfo m = models.get(i);
                assertEquals(entry.string("id"), m.id());
                assertEquals(entry.string("owned_by"), m.ownedBy());
                assertEquals(entry.longValue("created"), m.created());
                assertEquals(entry, m.raw());
            }
            assertEquals(new ModelInfo("gpt-5-search-api", "system", 1759514629L, data.object(0)), models.get(0));
            assertEquals("openai-internal", models.get(2).ownedBy());
        }
    }

    @Test
    void modelsList_withoutIds_isServerError() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("GET", "/v1/models", Reply.json(200, "{\"data\":[{\"object\":\"model\"}]}"));
            LlmException e = assertThrows(LlmException.class, () -> Fakes.openai(server).models());
            assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
            assertTrue(e.getMessage().contains("data[0].id"), e.getMessage());
        }
    }
}
