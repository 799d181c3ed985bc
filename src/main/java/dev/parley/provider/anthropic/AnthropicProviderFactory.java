package dev.parley.provider.anthropic;

import java.net.URI;
import java.util.function.UnaryOperator;

import dev.parley.ApiKey;
import dev.parley.LlmException;
import dev.parley.provider.BuiltInProviders;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderEnvironment;
import dev.parley.spi.ProviderFactory;

/**
 * Makes providers for Anthropic's Messages API; its name is {@code "anthropic"}.
 *
 * <p>Settings read from {@link ProviderConfig}:
 * <ul>
 * <li>{@code baseUrl}: the API root, default {@code https://api.anthropic.com}; requests go to
 *     {@code {baseUrl}/v1/messages} and {@code {baseUrl}/v1/models}, so give the root without
 *     {@code /v1}.</li>
 * <li>{@code apiKey}: sent as {@code x-api-key}. When not set, the {@code ANTHROPIC_API_KEY}
 *     environment variable is used; when neither is set, {@link #create} fails with a
 *     {@link dev.parley.ConfigurationException}.</li>
 * <li>{@code httpClient}: default {@link dev.parley.http.Transport#sharedClient()}.</li>
 * <li>{@code headers}: sent with every request, after (and so replacing) Parley's own.</li>
 * </ul>
 *
 * <p>Options ({@link ProviderConfig#options()}):
 * <ul>
 * <li>{@code version}: the {@code anthropic-version} header, default {@code 2023-06-01}.</li>
 * <li>{@code beta}: the {@code anthropic-beta} header (comma-separated beta names); not sent by
 *     default.</li>
 * <li>{@code defaultMaxTokens}: the {@code max_tokens} sent when a request sets no
 *     {@link dev.parley.ChatRequest#maxTokens()} (the API requires one), default
 *     4096.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe; public only because {@link java.util.ServiceLoader} needs it.
 */
public final class AnthropicProviderFactory implements ProviderFactory {

    /** The default API root. */
    static final URI DEFAULT_BASE_URL = URI.create("https://api.anthropic.com");
    /** The default {@code anthropic-version} header. */
    static final String DEFAULT_VERSION = "2023-06-01";
    /** The default {@code max_tokens}. */
    static final int DEFAULT_MAX_TOKENS = 4096;
    /** The environment variable read when the config has no key. */
    static final String KEY_VARIABLE = "ANTHROPIC_API_KEY";

    /** Creates the factory; {@link java.util.ServiceLoader} calls this. */
    public AnthropicProviderFactory() {
    }

    @Override
    public String name() {
        return "anthropic";
    }

    @Override
    public Provider create(ProviderConfig config) {
        return create(config, System::getenv);
    }

    /** Creates a provider, reading environment variables from {@code env} (tests pass their own). */
    Provider create(ProviderConfig config, UnaryOperator<String> env) {
        String name = config.name() != null ? config.name() : name();
        ApiKey key = config.apiKey();
        if (key == null) {
            String fromEnv = env.apply(KEY_VARIABLE);
            if (fromEnv == null || fromEnv.isBlank()) {
                throw configuration(name, "no API key: set " + KEY_VARIABLE
                        + " or give one with ProviderConfig.Builder.apiKey(...)");
            }
            try {
                key = ApiKey.of(fromEnv);
            } catch (IllegalArgumentException e) {
                throw configuration(name, KEY_VARIABLE + " is not a usable key: " + e.getMessage());
            }
        }
        int maxTokens = DEFAULT_MAX_TOKENS;
        String max = config.options().get("defaultMaxTokens");
        if (max != null) {
            try {
                maxTokens = Integer.parseInt(max.strip());
            } catch (NumberFormatException e) {
                maxTokens = 0;
            }
            if (maxTokens < 1) {
                throw configuration(name, "option defaultMaxTokens: expected a whole number of at least 1, got \""
                        + max + "\"");
            }
        }
        return new AnthropicProvider(name,
                config.baseUrl() != null ? config.baseUrl() : DEFAULT_BASE_URL,
                key,
                config.httpClient() != null ? config.httpClient() : dev.parley.http.Transport.sharedClient(),
                config.headers(),
                config.options().getOrDefault("version", DEFAULT_VERSION),
                config.options().get("beta"),
                maxTokens,
                dev.parley.http.ResponseLimits.of(config, name));
    }

    /**
     * Reads {@code ANTHROPIC_API_KEY} (required; or {@code ANTHROPIC_API_KEY_FILE}),
     * {@code ANTHROPIC_BASE_URL}, {@code ANTHROPIC_VERSION}, {@code MAX_TOKENS} (as the option
     * {@code defaultMaxTokens}) and {@code LLM_MAX_RESPONSE_BYTES}.
     */
    @Override
    public void configure(ProviderEnvironment env, ProviderConfig.Builder config) {
        config.apiKey(BuiltInProviders.requiredKey(env, KEY_VARIABLE, name())).baseUrl(env.url("ANTHROPIC_BASE_URL"));
        BuiltInProviders.option(env, config, "ANTHROPIC_VERSION", "version");
        Integer max = env.integer("MAX_TOKENS", 1, 10_000_000);
        if (max != null) {
            config.option("defaultMaxTokens", Integer.toString(max));
        }
        BuiltInProviders.configureCommon(env, config);
    }

    /** {@return {@code ANTHROPIC_MODEL}, else {@code claude-sonnet-4-5}} */
    @Override
    public String defaultModel(ProviderEnvironment env) {
        return BuiltInProviders.orDefault(env, "ANTHROPIC_MODEL", "claude-sonnet-4-5");
    }

    private static LlmException configuration(String name, String message) {
        return LlmException.newBuilder(LlmException.Kind.CONFIGURATION).provider(name).message(message).build();
    }
}
