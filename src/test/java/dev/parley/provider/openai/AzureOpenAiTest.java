package dev.parley.provider.openai;

import static dev.parley.provider.openai.Fakes.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ConfigurationException;
import dev.parley.EmbeddingRequest;
import dev.parley.Message;
import dev.parley.UnsupportedCapabilityException;
import dev.parley.json.JsonObject;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.RecordedRequest;
import dev.parley.support.ReplayServer.Reply;

class AzureOpenAiTest {

    static final String DEPLOYMENT = "/openai/deployments/gpt4o-prod";

    private static Provider azure(ReplayServer server, String path) {
        return new AzureOpenAiProviderFactory().create(ProviderConfig.newBuilder()
                .baseUrl(server.uri(path)).apiKey(Fakes.KEY).option("apiVersion", "2024-10-21").build());
    }

    private static void assertAzureRequest(RecordedRequest sent, String path) {
        assertEquals(path, sent.path());
        assertEquals("api-version=2024-10-21", sent.query());
        assertEquals(Fakes.KEY.value(), sent.header("api-key"));
        assertNull(sent.header("Authorization"), "Azure takes the key in api-key, not as a bearer token");
    }

    @Test
    void chat_postsToTheDeploymentWithApiVersionAndApiKey_andNeedsNoModel() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", DEPLOYMENT + "/chat/completions", Reply.fixture("openai/chat_basic"));
            ChatRequest noModel = ChatRequest.newBuilder().addMessage(Message.user("What's the weather like in SF?")).build();
            ChatResponse r = azure(server, DEPLOYMENT).chat(noModel);
            RecordedRequest sent = server.takeRequest();
            assertAzureRequest(sent, DEPLOYMENT + "/chat/completions");
            assertEquals(Fakes.json("{\"messages\":[{\"role\":\"user\",\"content\":\"What's the weather like in SF?\"}]}"),
                    body(sent), "the deployment names the model");
            assertEquals("azure-openai", r.provider());
            assertEquals("gpt-4o-2024-08-06", r.model());
            assertTrue(r.text().startsWith("I'm unable to provide real-time weather updates."));
        }
    }

    @Test
    void stream_andEmbeddings_useTheSameUrlShape() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", DEPLOYMENT + "/chat/completions", Reply.fixture("openai/stream_basic"));
            server.on("POST", "/openai/deployments/embed-small/embeddings", Reply.fixture("openai/embeddings_float"));
            ChatResponse r = azure(server, DEPLOYMENT + "/").stream(ChatRequest.newBuilder()
                    .addMessage(Message.user("hi")).build()).collect();
            assertEquals(OpenAiStreamTest.BASIC_TEXT, r.text());
            RecordedRequest sent = server.takeRequest();
            assertAzureRequest(sent, DEPLOYMENT + "/chat/completions");
            assertEquals(OpenAiStreamTest.INCLUDE_USAGE, body(sent).object("stream_options"));

            Provider embeddings = azure(server, "/openai/deployments/embed-small");
            assertEquals(4, embeddings.embed(EmbeddingRequest.of(null, List.of("a", "b", "c", "d"))).embeddings().size());
            RecordedRequest e = server.takeRequest();
            assertAzureRequest(e, "/openai/deployments/embed-small/embeddings");
            assertEquals("base64", body(e).string("encoding_format"));
            assertFalse(body(e).has("model"));
        }
    }

    @Test
    void reasoningDeployment_namedOnTheRequest_getsMaxCompletionTokens() {
        ChatRequest r = ChatRequest.newBuilder().model("o4-mini").addMessage(Message.user("hi")).maxTokens(64).build();
        JsonObject body = ChatEncoder.chat(Dialect.AZURE, r, false);
        assertEquals(64, body.longValue("max_completion_tokens"));
        assertFalse(body.has("max_tokens"));
    }

    @Test
    void modelsList_isUnsupported() {
        try (ReplayServer server = ReplayServer.start()) {
            assertThrows(UnsupportedCapabilityException.class, () -> azure(server, DEPLOYMENT).models());
            assertEquals(0, server.pendingRequests());
        }
    }

    @Test
    void missingSettings_areConfigurationErrorsNamingThem() {
        URI base = URI.create("https://res.openai.azure.com/openai/deployments/d");
        ConfigurationException version = assertThrows(ConfigurationException.class, () -> new AzureOpenAiProviderFactory()
                .create(ProviderConfig.newBuilder().baseUrl(base).apiKey(Fakes.KEY).build()));
        assertTrue(version.getMessage().contains("apiVersion"), version.getMessage());
        ConfigurationException url = assertThrows(ConfigurationException.class, () -> new AzureOpenAiProviderFactory()
                .create(ProviderConfig.newBuilder().apiKey(Fakes.KEY).option("apiVersion", "2024-10-21").build()));
        assertTrue(url.getMessage().contains("openai/deployments/DEPLOYMENT"), url.getMessage());
        ConfigurationException key = assertThrows(ConfigurationException.class, () -> new AzureOpenAiProviderFactory()
                .create(ProviderConfig.newBuilder().baseUrl(base).option("apiVersion", "2024-10-21").build()));
        assertTrue(key.getMessage().contains("AZURE_OPENAI_API_KEY"), key.getMessage());
    }

    @Test
    void endpoint_keepsAQueryOnTheBaseUrlAndEncodesTheVersion() {
        Provider p = new AzureOpenAiProviderFactory().create(ProviderConfig.newBuilder()
                .baseUrl(URI.create("https://res.openai.azure.com/openai/deployments/d/?tenant=a"))
                .apiKey(Fakes.KEY).option("apiVersion", "2025-01-01 preview").build());
        assertEquals(URI.create("https://res.openai.azure.com/openai/deployments/d/chat/completions?tenant=a&api-version=2025-01-01+preview"),
                ((OpenAiProvider) p).settings().endpoint("/chat/completions"));
    }
}
