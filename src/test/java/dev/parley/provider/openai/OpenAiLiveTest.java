package dev.parley.provider.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import dev.parley.ApiKey;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.FinishReason;
import dev.parley.Message;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderFactory;

/**
 * One tiny chat call against the real APIs, run only when their keys are set (and reported as
 * skipped otherwise): {@code OPENAI_API_KEY} (model {@code OPENAI_MODEL}, default
 * {@code gpt-4o-mini}; base URL {@code OPENAI_BASE_URL} if set) and {@code DEEPSEEK_API_KEY}
 * (model {@code deepseek-chat}). Each call costs a few dozen tokens.
 */
class OpenAiLiveTest {

    private static ChatResponse ping(ProviderFactory factory, String keyVariable, String baseUrlVariable, String model) {
        ProviderConfig.Builder config = ProviderConfig.newBuilder().apiKey(ApiKey.of(System.getenv(keyVariable)));
        String baseUrl = baseUrlVariable == null ? null : System.getenv(baseUrlVariable);
        if (baseUrl != null && !baseUrl.isBlank()) {
            config.baseUrl(URI.create(baseUrl));
        }
        Provider provider = factory.create(config.build());
        ChatResponse r = provider.chat(ChatRequest.newBuilder().model(model)
                .addMessage(Message.user("Reply with the single word: pong")).maxTokens(32).build());
        assertNotNull(r.id());
        assertTrue(r.usage().inputTokens() > 0, "usage reported: " + r.usage());
        assertTrue(!r.text().isBlank() || r.finishReason() == FinishReason.LENGTH,
                "an answer, or a reasoning model that spent its budget: " + r);
        return r;
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "OPENAI_API_KEY", matches = ".+")
    void openai_answersATinyChat() {
        String model = System.getenv().getOrDefault("OPENAI_MODEL", "gpt-4o-mini");
        ChatResponse r = ping(new OpenAiProviderFactory(), "OPENAI_API_KEY", "OPENAI_BASE_URL", model);
        assertEquals("openai", r.provider());
        assertNotNull(r.requestId(), "x-request-id");
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "DEEPSEEK_API_KEY", matches = ".+")
    void deepseek_answersATinyChat() {
        ChatResponse r = ping(new DeepSeekProviderFactory(), "DEEPSEEK_API_KEY", null, "deepseek-chat");
        assertEquals("deepseek", r.provider());
    }
}
