package dev.parley.provider.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.EnumSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ConfigurationException;
import dev.parley.LlmException;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderFactory;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.RecordedRequest;
import dev.parley.support.ReplayServer.Reply;

class FactoriesTest {

    private static final URI LOCAL = URI.create("http://localhost:8000/v1");

    private static OpenAiProvider create(ProviderFactory f, ProviderConfig c) {
        return (OpenAiProvider) f.create(c);
    }

    @Test
    void serviceLoader_findsAllFourByName() {
        Set<String> names = ServiceLoader.load(ProviderFactory.class).stream()
                .map(p -> p.get().name()).collect(Collectors.toSet());
        assertTrue(names.containsAll(Set.of("openai", "deepseek", "openai-compatible", "azure-openai")), names.toString());
    }

    @Test
    void defaults_baseUrlsAndCapabilities() {
        OpenAiProvider openai = create(new OpenAiProviderFactory(), ProviderConfig.newBuilder().apiKey(Fakes.KEY).build());
        assertEquals("openai", openai.name());
        assertEquals(URI.create("https://api.openai.com/v1/chat/completions"), openai.settings().endpoint("/chat/completions"));
        assertEquals(EnumSet.complementOf(EnumSet.of(Capability.REASONING)), EnumSet.copyOf(openai.capabilities()));
        assertTrue(openai.settings().base64Embeddings());

        OpenAiProvider deepseek = create(new DeepSeekProviderFactory(), ProviderConfig.newBuilder().apiKey(Fakes.KEY).build());
        assertEquals("deepseek", deepseek.name());
        assertEquals(URI.create("https://api.deepseek.com/chat/completions"), deepseek.settings().endpoint("/chat/completions"));

        OpenAiProvider compatible = create(new OpenAiCompatibleProviderFactory(), ProviderConfig.newBuilder().baseUrl(LOCAL).build());
        assertEquals("openai-compatible", compatible.name());
        assertEquals(URI.create("http://localhost:8000/v1/models"), compatible.settings().endpoint("/models"));
        assertEquals(EnumSet.allOf(Capability.class), EnumSet.copyOf(compatible.capabilities()));
        assertFalse(compatible.settings().base64Embeddings());
        assertSame(dev.parley.http.Transport.sharedClient(), compatible.settings().client());
    }

    @Test
    void configuredNameClientAndTrailingSlash_areUsed() {
        HttpClient client = HttpClient.newHttpClient();
        OpenAiProvider p = create(new OpenAiCompatibleProviderFactory(), ProviderConfig.newBuilder()
                .name("groq").baseUrl(URI.create("https://api.groq.com/openai/v1/")).httpClient(client).build());
        assertEquals("groq", p.name());
        assertSame(client, p.settings().client());
        assertEquals(URI.create("https://api.groq.com/openai/v1/chat/completions"), p.settings().endpoint("/chat/completions"));
    }

    @Test
    void missingKeyOrBaseUrl_isConfigurationErrorNamingTheSetting() {
        assertMessage(() -> new OpenAiProviderFactory().create(ProviderConfig.newBuilder().build()), "set OPENAI_API_KEY");
        assertMessage(() -> new DeepSeekProviderFactory().create(ProviderConfig.newBuilder().build()), "set DEEPSEEK_API_KEY");
        assertMessage(() -> new OpenAiCompatibleProviderFactory().create(ProviderConfig.newBuilder().build()),
                "no base URL: set baseUrl");
    }

    @Test
    void unknownOptionsAndUnsendableHeaders_areRefused() {
        assertMessage(() -> new OpenAiProviderFactory().create(ProviderConfig.newBuilder().apiKey(Fakes.KEY)
                .option("organisation", "org-1").build()), "unknown option \"organisation\" for openai; known options: "
                + "api, embeddingEncoding, maxResponseBytes, organization, project");
        assertMessage(() -> new DeepSeekProviderFactory().create(ProviderConfig.newBuilder().apiKey(Fakes.KEY)
                .option("project", "p").build()), "known options: maxResponseBytes");
        assertMessage(() -> new OpenAiCompatibleProviderFactory().create(ProviderConfig.newBuilder().baseUrl(LOCAL)
                .header("Connection", "close").build()), "header \"Connection\" cannot be sent");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String expected) {
        ConfigurationException x = assertThrows(ConfigurationException.class, e);
        assertTrue(x.getMessage().contains(expected), x.getMessage());
        assertEquals(LlmException.Kind.CONFIGURATION, x.kind());
    }

    @Test
    void configuredAuthorizationHeader_replacesTheBearerKey() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", Reply.fixture("openai/chat_basic"));
            Provider p = new OpenAiCompatibleProviderFactory().create(ProviderConfig.newBuilder()
                    .baseUrl(server.uri("/v1")).apiKey(Fakes.KEY).header("Authorization", "Basic Z3c6cGFzcw==").build());
            p.chat(ChatRequest.of("m", "hi"));
            RecordedRequest sent = server.takeRequest();
            assertEquals(List.of("Basic Z3c6cGFzcw=="), sent.headers().get("Authorization"));
        }
    }

    @Test
    void toString_neverShowsTheKey() {
        for (ProviderFactory f : List.of(new OpenAiProviderFactory(), new DeepSeekProviderFactory(),
                new OpenAiCompatibleProviderFactory())) {
            Provider p = f.create(ProviderConfig.newBuilder().baseUrl(LOCAL).apiKey(Fakes.KEY).build());
            assertFalse(p.toString().contains(Fakes.KEY.value()), p.toString());
            assertTrue(p.toString().contains("[redacted]"), p.toString());
        }
    }
}
