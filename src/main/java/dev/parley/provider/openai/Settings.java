package dev.parley.provider.openai;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

import dev.parley.ApiKey;
import dev.parley.http.ResponseLimits;
import dev.parley.http.Transport;

/**
 * One configured OpenAI-protocol provider: its dialect and the settings read from its
 * {@link dev.parley.spi.ProviderConfig}.
 *
 * <p>Immutable and thread-safe; {@link #toString()} never shows the key.
 *
 * @param name             the name the provider reports itself by
 * @param dialect          the server family
 * @param baseUrl          the API root, such as {@code https://api.openai.com/v1}
 * @param apiKey           the key, or null where none is needed
 * @param httpClient       the client to send with, or null for Parley's shared client
 * @param headers          headers sent with every request, after the authentication header (so
 *                         they may replace it)
 * @param base64Embeddings whether embeddings are asked for as base64 rather than JSON numbers
 * @param apiVersion       the {@code api-version} query parameter (Azure), or null
 * @param limits           the largest response bodies read whole
 */
record Settings(String name, Dialect dialect, URI baseUrl, ApiKey apiKey, HttpClient httpClient,
                Map<String, String> headers, boolean base64Embeddings, String apiVersion, ResponseLimits limits) {

    /** Copies the headers. */
    Settings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(limits, "limits");
        headers = Map.copyOf(headers);
    }

    /** {@return the client to send with} */
    HttpClient client() {
        return httpClient != null ? httpClient : Transport.sharedClient();
    }

    /**
     * {@return the URI of an endpoint under the base URL}: the path is appended to the base
     * URL's path (a trailing slash on the base is ignored), a query on the base is kept, and the
     * {@code api-version} parameter is added when set.
     *
     * @param path such as {@code /chat/completions}
     */
    URI endpoint(String path) {
        String basePath = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath();
        while (basePath.endsWith("/")) {
            basePath = basePath.substring(0, basePath.length() - 1);
        }
        StringBuilder query = new StringBuilder();
        if (baseUrl.getRawQuery() != null && !baseUrl.getRawQuery().isEmpty()) {
            query.append(baseUrl.getRawQuery());
        }
        if (apiVersion != null) {
            if (!query.isEmpty()) {
                query.append('&');
            }
            query.append("api-version=").append(URLEncoder.encode(apiVersion, StandardCharsets.UTF_8));
        }
        return URI.create(baseUrl.getScheme() + "://" + baseUrl.getRawAuthority() + basePath + path
                + (query.isEmpty() ? "" : "?" + query));
    }

    /** {@return {@code text} with the key scrubbed out} */
    String redact(String text) {
        return apiKey == null ? text : apiKey.redact(text);
    }

    @Override
    public String toString() {
        return "Settings[name=" + name + ", dialect=" + dialect + ", baseUrl=" + baseUrl
                + ", apiKey=" + (apiKey == null ? "none" : "[redacted]") + ", headers=" + headers.keySet()
                + ", base64Embeddings=" + base64Embeddings + ", apiVersion=" + apiVersion + "]";
    }
}
