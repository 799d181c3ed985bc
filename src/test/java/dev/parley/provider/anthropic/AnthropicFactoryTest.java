package dev.parley.provider.anthropic;

import static dev.parley.provider.anthropic.TestSupport.KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.ServiceLoader;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ConfigurationException;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderFactory;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.RecordedRequest;
import dev.parley.support.ReplayServer.Reply;

/** The factory's settings and options, the headers they produce, and the models list. */
class AnthropicFactoryTest {

    private static final AnthropicProviderFactory FACTORY = new AnthropicProviderFactory();

    @Test
    void serviceLoader_findsTheFactoryByName() {
        List<ProviderFactory> found = ServiceLoader.load(ProviderFactory.class).stream()
                .map(ServiceLoader.Provider::get).filter(f -> f.name().equalsIgnoreCase("anthropic")).toList();
        assertEquals(1, found.size());
        assertTrue(found.get(0) instanceof AnthropicProviderFactory);
    }

    @Test
    void create_defaults() {
        Provider p = FACTORY.create(ProviderConfig.newBuilder().apiKey(KEY).build(), name -> null);
        assertEquals("anthropic", p.name());
        assertEquals(EnumSet.of(Capability.CHAT, Capability.STREAMING, Capability.TOOLS, Capability.IMAGES,
                Capability.REASONING, Capability.MODELS), EnumSet.copyOf(p.capabilities()));
        assertEquals("AnthropicProvider[name=anthropic, baseUrl=https://api.anthropic.com]", p.toString());
        assertFalse(p.toString().contains(KEY.value()));
    }

    @Test
    void create_withoutAKey_namesTheVariableToSet_andFallsBackToIt() {
        ProviderConfig noKey = ProviderConfig.newBuilder().build();
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> FACTORY.create(noKey, name -> null));
        assertTrue(e.getMessage().contains("set ANTHROPIC_API_KEY"), e.getMessage());
        assertEquals("anthropic", e.provider());
        assertThrows(ConfigurationException.class, () -> FACTORY.create(noKey, name -> "  "));
        ConfigurationException broken = assertThrows(ConfigurationException.class,
                () -> FACTORY.create(noKey, name -> "sk-ant\nsecond-line"));
        assertFalse(broken.getMessage().contains("sk-ant"), "the key is never echoed");

        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/message_basic"));
            Provider p = FACTORY.create(ProviderConfig.newBuilder().baseUrl(server.uri("")).build(),
                    name -> name.equals("ANTHROPIC_API_KEY") ? "sk-ant-from-env" : null);
            p.chat(ChatRequest.of("m", "x"));
            assertEquals("sk-ant-from-env", server.takeRequest().header("x-api-key"));
        }
    }

    @Test
    void create_rejectsABadDefaultMaxTokens() {
        for (String bad : List.of("0", "-5", "lots", "")) {
            ConfigurationException e = assertThrows(ConfigurationException.class, () -> FACTORY.create(
                    ProviderConfig.newBuilder().apiKey(KEY).option("defaultMaxTokens", bad).build(), name -> null));
            assertTrue(e.getMessage().contains("option defaultMaxTokens"), e.getMessage());
        }
    }

    @Test
    void options_andHeaders_areSentWithEveryRequest() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/proxy/v1/messages", Reply.fixture("anthropic/message_basic"));
            Provider p = FACTORY.create(ProviderConfig.newBuilder()
                    .name("claude-eu")
                    .baseUrl(server.uri("/proxy/"))
                    .apiKey(KEY)
                    .option("version", "2099-01-01")
                    .option("beta", "interleaved-thinking-2025-05-14,token-efficient-tools-2025-02-19")
                    .header("x-trace", "abc")
                    .header("anthropic-version", "2023-06-01") // configured headers win
                    .build(), name -> null);
            assertEquals("claude-eu", p.chat(ChatRequest.of("m", "x")).provider());
            RecordedRequest r = server.takeRequest();
            assertEquals("/proxy/v1/messages", r.path());
            assertEquals("interleaved-thinking-2025-05-14,token-efficient-tools-2025-02-19", r.header("anthropic-beta"));
            assertEquals(List.of("2023-06-01"), r.headers().get("anthropic-version"));
            assertEquals("abc", r.header("x-trace"));
            assertEquals(KEY.value(), r.header("x-api-key"));
        }
    }

    @Test
    void models_followsEveryPage() {
        // Synthetic pages, shaped as the GET /v1/models reference documents them.
        String page1 = """
                {"data":[{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"},
                         {"type":"model","id":"claude-haiku-4-5-20251001","display_name":"Claude Haiku 4.5","created_at":"2025-10-01T00:00:00Z"}],
                 "has_more":true,"first_id":"claude-sonnet-4-5-20250929","last_id":"claude-haiku-4-5-20251001"}
                """;
        String page2 = """
                {"data":[{"type":"model","id":"claude-3-haiku-20240307","display_name":"Claude Haiku 3","created_at":"not a date"}],
                 "has_more":false,"first_id":"claude-3-haiku-20240307","last_id":"claude-3-haiku-20240307"}
                """;
        try (ReplayServer server = ReplayServer.start()) {
            server.on("GET", "/v1/models", Reply.json(200, page1), Reply.json(200, page2));
            List<ModelInfo> models = TestSupport.provider(server).models();
            assertEquals(List.of("claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001", "claude-3-haiku-20240307"),
                    models.stream().map(ModelInfo::id).toList());
            assertEquals(1759104000L, models.get(0).created());
            assertEquals(0, models.get(2).created(), "an unreadable date is 0, not a failure");
            assertNull(models.get(0).ownedBy());
            assertEquals("Claude Sonnet 4.5", models.get(0).raw().string("display_name"));

            RecordedRequest first = server.takeRequest();
            assertEquals("limit=1000", first.query());
            assertEquals(KEY.value(), first.header("x-api-key"));
            assertEquals("2023-06-01", first.header("anthropic-version"));
            assertEquals("limit=1000&after_id=claude-haiku-4-5-20251001", server.takeRequest().query());
        }
    }

    @Test
    void models_errorsAreMapped() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("GET", "/v1/models", Reply.json(404,
                    "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"Not found\"}}"));
            LlmException e = assertThrows(LlmException.class, () -> TestSupport.provider(server).models());
            assertEquals(LlmException.Kind.NOT_FOUND, e.kind());
            assertEquals("not_found_error", e.errorType());
        }
    }

    @Test
    void baseUrl_withoutTrailingSlash() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/messages", Reply.fixture("anthropic/message_basic"));
            URI base = server.uri("");
            Provider p = FACTORY.create(ProviderConfig.newBuilder().baseUrl(base).apiKey(KEY).option("defaultMaxTokens", " 77 ")
                    .build(), name -> null);
            p.chat(ChatRequest.of("m", "x"));
            assertEquals(77, TestSupport.body(server.takeRequest()).longValue("max_tokens"));
        }
    }
}
