package dev.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.parley.ApiKey;
import dev.parley.ChatRequest;
import dev.parley.Llm;
import dev.parley.provider.anthropic.AnthropicProviderFactory;
import dev.parley.provider.ollama.OllamaProviderFactory;
import dev.parley.provider.openai.OpenAiProviderFactory;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.CountingHttpServer;
import dev.parley.support.CountingHttpServer.Reply;
import dev.parley.support.Fixtures;

/** Requests say they come from Parley ({@code parley/VERSION}), unless configured otherwise. */
class UserAgentTest {

    private record Adapter(String name, Function<ProviderConfig.Builder, Provider> create, String path,
                           String chat, String stream, String contentType) {
    }

    private static final List<Adapter> ADAPTERS = List.of(
            new Adapter("openai", b -> new OpenAiProviderFactory().create(b.build()), "/v1",
                    "openai/chat_basic.response.json", "openai/stream_basic.response.sse", "text/event-stream"),
            new Adapter("anthropic", b -> new AnthropicProviderFactory().create(b.build()), "",
                    "anthropic/message_basic.response.json", "anthropic/stream_text.response.sse", "text/event-stream"),
            new Adapter("ollama", b -> new OllamaProviderFactory().create(b.build()), "",
                    "ollama/chat.response.json", "ollama/chat_stream.response.ndjson", "application/x-ndjson"));

    /** {@return the User-Agent of a chat and of a stream, through each adapter configured by {@code configure}} */
    private static List<String> userAgents(Function<ProviderConfig.Builder, ProviderConfig.Builder> configure) {
        List<String> seen = new java.util.ArrayList<>();
        for (Adapter a : ADAPTERS) {
            byte[] chat = Fixtures.bytes(a.chat());
            byte[] stream = Fixtures.bytes(a.stream());
            try (CountingHttpServer server = CountingHttpServer.start(r -> new String(r.body()).contains("\"stream\":true")
                    ? Reply.chunked(200, a.contentType(), stream, Duration.ZERO)
                    : Reply.fixed(200, "application/json", chat))) {
                Provider p = a.create().apply(configure.apply(ProviderConfig.newBuilder()
                        .baseUrl(server.uri(a.path())).apiKey(ApiKey.of("sk-test"))));
                p.chat(ChatRequest.of("m", "hi"));
                p.stream(ChatRequest.of("m", "hi")).collect();
                server.requests.forEach(r -> seen.add(a.name() + ": " + r.header("User-Agent")));
            }
        }
        return seen;
    }

    @Test
    void everyRequestSaysParleyAndItsVersion() {
        String expected = "parley/" + Transport.version();
        assertEquals(List.of("openai: " + expected, "openai: " + expected, "anthropic: " + expected,
                "anthropic: " + expected, "ollama: " + expected, "ollama: " + expected), userAgents(b -> b));
        assertFalse(Transport.version().isBlank());
        assertTrue(Transport.USER_AGENT.startsWith("parley/"));
    }

    @Test
    void aConfiguredUserAgentHeaderWins() {
        assertEquals(List.of("openai: my-app/2", "openai: my-app/2", "anthropic: my-app/2", "anthropic: my-app/2",
                "ollama: my-app/2", "ollama: my-app/2"), userAgents(b -> b.header("user-agent", "my-app/2")));
    }

    @Test
    void theSettingSetsIt() {
        try (CountingHttpServer server = CountingHttpServer.start(r -> Reply.fixed(200, "application/json",
                Fixtures.bytes("openai/chat_basic.response.json")))) {
            Llm llm = Llm.newBuilder().settings(Map.of("LLM_PROVIDER", "openai", "OPENAI_API_KEY", "sk-test",
                    "OPENAI_BASE_URL", server.uri("/v1").toString(), "LLM_USER_AGENT", "my-gateway/1.0 (ops@example.com)"))
                    .build();
            llm.chat("hi");
            assertEquals("my-gateway/1.0 (ops@example.com)", server.requests.get(0).header("User-Agent"));
        }
    }
}
