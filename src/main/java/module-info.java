/**
 * Parley: call large language models from Java with nothing but the JDK.
 */
module dev.parley {
    requires java.net.http;
    requires jdk.httpserver;

    exports dev.parley;
    exports dev.parley.json;
    exports dev.parley.spi;

    uses dev.parley.spi.ProviderFactory;
    provides dev.parley.spi.ProviderFactory with dev.parley.provider.openai.OpenAiProviderFactory, dev.parley.provider.openai.DeepSeekProviderFactory, dev.parley.provider.openai.OpenAiCompatibleProviderFactory, dev.parley.provider.openai.AzureOpenAiProviderFactory;
}
