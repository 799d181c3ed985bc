package dev.parley.spi;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.parley.ApiKey;

/**
 * The settings a {@link ProviderFactory} builds a provider from.
 *
 * {@snippet :
 * ProviderConfig config = ProviderConfig.newBuilder()
 *         .baseUrl(URI.create("https://api.openai.com/v1"))
 *         .apiKey(ApiKey.of(System.getenv("OPENAI_API_KEY")))
 *         .option("organization", "org-123")
 *         .build();
 * }
 *
 * <p>Immutable and thread-safe; {@link #toString()} never shows the key.
 *
 * @param name       the name the provider reports itself by, or null for the factory's name
 * @param baseUrl    the API's base URL, or null for the provider's default
 * @param apiKey     the API key, or null where none is needed (a local server)
 * @param httpClient the client to send with, or null for Parley's shared client
 * @param headers    extra HTTP headers to send with every request; they replace Parley's own, such
 *                   as its {@code User-Agent} ({@code parley/VERSION})
 * @param options    provider-specific settings, such as {@code organization} or {@code apiVersion}
 */
public record ProviderConfig(String name, URI baseUrl, ApiKey apiKey, HttpClient httpClient,
                             Map<String, String> headers, Map<String, String> options) {

    /** Validates the settings and copies the maps. */
    public ProviderConfig {
        headers = Map.copyOf(headers == null ? Map.of() : headers);
        options = Map.copyOf(options == null ? Map.of() : options);
        if (baseUrl != null) {
            String scheme = baseUrl.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || baseUrl.getHost() == null) {
                throw new IllegalArgumentException("baseUrl: expected an http or https URL such as https://api.openai.com/v1, got " + baseUrl);
            }
        }
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getValue().indexOf('\r') >= 0 || h.getValue().indexOf('\n') >= 0) {
                throw new IllegalArgumentException("headers." + h.getKey() + ": line breaks are not allowed in a header value");
            }
        }
    }

    /** {@return a new, empty builder} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /**
     * {@return the provider-specific setting {@code key}, if set}
     *
     * @param key the option's name
     */
    public Optional<String> option(String key) {
        return Optional.ofNullable(options.get(key));
    }

    @Override
    public String toString() {
        return "ProviderConfig[name=" + name + ", baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "[redacted]")
                + ", headers=" + headers.keySet() + ", options=" + options + "]";
    }

    /** Builds a {@link ProviderConfig}. Not thread-safe. */
    public static final class Builder {
        private String name;
        private URI baseUrl;
        private ApiKey apiKey;
        private HttpClient httpClient;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final Map<String, String> options = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Sets the name the provider reports itself by.
         *
         * @param name the name the provider reports itself by
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Sets the API's base URL.
         *
         * @param baseUrl the API's base URL
         * @return this builder
         */
        public Builder baseUrl(URI baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        /**
         * Sets the API key, or null.
         *
         * @param apiKey the API key, or null
         * @return this builder
         */
        public Builder apiKey(ApiKey apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /**
         * Sets the client to send with.
         *
         * @param httpClient the client to send with
         * @return this builder
         */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = httpClient;
            return this;
        }

        /**
         * Adds a header sent with every request.
         *
         * @param name the header's name
         * @param value the header's value
         * @return this builder
         */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets a provider-specific option.
         *
         * @param key the option's name
         * @param value the option's value
         * @return this builder
         */
        public Builder option(String key, String value) {
            options.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** {@return the settings} */
        public ProviderConfig build() {
            return new ProviderConfig(name, baseUrl, apiKey, httpClient, headers, options);
        }
    }
}
