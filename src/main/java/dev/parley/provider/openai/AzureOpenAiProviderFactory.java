package dev.parley.provider.openai;

import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
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
}
