package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import java.util.ServiceLoader;

import org.junit.jupiter.api.Test;

import dev.parley.provider.BuiltInProviders;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderEnvironment;
import dev.parley.spi.ProviderFactory;
import dev.parley.testing.ScriptedProvider;

/** How a factory configures its provider from the settings: the SPI's defaults, the generic settings, the built-in list. */
class ProviderFactoryConfigureTest {

    /** A third party's factory that writes only what it must. */
    private static final class MyLlmFactory implements ProviderFactory {
        @Override
        public String name() {
            return "my-llm";
        }

        @Override
        public Provider create(ProviderConfig config) {
            return ScriptedProvider.newBuilder(name()).reply("hi").build();
        }
    }

    @Test
    void theDefaults_readNameApiKeyAndBaseUrl_andTheGenericSettingsApply() {
        Settings s = new Settings(Map.of(
                "MY_LLM_API_KEY", "sk-canary-mine-789",
                "MY_LLM_BASE_URL", "https://my-llm.example/v2",
                "LLM_USER_AGENT", "acme/1.0",
                "LLM_MAX_RESPONSE_BYTES", "4096",
                "OPENAI_API_KEY", "sk-openai-not-mine"));
        ProviderConfig c = ProviderSettings.configFor(new MyLlmFactory(), s, null);
        assertEquals("sk-canary-mine-789", c.apiKey().value());
        assertEquals(URI.create("https://my-llm.example/v2"), c.baseUrl());
        assertEquals(Map.of("User-Agent", "acme/1.0"), c.headers());
        assertEquals(Map.of(), c.options(), "a third party's factory may refuse the built-in providers' options");
        assertNull(ProviderSettings.defaultModel(new MyLlmFactory(), s), "no model unless the factory names one");
        assertNull(ProviderSettings.defaultEmbeddingModel(new MyLlmFactory(), s));
    }

    @Test
    void theDefaults_readTheKeyFile_andLlmModelWins() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("parley-key", ".txt");
        try {
            java.nio.file.Files.writeString(file, "sk-from-file\n");
            Settings s = new Settings(Map.of("MY_LLM_API_KEY_FILE", file.toString(), "LLM_MODEL", "big",
                    "LLM_EMBEDDING_MODEL", "small"));
            assertEquals("sk-from-file", ProviderSettings.configFor(new MyLlmFactory(), s, null).apiKey().value());
            assertEquals("big", ProviderSettings.defaultModel(new MyLlmFactory(), s));
            assertEquals("small", ProviderSettings.defaultEmbeddingModel(new MyLlmFactory(), s));
            assertEquals("big", ProviderSettings.defaultModel("anthropic", s), "LLM_MODEL wins over ANTHROPIC_MODEL's default");
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @Test
    void builtInFactories_readTheirOwnSettings() {
        Settings s = new Settings(Map.of(
                "ANTHROPIC_API_KEY", "sk-ant-1", "ANTHROPIC_VERSION", "2099-01-01", "MAX_TOKENS", "77",
                "LLM_MAX_RESPONSE_BYTES", "2048",
                "AZURE_OPENAI_API_KEY", "az-1", "AZURE_OPENAI_BASE_URL", "https://r.openai.azure.com/openai/deployments/d",
                "OLLAMA_HOST", ":1234", "OLLAMA_MODEL", "qwen3"));
        ProviderConfig anthropic = ProviderSettings.configFor("anthropic", s, null);
        assertEquals(Map.of("version", "2099-01-01", "defaultMaxTokens", "77", "maxResponseBytes", "2048"), anthropic.options());
        assertEquals("claude-sonnet-4-5", ProviderSettings.defaultModel("anthropic", s));
        ProviderConfig azure = ProviderSettings.configFor("azure-openai", s, null);
        assertEquals("2024-10-21", azure.options().get("apiVersion"));
        assertNull(ProviderSettings.defaultModel("azure-openai", s));
        ProviderConfig ollama = ProviderSettings.configFor("ollama", s, null);
        assertEquals(":1234", ollama.options().get("host"));
        assertNull(ollama.apiKey());
        assertEquals("qwen3", ProviderSettings.defaultModel("ollama", s));

        ConfigurationException missing = assertThrows(ConfigurationException.class,
                () -> ProviderSettings.configFor("openai", s, null));
        assertEquals("OPENAI_API_KEY: the openai provider needs an API key: set OPENAI_API_KEY"
                + " (or OPENAI_API_KEY_FILE, the path of a file holding it)", missing.getMessage());
    }

    @Test
    void theBuiltInList_matchesTheServicesTheModuleDeclares() {
        int count = 0;
        for (ProviderFactory declared : ServiceLoader.load(ProviderFactory.class, Llm.class.getClassLoader())) {
            ProviderFactory listed = BuiltInProviders.find(declared.name().toUpperCase(java.util.Locale.ROOT));
            assertSame(declared.getClass(), listed == null ? null : listed.getClass(), declared.name());
            assertEquals(declared.name(), listed.name());
            count++;
        }
        assertEquals(8, count);
        assertNull(BuiltInProviders.find("my-llm"));
        ConfigurationException unknown = assertThrows(ConfigurationException.class, () -> ProviderSettings.factory("my-llm"));
        assertTrue(unknown.getMessage().startsWith("LLM_PROVIDER: no provider called \"my-llm\"; known providers: anthropic, "),
                unknown.getMessage());
    }

    @Test
    void theClassPathServicesFile_listsWhatModuleInfoProvides() throws Exception {
        // On the class path ServiceLoader reads this file, not module-info; the two must agree.
        java.util.Set<String> provided = new java.util.TreeSet<>();
        Llm.class.getModule().getDescriptor().provides().stream()
                .filter(p -> p.service().equals(ProviderFactory.class.getName()))
                .forEach(p -> provided.addAll(p.providers()));
        java.util.Set<String> listed = new java.util.TreeSet<>();
        try (java.io.InputStream in = Llm.class.getModule().getResourceAsStream(
                "META-INF/services/" + ProviderFactory.class.getName())) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.strip().startsWith("#")) {
                    listed.add(line.strip());
                }
            }
        }
        assertEquals(provided, listed);
    }

    @Test
    void providerEnvironment_neverShowsAValue() {
        ProviderEnvironment env = ProviderEnvironment.of(Map.of("MY_LLM_API_KEY", "sk-canary-env-321", "BLANK", " "));
        assertFalse(env.toString().contains("sk-canary"), env.toString());
        assertTrue(env.hasSecret("MY_LLM_API_KEY"));
        assertFalse(env.hasSecret("BLANK"));
        assertNull(env.get("BLANK"));
        ConfigurationException bad = assertThrows(ConfigurationException.class, () -> ProviderEnvironment.of(
                Map.of("MY_LLM_API_KEY", "sk-canary\nline")).secret("MY_LLM_API_KEY"));
        assertFalse(bad.getMessage().contains("sk-canary"), bad.getMessage());
        assertTrue(bad.getMessage().startsWith("MY_LLM_API_KEY: "), bad.getMessage());
        assertEquals("ACME_REGION: set it", ProviderEnvironment.invalid("ACME_REGION", "set it").getMessage());
    }
}
