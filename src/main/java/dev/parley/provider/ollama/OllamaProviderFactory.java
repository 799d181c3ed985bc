package dev.parley.provider.ollama;

import java.net.URI;
import java.util.Objects;
import java.util.function.Function;

import dev.parley.http.ResponseLimits;
import dev.parley.http.Transport;
import dev.parley.provider.BuiltInProviders;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderEnvironment;
import dev.parley.spi.ProviderFactory;

/**
 * Makes providers for Ollama's native API ({@code /api/chat}, {@code /api/embed},
 * {@code /api/tags}); found by {@link java.util.ServiceLoader} under the name {@code "ollama"}.
 *
 * <p>Settings read from {@link ProviderConfig}:
 * <ul>
 * <li>{@code baseUrl}: the server's root, such as {@code http://127.0.0.1:11434}. When null,
 *     the {@code OLLAMA_HOST} environment variable is read with Ollama's own rules
 *     ({@code host}, {@code host:port}, {@code :port}, {@code http(s)://host:port}; a bind address
 *     such as {@code 0.0.0.0} connects to 127.0.0.1), and when that is unset too,
 *     {@code http://127.0.0.1:11434}.</li>
 * <li>Option {@code host}: an {@code OLLAMA_HOST}-style value read with the same rules, used
 *     instead of the environment variable when {@code baseUrl} is null ({@code Llm}'s settings
 *     pass {@code OLLAMA_HOST} this way, so a settings map works without the real environment).</li>
 * <li>{@code apiKey}: none is needed for a local server; when set it is sent as
 *     {@code Authorization: Bearer} (for ollama.com or an authenticating proxy).</li>
 * <li>{@code httpClient}, {@code headers}, {@code name}: as for every provider.</li>
 * <li>Option {@code keepAlive}: how long the server keeps the model loaded after each request,
 *     sent as {@code keep_alive} on chat and embedding requests (a request's {@code extra} wins):
 *     a duration such as {@code "10m"}, or a number of seconds ({@code "0"} unloads at once,
 *     {@code "-1"} keeps it loaded). Other option keys are ignored.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class OllamaProviderFactory implements ProviderFactory {

    private final Function<String, String> environment;

    /** Creates the factory that {@link java.util.ServiceLoader} uses; it reads the process environment. */
    public OllamaProviderFactory() {
        this(System::getenv);
    }

    /** Creates a factory that reads environment variables through {@code environment}, for tests. */
    OllamaProviderFactory(Function<String, String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    @Override
    public String name() {
        return "ollama";
    }

    @Override
    public Provider create(ProviderConfig config) {
        URI base = config.baseUrl() != null ? config.baseUrl()
                : OllamaHost.resolve(config.option("host").orElseGet(() -> environment.apply(OllamaHost.ENV)));
        return new OllamaProvider(
                config.name() != null ? config.name() : name(),
                base,
                config.apiKey(),
                config.httpClient() != null ? config.httpClient() : Transport.sharedClient(),
                config.headers(),
                config.option("keepAlive").map(OllamaRequests::keepAlive).orElse(null),
                ResponseLimits.of(config, config.name() != null ? config.name() : name()));
    }

    /**
     * Reads {@code OLLAMA_HOST} (as the option {@code host}), {@code OLLAMA_API_KEY} (optional;
     * or {@code OLLAMA_API_KEY_FILE}) and {@code LLM_MAX_RESPONSE_BYTES}.
     */
    @Override
    public void configure(ProviderEnvironment env, ProviderConfig.Builder config) {
        config.apiKey(env.secret("OLLAMA_API_KEY"));
        BuiltInProviders.option(env, config, OllamaHost.ENV, "host");
        BuiltInProviders.configureCommon(env, config);
    }

    /** {@return {@code OLLAMA_MODEL}, else {@code llama3.2}} */
    @Override
    public String defaultModel(ProviderEnvironment env) {
        return BuiltInProviders.orDefault(env, "OLLAMA_MODEL", "llama3.2");
    }

    /** {@return {@code all-minilm}} */
    @Override
    public String defaultEmbeddingModel(ProviderEnvironment env) {
        return "all-minilm";
    }
}
