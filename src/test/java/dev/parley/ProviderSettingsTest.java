package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.spi.ProviderConfig;

/** Where each provider's key, URL and model come from, where the generic OPENAI_* settings meet a provider's own. */
class ProviderSettingsTest {

    private final Map<String, String> env = new HashMap<>(Map.of(
            "OPENAI_API_KEY", "sk-openai-generic",
            "OPENAI_BASE_URL", "https://openai.example/v1",
            "OPENAI_MODEL", "gpt-4o"));

    @Test
    void deepSeek_takesTheGenericSettingsTogether_whenItHasNoKeyOfItsOwn() {
        ProviderConfig c = ProviderSettings.configFor("deepseek", new Settings(env), null);
        assertEquals("sk-openai-generic", c.apiKey().value());
        assertEquals(URI.create("https://openai.example/v1"), c.baseUrl());
        assertEquals("gpt-4o", ProviderSettings.defaultModel("deepseek", new Settings(env)));
    }

    @Test
    void deepSeeksOwnKey_neverGoesToTheGenericUrl_norAsksForTheGenericModel() {
        // OPENAI_* set for OpenAI, DEEPSEEK_API_KEY for a fallback: the DeepSeek key must go to
        // DeepSeek's own URL (the adapter's default when DEEPSEEK_BASE_URL is unset).
        env.put("DEEPSEEK_API_KEY", "sk-deepseek-own");
        ProviderConfig c = ProviderSettings.configFor("deepseek", new Settings(env), null);
        assertEquals("sk-deepseek-own", c.apiKey().value());
        assertNull(c.baseUrl(), "the adapter's own default, https://api.deepseek.com");
        assertEquals("deepseek-chat", ProviderSettings.defaultModel("deepseek", new Settings(env)));

        env.put("DEEPSEEK_BASE_URL", "https://deepseek.example");
        assertEquals(URI.create("https://deepseek.example"),
                ProviderSettings.configFor("deepseek", new Settings(env), null).baseUrl());
    }
}
