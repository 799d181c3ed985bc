package dev.parley.provider.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.Message;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;

/**
 * One tiny call to the real API (a few tokens), only when {@code ANTHROPIC_API_KEY} is set;
 * the model can be changed with {@code ANTHROPIC_MODEL}. Reported as skipped otherwise.
 */
@EnabledIfEnvironmentVariable(named = "ANTHROPIC_API_KEY", matches = ".+",
        disabledReason = "live Anthropic test: set ANTHROPIC_API_KEY to run it (costs a few tokens)")
class AnthropicLiveTest {

    @Test
    void chat_andStream_againstTheRealApi() {
        String model = System.getenv().getOrDefault("ANTHROPIC_MODEL", "claude-haiku-4-5");
        Provider anthropic = new AnthropicProviderFactory().create(ProviderConfig.newBuilder().build());
        ChatRequest request = ChatRequest.newBuilder().model(model).maxTokens(16)
                .addMessage(Message.system("Answer with one word."))
                .addMessage(Message.user("What color is a clear daytime sky?"))
                .build();

        ChatResponse r = anthropic.chat(request);
        assertFalse(r.text().isBlank());
        assertNotNull(r.id());
        assertNotNull(r.requestId());
        assertTrue(r.usage().inputTokens() > 0 && r.usage().outputTokens() > 0, r.usage().toString());

        ChatResponse streamed = anthropic.stream(request).collect();
        assertFalse(streamed.text().isBlank());
        assertEquals(r.model(), streamed.model());
        assertTrue(streamed.usage().outputTokens() > 0);
    }
}
