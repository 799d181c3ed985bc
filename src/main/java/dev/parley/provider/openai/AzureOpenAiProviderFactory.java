package dev.parley.provider.openai;

import dev.parley.provider.BuiltInProviders;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderEnvironment;
import dev.parley.spi.ProviderFactory;

/**
 * Makes {@code "azure-openai"} providers, for an Azure OpenAI deployment. The base URL is
 * required and names the deployment, such as
 * {@code https://RESOURCE.openai.azure.com/openai/deployments/DEPLOYMENT}, so requests need not
 * name a model. The API key is required (set {@code AZURE_OPENAI_API_KEY}) and is sent in the
 * {@code api-key} header. Listing models is not supported (a deployment URL has no models list).
 *
 * <p>Options ({@link ProviderConfig#options()}):
 * <ul>
 * <li>{@code apiVersion} (required): sent as the {@code api-version} query parameter, such as
 *     {@code 2024-10-21}</li>
 * <li>{@code embeddingEncoding}: {@code base64} (the default) or {@code float}</li>
 * </ul>
 * Other options are refused. Thread-safe.
 */
public final class AzureOpenAiProviderFactory implements ProviderFactory {

    /** The {@code api-version} used when {@code AZURE_OPENAI_API_VERSION} is unset. */
    static final String DEFAULT_API_VERSION = "2024-10-21";

    /** Creates the factory; {@link java.util.ServiceLoader} calls this. */
    public AzureOpenAiProviderFactory() {
    }

    @Override
    public String name() {
        return "azure-openai";
    }

    /** @throws dev.parley.ConfigurationException if a required setting is missing or an option is unknown or invalid */
    @Override
    public Provider create(ProviderConfig config) {
        return Factories.create(Dialect.AZURE, config);
    }

    /**
     * Reads {@code AZURE_OPENAI_API_KEY} (required; or {@code AZURE_OPENAI_API_KEY_FILE}),
     * {@code AZURE_OPENAI_BASE_URL} (required), {@code AZURE_OPENAI_API_VERSION} (default
     * {@code 2024-10-21}) and {@code LLM_MAX_RESPONSE_BYTES}.
     */
    @Override
    public void configure(ProviderEnvironment env, ProviderConfig.Builder config) {
        config.apiKey(BuiltInProviders.requiredKey(env, "AZURE_OPENAI_API_KEY", name()));
        if (env.url("AZURE_OPENAI_BASE_URL") == null) {
            throw ProviderEnvironment.invalid("AZURE_OPENAI_BASE_URL", "set the deployment URL, such as "
                    + "https://RESOURCE.openai.azure.com/openai/deployments/DEPLOYMENT");
        }
        config.baseUrl(env.url("AZURE_OPENAI_BASE_URL"));
        config.option("apiVersion", BuiltInProviders.orDefault(env, "AZURE_OPENAI_API_VERSION", DEFAULT_API_VERSION));
        BuiltInProviders.configureCommon(env, config);
    }

    /** {@return {@code AZURE_OPENAI_MODEL}, or null: the deployment URL names the model} */
    @Override
    public String defaultModel(ProviderEnvironment env) {
        return env.get("AZURE_OPENAI_MODEL");
    }

    /** {@return {@code text-embedding-3-small}} */
    @Override
    public String defaultEmbeddingModel(ProviderEnvironment env) {
        return "text-embedding-3-small";
    }
}
