package dev.parley.provider.openai;

import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderFactory;

/**
 * Makes {@code "openai-compatible"} providers, for any server that speaks the OpenAI Chat
 * Completions API: vLLM, LM Studio, the llama.cpp server, Groq, Together, OpenRouter, Ollama's
 * {@code /v1} and others. The base URL is required: the API root, such as
 * {@code http://localhost:8000/v1}. The API key is optional, sent as
 * {@code Authorization: Bearer} when given. {@code developer} messages are sent as
 * {@code system}, which every such server understands. Reasoning is read from
 * {@code reasoning_content} or {@code reasoning}.
 *
 * <p>Options ({@link ProviderConfig#options()}):
 * <ul>
 * <li>{@code embeddingEncoding}: {@code float} (the default, which every server supports) or
 *     {@code base64}</li>
 * </ul>
 * Other options are refused. Thread-safe.
 */
public final class OpenAiCompatibleProviderFactory implements ProviderFactory {

    /** Creates the factory; {@link java.util.ServiceLoader} calls this. */
    public OpenAiCompatibleProviderFactory() {
    }

    @Override
    public String name() {
        return "openai-compatible";
    }

    /** @throws dev.parley.ConfigurationException if a required setting is missing or an option is unknown or invalid */
    @Override
    public Provider create(ProviderConfig config) {
        return Factories.create(Dialect.COMPATIBLE, config);
    }
}
