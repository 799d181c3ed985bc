package dev.parley.provider.openai;

import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderFactory;

/**
 * Makes {@code "deepseek"} providers, for DeepSeek's API at {@code https://api.deepseek.com} (or
 * another base URL). The API key is required (set {@code DEEPSEEK_API_KEY}) and is sent as
 * {@code Authorization: Bearer}.
 *
 * <p>Reasoning comes back as {@link dev.parley.ReasoningBlock}s (DeepSeek's
 * {@code reasoning_content}) and is sent back inside tool-calling turns, as DeepSeek requires;
 * {@code developer} messages are sent as {@code system}. DeepSeek has no embeddings, image input
 * or JSON-schema response format: asking for them fails before any network call.
 *
 * <p>Options: none; any option is refused. Thread-safe.
 */
public final class DeepSeekProviderFactory implements ProviderFactory {

    /** Creates the factory; {@link java.util.ServiceLoader} calls this. */
    public DeepSeekProviderFactory() {
    }

    @Override
    public String name() {
        return "deepseek";
    }

    /** @throws dev.parley.ConfigurationException if a required setting is missing or an option is unknown or invalid */
    @Override
    public Provider create(ProviderConfig config) {
        return Factories.create(Dialect.DEEPSEEK, config);
    }
}
