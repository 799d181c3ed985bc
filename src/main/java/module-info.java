/**
 * Parley: call large language models from Java with nothing but the JDK.
 *
 * <p>Exported: the API ({@code dev.parley}), the JSON codec, the provider SPI, the policies and
 * the test doubles. The provider adapters, the HTTP plumbing and the command line are internal;
 * adapters are reached by name through {@link java.util.ServiceLoader}.
 */
module dev.parley {
    requires transitive java.net.http;
    // Only FakeLlmServer (and so `parley demo`) runs on the JDK's HTTP server; it checks at run
    // time, so that an image of java.base and java.net.http can chat without it.
    requires static jdk.httpserver;
    requires static jdk.jfr;

    exports dev.parley;
    exports dev.parley.cache;
    exports dev.parley.cost;
    exports dev.parley.gateway;
    exports dev.parley.json;
    exports dev.parley.limit;
    exports dev.parley.mcp;
    exports dev.parley.retry;
    exports dev.parley.route;
    exports dev.parley.schema;
    exports dev.parley.spi;
    exports dev.parley.testing;
    exports dev.parley.timeout;
    exports dev.parley.tools;

    uses dev.parley.spi.ProviderFactory;

    provides dev.parley.spi.ProviderFactory with
            dev.parley.provider.openai.OpenAiProviderFactory,
            dev.parley.provider.openai.DeepSeekProviderFactory,
            dev.parley.provider.openai.OpenAiCompatibleProviderFactory,
            dev.parley.provider.openai.AzureOpenAiProviderFactory,
            dev.parley.provider.anthropic.AnthropicProviderFactory,
            dev.parley.provider.gemini.GeminiProviderFactory,
            dev.parley.provider.bedrock.BedrockProviderFactory,
            dev.parley.provider.ollama.OllamaProviderFactory;
}
