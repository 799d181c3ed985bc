package dev.parley.provider.gemini;

import java.net.URI;
import java.util.function.UnaryOperator;

import dev.parley.ApiKey;
import dev.parley.LlmException;
import dev.parley.http.ResponseLimits;
import dev.parley.http.Transport;
import dev.parley.provider.BuiltInProviders;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderEnvironment;
import dev.parley.spi.ProviderFactory;

/**
 * Makes providers for Google's Gemini API (the Generative Language API); its name is
 * {@code "gemini"}.
 *
 * <p>Settings read from {@link ProviderConfig}:
 * <ul>
 * <li>{@code baseUrl}: the API root including its version, default
 *     {@code https://generativelanguage.googleapis.com/v1beta}; requests go to
 *     {@code {baseUrl}/models/{model}:generateContent} and the like.</li>
 * <li>{@code apiKey}: sent as {@code x-goog-api-key}. When not set, the {@code GEMINI_API_KEY}
 *     environment variable is used, else {@code GOOGLE_API_KEY}; when none is set,
 *     {@link #create} fails with a {@link dev.parley.ConfigurationException}.</li>
 * <li>{@code httpClient}: default {@link Transport#sharedClient()}.</li>
 * <li>{@code headers}: sent with every request, after (and so replacing) Parley's own.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe; public only because {@link java.util.ServiceLoader} needs it.
 */
public final class GeminiProviderFactory implements ProviderFactory {

    /** The default API root. */
    static final URI DEFAULT_BASE_URL = URI.create("https://generativelanguage.googleapis.com/v1beta");
    /** The environment variable read first when the config has no key. */
    static final String KEY_VARIABLE = "GEMINI_API_KEY";
    /** The environment variable read when {@link #KEY_VARIABLE} is not set. */
    static final String GOOGLE_KEY_VARIABLE = "GOOGLE_API_KEY";

    /** Creates the factory; {@link java.util.ServiceLoader} calls this. */
    public GeminiProviderFactory() {
    }

    @Override
    public String name() {
        return "gemini";
    }

    @Override
    public Provider create(ProviderConfig config) {
        return create(config, System::getenv);
    }

    /** Creates a provider, reading environment variables from {@code env} (tests pass their own). */
    Provider create(ProviderConfig config, UnaryOperator<String> env) {
        String name = config.name() != null ? config.name() : name();
        ApiKey key = config.apiKey();
        for (String variable : new String[] {KEY_VARIABLE, GOOGLE_KEY_VARIABLE}) {
            String fromEnv = key == null ? env.apply(variable) : null;
            if (fromEnv != null && !fromEnv.isBlank()) {
                try {
                    key = ApiKey.of(fromEnv);
                } catch (IllegalArgumentException e) {
                    throw configuration(name, variable + " is not a usable key: " + e.getMessage());
                }
            }
        }
        if (key == null) {
            throw configuration(name, "no API key: set " + KEY_VARIABLE + " (or " + GOOGLE_KEY_VARIABLE
                    + ") or give one with ProviderConfig.Builder.apiKey(...)");
        }
        return new GeminiProvider(name,
                config.baseUrl() != null ? config.baseUrl() : DEFAULT_BASE_URL,
                key,
                config.httpClient() != null ? config.httpClient() : Transport.sharedClient(),
                config.headers(),
                ResponseLimits.of(config, name));
    }

    /**
     * Reads {@code GEMINI_API_KEY} or {@code GOOGLE_API_KEY} (one is required; or their
     * {@code _FILE} forms), {@code GEMINI_BASE_URL} and {@code LLM_MAX_RESPONSE_BYTES}.
     */
    @Override
    public void configure(ProviderEnvironment env, ProviderConfig.Builder config) {
        config.apiKey(BuiltInProviders.requiredKey(env, KEY_VARIABLE, GOOGLE_KEY_VARIABLE, name()))
                .baseUrl(env.url("GEMINI_BASE_URL"));
        BuiltInProviders.configureCommon(env, config);
    }

    /** {@return {@code GEMINI_MODEL}, else {@code gemini-2.5-flash}} */
    @Override
    public String defaultModel(ProviderEnvironment env) {
        return BuiltInProviders.orDefault(env, "GEMINI_MODEL", "gemini-2.5-flash");
    }

    /** {@return {@code GEMINI_EMBEDDING_MODEL}, else {@code gemini-embedding-001}} */
    @Override
    public String defaultEmbeddingModel(ProviderEnvironment env) {
        return BuiltInProviders.orDefault(env, "GEMINI_EMBEDDING_MODEL", "gemini-embedding-001");
    }

    private static LlmException configuration(String name, String message) {
        return LlmException.newBuilder(LlmException.Kind.CONFIGURATION).provider(name).message(message).build();
    }
}
