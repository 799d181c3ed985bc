package dev.parley.provider.openai;

import dev.parley.provider.BuiltInProviders;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderEnvironment;
import dev.parley.spi.ProviderFactory;

/**
 * Makes {@code "openai"} providers, for OpenAI's API at {@code https://api.openai.com/v1} (or
 * another base URL). The API key is required (set {@code OPENAI_API_KEY}) and is sent as
 * {@code Authorization: Bearer}.
 *
 * <p>Options ({@link ProviderConfig#options()}):
 * <ul>
 * <li>{@code organization}: sent as the {@code OpenAI-Organization} header</li>
 * <li>{@code project}: sent as the {@code OpenAI-Project} header</li>
 * <li>{@code api}: {@code chat} (the default: Chat Completions, {@code /chat/completions}) or
 *     {@code responses} (the Responses API, {@code /responses})</li>
 * <li>{@code embeddingEncoding}: {@code base64} (the default: less than half the size of decimal numbers, and exact) or
 *     {@code float}</li>
 * </ul>
 * Other options are refused, so that a misspelt one is not silently ignored. Thread-safe.
 */
public final class OpenAiProviderFactory implements ProviderFactory {

    /** Creates the factory; {@link java.util.ServiceLoader} calls this. */
    public OpenAiProviderFactory() {
    }

    @Override
    public String name() {
        return "openai";
    }

    /** @throws dev.parley.ConfigurationException if a required setting is missing or an option is unknown or invalid */
    @Override
    public Provider create(ProviderConfig config) {
        return Factories.create(Dialect.OPENAI, config);
    }

    /**
     * Reads {@code OPENAI_API_KEY} (required; or {@code OPENAI_API_KEY_FILE}),
     * {@code OPENAI_BASE_URL}, {@code OPENAI_ORGANIZATION}, {@code OPENAI_PROJECT}, {@code OPENAI_API}
     * ({@code chat} or {@code responses}) and
     * {@code LLM_MAX_RESPONSE_BYTES}.
     */
    @Override
    public void configure(ProviderEnvironment env, ProviderConfig.Builder config) {
        config.apiKey(BuiltInProviders.requiredKey(env, "OPENAI_API_KEY", name())).baseUrl(env.url("OPENAI_BASE_URL"));
        BuiltInProviders.option(env, config, "OPENAI_ORGANIZATION", "organization");
        BuiltInProviders.option(env, config, "OPENAI_PROJECT", "project");
        BuiltInProviders.option(env, config, "OPENAI_API", Factories.API);
        BuiltInProviders.configureCommon(env, config);
    }

    /** {@return {@code OPENAI_MODEL}, else {@code gpt-4o-mini}} */
    @Override
    public String defaultModel(ProviderEnvironment env) {
        return BuiltInProviders.orDefault(env, "OPENAI_MODEL", "gpt-4o-mini");
    }

    /** {@return {@code text-embedding-3-small}} */
    @Override
    public String defaultEmbeddingModel(ProviderEnvironment env) {
        return "text-embedding-3-small";
    }
}
