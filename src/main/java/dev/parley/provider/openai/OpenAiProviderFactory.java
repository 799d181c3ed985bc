package dev.parley.provider.openai;

import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
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
}
