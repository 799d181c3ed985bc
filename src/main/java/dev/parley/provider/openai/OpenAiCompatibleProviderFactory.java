package dev.parley.provider.openai;

import dev.parley.provider.BuiltInProviders;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderEnvironment;
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
 * <li>{@code api}: {@code chat} (the default: {@code /chat/completions}) or {@code responses}
 *     ({@code /responses}, for servers that offer OpenAI's Responses API)</li>
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

    /**
     * Reads {@code OPENAI_BASE_URL} (required), {@code OPENAI_API_KEY} (optional; or
     * {@code OPENAI_API_KEY_FILE}), {@code OPENAI_API} ({@code chat} or {@code responses}) and
     * {@code LLM_MAX_RESPONSE_BYTES}.
     */
    @Override
    public void configure(ProviderEnvironment env, ProviderConfig.Builder config) {
        if (env.url("OPENAI_BASE_URL") == null) {
            throw ProviderEnvironment.invalid("OPENAI_BASE_URL", "the openai-compatible provider needs the server's base URL, "
                    + "such as http://localhost:8000/v1");
        }
        config.apiKey(env.secret("OPENAI_API_KEY")).baseUrl(env.url("OPENAI_BASE_URL"));
        BuiltInProviders.option(env, config, "OPENAI_API", Factories.API);
        BuiltInProviders.configureCommon(env, config);
    }

    /** {@return {@code OPENAI_MODEL}, or null: a server's models have no common default} */
    @Override
    public String defaultModel(ProviderEnvironment env) {
        return env.get("OPENAI_MODEL");
    }
}
