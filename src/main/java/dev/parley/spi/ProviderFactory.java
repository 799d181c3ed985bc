package dev.parley.spi;

import java.util.Locale;

/**
 * Creates {@link Provider}s of one kind from a {@link ProviderConfig}, and reads that
 * configuration from environment-style settings. Parley finds factories with
 * {@link java.util.ServiceLoader}: a third party adds a provider by declaring
 * {@code provides dev.parley.spi.ProviderFactory with ...} in its module (or a
 * {@code META-INF/services/dev.parley.spi.ProviderFactory} file on the class path), and it is
 * then used by name ({@code LLM_PROVIDER=acme}, {@code Llm.newBuilder().provider("acme")}, the
 * command line's {@code --provider acme}, or a fallback in {@code LLM_FALLBACK}).
 *
 * <p>When {@code Llm} makes a provider by name from settings, it calls, in order:
 * <ol>
 * <li>{@link #configure(ProviderEnvironment, ProviderConfig.Builder)}, to read the provider's key,
 *     base URL and options from the settings (skipped when the application gives a
 *     {@link ProviderConfig} of its own);</li>
 * <li>{@link #create(ProviderConfig)}, to make the provider;</li>
 * <li>{@link #defaultModel(ProviderEnvironment)} and
 *     {@link #defaultEmbeddingModel(ProviderEnvironment)}, for requests that name no model, unless
 *     the application or the generic settings {@code LLM_MODEL} and {@code LLM_EMBEDDING_MODEL}
 *     name one.</li>
 * </ol>
 * Only {@link #name()} and {@link #create(ProviderConfig)} must be written; the defaults read
 * {@code NAME_API_KEY} (or {@code NAME_API_KEY_FILE}) and {@code NAME_BASE_URL}, and name no model.
 *
 * <p>Implementations need a public no-argument constructor (for {@code ServiceLoader}) and must be
 * thread-safe.
 */
public interface ProviderFactory {

    /** {@return the kind of provider this factory makes, such as "openai"; matched without regard to case} */
    String name();

    /**
     * {@return a new provider}
     *
     * @param config the settings
     * @throws dev.parley.ConfigurationException if a required setting is missing or invalid
     */
    Provider create(ProviderConfig config);

    /**
     * Reads this provider's configuration from environment-style settings into {@code config}.
     * The builder arrives holding what Parley's generic settings ask of every provider: the HTTP
     * client (for a proxy or a connect timeout) and headers (a {@code User-Agent} from
     * {@code LLM_USER_AGENT}); add the key, the base URL and your options, and leave the rest.
     *
     * <p>Fail early, naming the setting: a required key that is missing is a
     * {@link dev.parley.ConfigurationException} from
     * {@link ProviderEnvironment#invalid(String, String)}, which {@link #create(ProviderConfig)}
     * would otherwise report without saying which variable to set.
     *
     * <p>The default reads the key from {@code NAME_API_KEY} (or the file {@code NAME_API_KEY_FILE}
     * names) and the base URL from {@code NAME_BASE_URL}, where {@code NAME} is {@link #name()} in
     * upper case with {@code -} as {@code _} ({@code my-llm}: {@code MY_LLM_API_KEY}); either may
     * be unset.
     *
     * {@snippet :
     * @Override
     * public void configure(ProviderEnvironment env, ProviderConfig.Builder config) {
     *     ApiKey key = env.secret("ACME_API_KEY");
     *     if (key == null) {
     *         throw ProviderEnvironment.invalid("ACME_API_KEY", "the acme provider needs an API key");
     *     }
     *     config.apiKey(key).baseUrl(env.url("ACME_BASE_URL"));
     *     String region = env.get("ACME_REGION");
     *     if (region != null) {
     *         config.option("region", region);
     *     }
     * }
     * }
     *
     * @param env    the settings, such as the process environment
     * @param config the configuration to fill in
     * @throws dev.parley.ConfigurationException if a setting is missing or malformed; the message
     *         names the setting and never shows a key
     */
    default void configure(ProviderEnvironment env, ProviderConfig.Builder config) {
        String prefix = name().toUpperCase(Locale.ROOT).replace('-', '_');
        config.apiKey(env.secret(prefix + "_API_KEY")).baseUrl(env.url(prefix + "_BASE_URL"));
    }

    /**
     * {@return the chat model for requests that name none}, such as a variable of the provider's
     * own ({@code ACME_MODEL}) or else a well-known model; null when there is none, so that each
     * request must name its model. Parley asks only when neither the application nor
     * {@code LLM_MODEL} sets one. The default returns null.
     *
     * @param env the settings, such as the process environment
     * @throws dev.parley.ConfigurationException if a setting is malformed
     */
    default String defaultModel(ProviderEnvironment env) {
        return null;
    }

    /**
     * {@return the embedding model for embedding requests that name none}; null when there is
     * none. Parley asks only when neither the application nor {@code LLM_EMBEDDING_MODEL} sets
     * one. The default returns null.
     *
     * @param env the settings, such as the process environment
     * @throws dev.parley.ConfigurationException if a setting is malformed
     */
    default String defaultEmbeddingModel(ProviderEnvironment env) {
        return null;
    }
}
