package dev.parley.provider.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.parley.ApiKey;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ConfigurationException;
import dev.parley.ContentPart;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.FinishReason;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.ModelInfo;
import dev.parley.RateLimitException;
import dev.parley.ReasoningBlock;
import dev.parley.ResponseFormat;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.Usage;
import dev.parley.cost.ModelPrice;
import dev.parley.cost.PriceTable;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderEnvironment;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Pace;
import dev.parley.support.ReplayServer.RecordedRequest;
import dev.parley.support.ReplayServer.Reply;

/** Whole responses replayed from the fixtures, the request bodies sent, errors, models and embeddings. */
class GeminiChatTest {

    static final ApiKey KEY = ApiKey.of("AIza-test-key-0123456789");
    static final JsonObject WEATHER_SCHEMA = (JsonObject) Json.parse(
            "{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"}},\"required\":[\"location\"]}");

    static Provider provider(ReplayServer server) {
        return new GeminiProviderFactory().create(ProviderConfig.newBuilder().baseUrl(server.uri("/v1beta")).apiKey(KEY).build(),
                name -> null);
    }

    static JsonObject body(RecordedRequest request) {
        return (JsonObject) Json.parse(request.body());
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void basicReply_isRead_andTheKeyTravelsInAHeaderOnly(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1beta/models/gemini-1.5-flash:generateContent",
                    Reply.fixture("gemini/generate_basic").paced(pace));
            ChatResponse r = provider(server).chat(ChatRequest.of("gemini-1.5-flash", "Say hello world"));

            assertEquals("Hello, world!\n", r.text());
            assertEquals(FinishReason.STOP, r.finishReason());
            assertEquals("STOP", r.rawFinishReason());
            assertEquals(new Usage(5, 5, 10, 0, 0, 0), r.usage());
            assertEquals("gemini-1.5-flash-002", r.model());
            assertEquals("gemini", r.provider());
            assertTrue(r.toolCalls().isEmpty());
            RecordedRequest sent = server.takeRequest();
            assertEquals(KEY.value(), sent.header("x-goog-api-key"));
            assertNull(sent.query(), "nothing, the key least of all, goes in the query");
            assertEquals(Json.parse("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Say hello world\"}]}]}"),
                    body(sent));
        }
    }

    @Test
    void request_mapsSystemToolsChoiceFormatImagesAndExtra() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1beta/models/gemini-2.5-flash:generateContent", Reply.fixture("gemini/generate_basic"));
            JsonObject schema = (JsonObject) Json.parse("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}");
            ChatRequest request = ChatRequest.newBuilder()
                    .model("models/gemini-2.5-flash")
                    .addMessage(Message.system("Be brief."))
                    .addMessage(Message.developer("Answer in JSON."))
                    .addMessage(Message.user(List.of(ContentPart.text("What is this?"),
                            ContentPart.imageBase64("image/png", "iVBORw0KGgo="),
                            ContentPart.imageUrl("data:image/jpeg;base64,/9j/4AAQ"))))
                    .temperature(0.5).topP(0.9).maxTokens(100).stop(List.of("END")).seed(7)
                    .addTool(Tool.of("get_weather", "Weather now", WEATHER_SCHEMA))
                    .toolChoice(ToolChoice.tool("get_weather"))
                    .responseFormat(ResponseFormat.jsonSchema("answer", schema))
                    .extra("generationConfig", Json.parse("{\"thinkingConfig\":{\"thinkingBudget\":1024,\"includeThoughts\":true}}"))
                    .extra("safetySettings", Json.parse("[]"))
                    .build();
            provider(server).chat(request);

            JsonObject expected = (JsonObject) Json.parse("""
                    {"contents":[{"role":"user","parts":[{"text":"What is this?"},
                       {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},
                       {"inlineData":{"mimeType":"image/jpeg","data":"/9j/4AAQ"}}]}],
                     "systemInstruction":{"parts":[{"text":"Be brief."},{"text":"Answer in JSON."}]},
                     "tools":[{"functionDeclarations":[{"name":"get_weather","description":"Weather now",
                       "parametersJsonSchema":%s}]}],
                     "toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}},
                     "generationConfig":{"temperature":0.5,"topP":0.9,"maxOutputTokens":100,"stopSequences":["END"],
                       "seed":7,"responseMimeType":"application/json","responseJsonSchema":%s,
                       "thinkingConfig":{"thinkingBudget":1024,"includeThoughts":true}},
                     "safetySettings":[]}
                    """.formatted(WEATHER_SCHEMA, schema));
            assertEquals(expected, body(server.takeRequest()));
        }
    }

    @Test
    void jsonObject_andRequiredOrNoTools_map() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1beta/models/gemini-2.5-flash:generateContent", Reply.fixture("gemini/generate_basic"));
            Provider p = provider(server);
            ChatRequest.Builder b = ChatRequest.newBuilder().model("gemini-2.5-flash").addMessage(Message.user("hi"))
                    .addTool(Tool.of("get_weather", null, WEATHER_SCHEMA)).responseFormat(ResponseFormat.jsonObject());
            p.chat(b.toolChoice(ToolChoice.required()).build());
            JsonObject sent = body(server.takeRequest());
            assertEquals(Json.parse("{\"responseMimeType\":\"application/json\"}"), sent.object("generationConfig"));
            assertEquals(Json.parse("{\"functionCallingConfig\":{\"mode\":\"ANY\"}}"), sent.object("toolConfig"));
            assertEquals(Json.parse("[{\"functionDeclarations\":[{\"name\":\"get_weather\",\"parametersJsonSchema\":"
                    + WEATHER_SCHEMA + "}]}]"), sent.array("tools"));
            p.chat(b.toolChoice(ToolChoice.none()).build());
            assertEquals(Json.parse("{\"functionCallingConfig\":{\"mode\":\"NONE\"}}"), body(server.takeRequest()).object("toolConfig"));
        }
    }

    @Test
    void aCandidateStoppedForSafety_isAContentFilterFinish_withWhatCameBefore() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1beta/models/gemini-2.5-flash:generateContent", Reply.json(200, """
                    {"candidates":[{"finishReason":"SAFETY","index":0,"safetyRatings":[
                      {"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH","blocked":true}]}],
                     "usageMetadata":{"promptTokenCount":7,"totalTokenCount":7},"modelVersion":"gemini-2.5-flash"}"""));
            ChatResponse r = provider(server).chat(ChatRequest.of("gemini-2.5-flash", "something dangerous"));
            assertEquals("", r.text());
            assertEquals(FinishReason.CONTENT_FILTER, r.finishReason());
            assertEquals("SAFETY", r.rawFinishReason());
            assertEquals("HIGH", r.raw().array("candidates").object(0).array("safetyRatings").object(0).string("probability"));
        }
    }

    @Test
    void imageUrls_thatAreNotDataUrls_areRefusedBeforeSending() {
        try (ReplayServer server = ReplayServer.start()) {
            LlmException e = assertThrows(LlmException.class, () -> provider(server).chat(ChatRequest.newBuilder()
                    .model("gemini-2.5-flash")
                    .addMessage(Message.user(List.of(ContentPart.imageUrl("https://example.com/cat.png")))).build()));
            assertEquals(LlmException.Kind.UNSUPPORTED, e.kind());
            assertEquals(0, server.pendingRequests());
        }
    }

    /** The docs' parallel call example (a candidate), as a whole response: then the next turn. */
    @Test
    void parallelCalls_getIds_andTheSignatureGoesBackOnTheFirstCall() {
        JsonObject candidate = (JsonObject) Fixtures.json("gemini/function_call_parallel.candidate.json");
        String body = "{\"candidates\":[" + Json.write(candidate.toBuilder().put("finishReason", "STOP").build()) + "]}";
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1beta/models/gemini-3-flash-preview:generateContent", Reply.json(200, body),
                    Reply.fixture("gemini/generate_basic"));
            Provider p = provider(server);
            ChatRequest first = ChatRequest.newBuilder().model("gemini-3-flash-preview")
                    .addMessage(Message.user("Check the weather in Paris and London."))
                    .addTool(Tool.of("get_current_temperature", "Gets the current temperature", WEATHER_SCHEMA)).build();
            ChatResponse r = p.chat(first);

            assertEquals(List.of(new ToolCall("call_0", "get_current_temperature", "{\"location\":\"Paris\"}"),
                    new ToolCall("call_1", "get_current_temperature", "{\"location\":\"London\"}")), r.toolCalls());
            assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
            assertEquals("STOP", r.rawFinishReason());
            assertEquals(List.of(new ReasoningBlock("", "<Signature_A>", null)), r.reasoning());

            p.chat(first.toBuilder().addMessage(r.message())
                    .addMessage(Message.tool("call_0", "{\"temp\":\"15C\"}"))
                    .addMessage(Message.tool("call_1", "12C")).build());
            server.takeRequest();
            JsonObject next = body(server.takeRequest());
            assertEquals(Json.parse("""
                    [{"role":"user","parts":[{"text":"Check the weather in Paris and London."}]},
                     {"role":"model","parts":[
                       {"functionCall":{"name":"get_current_temperature","args":{"location":"Paris"}},"thoughtSignature":"<Signature_A>"},
                       {"functionCall":{"name":"get_current_temperature","args":{"location":"London"}}}]},
                     {"role":"user","parts":[
                       {"functionResponse":{"name":"get_current_temperature","response":{"temp":"15C"}}},
                       {"functionResponse":{"name":"get_current_temperature","response":{"output":"12C"}}}]}]
                    """), next.array("contents"));
        }
    }

    @Test
    void thoughtParts_areReasoning_andATextSignatureGoesBackOnTheText() {
        String body = """
                {"candidates":[{"content":{"role":"model","parts":[
                  {"text":"Thinking about it.","thought":true},
                  {"text":"Paris.","thoughtSignature":"c2lnLXRleHQ="}]},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":2,"thoughtsTokenCount":30,
                   "cachedContentTokenCount":4,"totalTokenCount":42}}""";
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1beta/models/gemini-2.5-pro:generateContent", Reply.json(200, body),
                    Reply.fixture("gemini/generate_basic"));
            Provider p = provider(server);
            ChatRequest first = ChatRequest.of("gemini-2.5-pro", "Capital of France?");
            ChatResponse r = p.chat(first);
            assertEquals("Paris.", r.text());
            assertEquals(List.of(new ReasoningBlock("Thinking about it.", "c2lnLXRleHQ=", null)), r.reasoning());
            assertEquals(new Usage(10, 32, 42, 4, 0, 30), r.usage());

            p.chat(first.toBuilder().addMessage(r.message()).addMessage(Message.user("And Italy?")).build());
            server.takeRequest();
            assertEquals(Json.parse("{\"role\":\"model\",\"parts\":[{\"text\":\"Paris.\",\"thoughtSignature\":\"c2lnLXRleHQ=\"}]}"),
                    body(server.takeRequest()).array("contents").get(1));
        }
    }

    @Test
    void aBlockedPrompt_isAContentFilterFinish() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1beta/models/gemini-2.5-flash:generateContent", Reply.json(200,
                    "{\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"},\"usageMetadata\":{\"promptTokenCount\":8,\"totalTokenCount\":8}}"));
            ChatResponse r = provider(server).chat(ChatRequest.of("gemini-2.5-flash", "something bad"));
            assertEquals(FinishReason.CONTENT_FILTER, r.finishReason());
            assertEquals("PROHIBITED_CONTENT", r.rawFinishReason());
            assertEquals("", r.text());
            assertEquals(8, r.usage().inputTokens());
        }
    }

    @Test
    void aBodyThatIsNoGeminiAnswer_isAServerError_notAnEmptyReply() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1beta/models/m:generateContent", Reply.json(200, "{\"choices\":\"none\",\"content\":7}"),
                    Reply.json(200, "{\"candidates\":{}}"));
            Provider p = provider(server);
            for (int i = 0; i < 2; i++) {
                LlmException e = assertThrows(LlmException.class, () -> p.chat(ChatRequest.of("m", "hi")));
                assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
                assertTrue(e.getMessage().contains("candidates"), e.getMessage());
            }
        }
    }

    @Test
    void finishReasons_mapToParleysWords() {
        assertEquals(FinishReason.LENGTH, GeminiDecoder.finish("MAX_TOKENS", false));
        for (String filtered : List.of("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII")) {
            assertEquals(FinishReason.CONTENT_FILTER, GeminiDecoder.finish(filtered, false), filtered);
        }
        assertEquals(FinishReason.ERROR, GeminiDecoder.finish("MALFORMED_FUNCTION_CALL", false));
        assertEquals(FinishReason.OTHER, GeminiDecoder.finish("FINISH_REASON_UNSPECIFIED", false));
        assertEquals(FinishReason.TOOL_CALLS, GeminiDecoder.finish("STOP", true));
    }

    @Test
    void anInvalidKey_isAnAuthenticationError_thoughGoogleSays400() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1beta/models/gemini-2.0-flash:generateContent", Reply.fixture("gemini/error_400_api_key_invalid"));
            LlmException e = assertThrows(LlmException.class,
                    () -> provider(server).chat(ChatRequest.of("gemini-2.0-flash", "what is the result of 100/2")));
            assertEquals(LlmException.Kind.AUTHENTICATION, e.kind());
            assertEquals(400, e.statusCode());
            assertEquals("INVALID_ARGUMENT", e.errorType());
            assertEquals("API_KEY_INVALID", e.errorCode());
            assertTrue(e.getMessage().contains("API key not valid"), e.getMessage());
            assertFalse(e.getMessage().contains(KEY.value()));
        }
    }

    @Test
    void resourceExhausted_isARateLimit_withGooglesRetryDelay() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1beta/models/gemini-2.5-flash:generateContent",
                    Reply.fixture("gemini/error_429_resource_exhausted").withStatus(429));
            LlmException e = assertThrows(LlmException.class,
                    () -> provider(server).chat(ChatRequest.of("gemini-2.5-flash", "hi")));
            assertInstanceOf(RateLimitException.class, e);
            assertEquals("RESOURCE_EXHAUSTED", e.errorType());
            assertEquals(Duration.ofSeconds(26), e.retryAfter());
        }
    }

    @Test
    void otherStatuses_mapByName() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1beta/models/m:generateContent",
                    Reply.json(503, "{\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}"),
                    Reply.json(403, "{\"error\":{\"code\":403,\"message\":\"denied\",\"status\":\"PERMISSION_DENIED\"}}"));
            Provider p = provider(server);
            assertEquals(LlmException.Kind.UNAVAILABLE,
                    assertThrows(LlmException.class, () -> p.chat(ChatRequest.of("m", "hi"))).kind());
            assertEquals(LlmException.Kind.PERMISSION_DENIED,
                    assertThrows(LlmException.class, () -> p.chat(ChatRequest.of("m", "hi"))).kind());
        }
    }

    @Test
    void aModelNameThatWouldChangeTheUrl_isRefused() {
        try (ReplayServer server = ReplayServer.start()) {
            for (String bad : List.of("gemini?alt=x", "../files", "a b", "models/x/y")) {
                LlmException e = assertThrows(LlmException.class, () -> provider(server).chat(ChatRequest.of(bad, "hi")));
                assertEquals(LlmException.Kind.INVALID_REQUEST, e.kind(), bad);
            }
            assertEquals(0, server.pendingRequests());
        }
    }

    @Test
    void models_areListed_withoutThePrefix() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("GET", "/v1beta/models", Reply.fixture("gemini/models_list"));
            List<ModelInfo> models = provider(server).models();
            assertEquals(9, models.size());
            assertEquals("gemini-2.5-flash", models.get(0).id());
            assertEquals("text-embedding-004", models.get(8).id());
            RecordedRequest sent = server.takeRequest();
            assertEquals("pageSize=1000", sent.query());
            assertEquals(KEY.value(), sent.header("x-goog-api-key"));
        }
    }

    @Test
    void models_followPages_andStopAtARepeatedOrEndlessToken() {
        String page = "{\"models\":[{\"name\":\"models/m%d\"}],\"nextPageToken\":\"%s\"}";
        try (ReplayServer server = ReplayServer.start()) {
            server.on("GET", "/v1beta/models", Reply.json(200, page.formatted(1, "t1")), Reply.json(200, page.formatted(2, "t1")));
            assertEquals(List.of("m1", "m2"), provider(server).models().stream().map(ModelInfo::id).toList());
            server.takeRequest();
            assertEquals("pageSize=1000&pageToken=t1", server.takeRequest().query());
        }
        try (ReplayServer server = ReplayServer.start()) {
            Reply[] endless = new Reply[GeminiProvider.MAX_MODEL_PAGES + 1];
            for (int i = 0; i < endless.length; i++) {
                endless[i] = Reply.json(200, page.formatted(i, "t" + i));
            }
            server.on("GET", "/v1beta/models", endless);
            LlmException e = assertThrows(LlmException.class, () -> provider(server).models());
            assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
        }
    }

    @ParameterizedTest
    @EnumSource(Pace.class)
    void recordedBatchEmbeddings_areRead_exponentsIncluded(Pace pace) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1beta/models/text-embedding-004:batchEmbedContents",
                    Reply.fixture("gemini/batch_embed").paced(pace));
            EmbeddingResponse r = provider(server).embed(EmbeddingRequest.of("text-embedding-004", List.of("a", "b", "c", "d")));
            assertEquals(4, r.embeddings().size());
            for (int i = 0; i < 4; i++) {
                assertEquals(768, r.vector(i).length);
                assertEquals(i, r.embeddings().get(i).index());
            }
            assertEquals(0.030170398f, r.vector(0)[0]);
            assertEquals(-7.043372e-05f, r.vector(0)[277]);
            assertEquals(-3.1716703e-05f, r.vector(2)[623]);
            assertEquals(0.005090702f, r.vector(3)[767]);
            assertEquals("text-embedding-004", r.model());
            assertEquals("gemini", r.provider());
        }
    }

    /** A hand-written body in the documented shape, to check the request. */
    @Test
    void embeddings_batchEveryInput_inOrder() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1beta/models/gemini-embedding-001:batchEmbedContents",
                    Reply.json(200, "{\"embeddings\":[{\"values\":[0.030170398,-0.019961106]},{\"values\":[1.5,-2]}]}"));
            EmbeddingResponse r = provider(server).embed(new EmbeddingRequest("gemini-embedding-001", List.of("a", "b"), 2,
                    null, JsonObject.of("taskType", JsonString.of("RETRIEVAL_DOCUMENT"))));
            assertEquals(2, r.embeddings().size());
            assertEquals(0.030170398f, r.vector(0)[0]);
            assertEquals(-2f, r.vector(1)[1]);
            assertEquals(Json.parse("""
                    {"requests":[
                      {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"a"}]},"outputDimensionality":2,"taskType":"RETRIEVAL_DOCUMENT"},
                      {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"b"}]},"outputDimensionality":2,"taskType":"RETRIEVAL_DOCUMENT"}]}
                    """), body(server.takeRequest()));
        }
    }

    @Test
    void oneInput_usesEmbedContent() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1beta/models/gemini-embedding-001:embedContent",
                    Reply.json(200, "{\"embedding\":{\"values\":[0.25,-0.5,1]}}"));
            EmbeddingResponse r = provider(server).embed(EmbeddingRequest.of("gemini-embedding-001", List.of("one")));
            assertEquals(List.of(0.25f, -0.5f, 1f), List.of(r.vector(0)[0], r.vector(0)[1], r.vector(0)[2]));
            assertEquals(Json.parse("{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"one\"}]}}"),
                    body(server.takeRequest()));
        }
    }

    @Test
    void embeddings_ofTheWrongCount_areAServerError() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1beta/models/e:batchEmbedContents", Reply.json(200, "{\"embeddings\":[{\"values\":[1]}]}"));
            LlmException e = assertThrows(LlmException.class,
                    () -> provider(server).embed(EmbeddingRequest.of("e", List.of("a", "b"))));
            assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
        }
    }

    @Test
    void builtInPrices_coverGemini_andThinkingIsChargedAsOutput() {
        PriceTable t = PriceTable.builtIn();
        assertTrue(t.source().contains("pricing/google.json"), t.source());
        ModelPrice flash = t.find("gemini", "models/gemini-2.5-flash").orElseThrow();
        assertEquals(new ModelPrice(0.3, 2.5, 0.03, null), flash);
        assertEquals(0.1, t.find("gemini", "gemini-2.5-flash-lite").orElseThrow().input());
        assertEquals(0.075, t.find("gemini", "gemini-1.5-flash-002").orElseThrow().input(), "the fixture's modelVersion");
        assertEquals(0.15, t.find("gemini", "gemini-embedding-001").orElseThrow().input());
        // The streamed call's usage: 83 prompt tokens, 14 answer tokens and 104 thought tokens.
        assertEquals((83 * 0.3 + 118 * 2.5) / 1e6, flash.cost(new Usage(83, 118, 201, 0, 0, 104)), 1e-15);
    }

    @Test
    void factory_prefersGeminiApiKey_takesKeyFiles_andTheBaseUrl(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        GeminiProviderFactory f = new GeminiProviderFactory();
        ProviderConfig.Builder both = ProviderConfig.newBuilder();
        f.configure(ProviderEnvironment.of(Map.of("GEMINI_API_KEY", "gemini-key-0123", "GOOGLE_API_KEY", "google-key-0123",
                "GEMINI_BASE_URL", "http://127.0.0.1:9/v1")), both);
        assertEquals("gemini-key-0123", both.build().apiKey().value());
        assertEquals("http://127.0.0.1:9/v1", both.build().baseUrl().toString());
        java.nio.file.Path file = dir.resolve("key");
        java.nio.file.Files.writeString(file, "file-key-0123\n");
        ProviderConfig.Builder fromFile = ProviderConfig.newBuilder();
        f.configure(ProviderEnvironment.of(Map.of("GOOGLE_API_KEY_FILE", file.toString())), fromFile);
        assertEquals("file-key-0123", fromFile.build().apiKey().value());
    }

    @Test
    void factory_readsGeminiThenGoogleKeys_andNamesBothWhenMissing() {
        GeminiProviderFactory f = new GeminiProviderFactory();
        ProviderConfig.Builder config = ProviderConfig.newBuilder();
        f.configure(ProviderEnvironment.of(Map.of("GOOGLE_API_KEY", "g-key-0123456789")), config);
        assertEquals("g-key-0123456789", config.build().apiKey().value());
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> f.configure(ProviderEnvironment.of(Map.of()), ProviderConfig.newBuilder()));
        assertTrue(e.getMessage().contains("GEMINI_API_KEY") && e.getMessage().contains("GOOGLE_API_KEY"), e.getMessage());
        assertEquals("gemini-2.5-flash", f.defaultModel(ProviderEnvironment.of(Map.of())));
        assertEquals("gemini-embedding-001", f.defaultEmbeddingModel(ProviderEnvironment.of(Map.of())));
        Provider p = f.create(ProviderConfig.newBuilder().build(), name -> name.equals("GOOGLE_API_KEY") ? "k-0123456789" : null);
        assertEquals("GeminiProvider[name=gemini, baseUrl=https://generativelanguage.googleapis.com/v1beta]", p.toString());
        assertThrows(ConfigurationException.class, () -> f.create(ProviderConfig.newBuilder().build(), name -> null));
    }
}
