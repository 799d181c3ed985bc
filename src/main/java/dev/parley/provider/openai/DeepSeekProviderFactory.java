package dev.parley.provider.openai;

import java.net.URI;

import dev.parley.provider.BuiltInProviders;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderEnvironment;
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

    /**
     * Reads {@code DEEPSEEK_API_KEY} and {@code DEEPSEEK_BASE_URL}, else the generic
     * {@code OPENAI_API_KEY} and {@code OPENAI_BASE_URL} (one key is required; each also in its
     * {@code _FILE} form), and {@code LLM_MAX_RESPONSE_BYTES}. The generic settings describe one
     * server and count only together: with {@code DEEPSEEK_API_KEY} set, {@code OPENAI_BASE_URL}
     * (perhaps meant for OpenAI) is not used, so the DeepSeek key never goes to a server set for
     * another provider.
     */
    @Override
    public void configure(ProviderEnvironment env, ProviderConfig.Builder config) {
        if (env.hasSecret("DEEPSEEK_API_KEY")) {
            config.apiKey(env.secret("DEEPSEEK_API_KEY")).baseUrl(env.url("DEEPSEEK_BASE_URL"));
        } else {
            config.apiKey(BuiltInProviders.requiredKey(env, "DEEPSEEK_API_KEY", "OPENAI_API_KEY", name()));
            URI own = env.url("DEEPSEEK_BASE_URL");
            config.baseUrl(own != null ? own : env.url("OPENAI_BASE_URL"));
        }
        BuiltInProviders.configureCommon(env, config);
    }

    /**
     * {@return {@code DEEPSEEK_MODEL}, else {@code OPENAI_MODEL} when the generic key is the one
     * used, else {@code deepseek-chat}}
     */
    @Override
    public String defaultModel(ProviderEnvironment env) {
        String fallback = env.hasSecret("DEEPSEEK_API_KEY") ? "deepseek-chat"
                : BuiltInProviders.orDefault(env, "OPENAI_MODEL", "deepseek-chat");
        return BuiltInProviders.orDefault(env, "DEEPSEEK_MODEL", fallback);
    }
}
