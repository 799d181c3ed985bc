package dev.parley.provider.openai;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.http.ResponseLimits;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;

/**
 * Reads a {@link ProviderConfig} into {@link Settings} for one of the four factories, and fails
 * with a {@link Kind#CONFIGURATION} error that names the setting for anything missing or wrong.
 * Stateless and thread-safe.
 */
final class Factories {

    /** The option choosing the chat API: {@code chat} (Chat Completions, the default) or {@code responses}. */
    static final String API = "api";

    /** The option choosing how embeddings travel: {@code base64} or {@code float}. */
    static final String EMBEDDING_ENCODING = "embeddingEncoding";

    private Factories() {
    }

    /** {@return a provider of {@code dialect} configured by {@code config}} */
    static Provider create(Dialect dialect, ProviderConfig config) {
        String name = config.name() != null ? config.name() : dialect.factoryName;
        checkOptions(dialect, name, config.options());
        URI baseUrl = config.baseUrl() != null ? config.baseUrl() : dialect.defaultBaseUrl;
        if (baseUrl == null) {
            throw error(name, "no base URL: set baseUrl to " + (dialect == Dialect.AZURE
                    ? "the deployment, such as https://RESOURCE.openai.azure.com/openai/deployments/DEPLOYMENT"
                    : "the server's API root, such as http://localhost:8000/v1"));
        }
        if (config.apiKey() == null && dialect.keyRequired()) {
            throw error(name, "no API key: set " + dialect.keyVariable + " (or the apiKey of the provider config)");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String organization = config.option("organization").orElse(null);
        if (organization != null) {
            headers.put("OpenAI-Organization", organization);
        }
        String project = config.option("project").orElse(null);
        if (project != null) {
            headers.put("OpenAI-Project", project);
        }
        headers.putAll(config.headers());
        for (Map.Entry<String, String> h : headers.entrySet()) {
            try {
                HttpRequest.newBuilder(baseUrl).setHeader(h.getKey(), h.getValue());
            } catch (IllegalArgumentException e) {
                throw error(name, "header \"" + h.getKey() + "\" cannot be sent: " + e.getMessage());
            }
        }
        String apiVersion = config.option("apiVersion").orElse(null);
        if (dialect == Dialect.AZURE && (apiVersion == null || apiVersion.isBlank())) {
            throw error(name, "no apiVersion: set the option apiVersion, such as 2024-10-21");
        }
        boolean base64 = switch (config.option(EMBEDDING_ENCODING).orElse(dialect.base64EmbeddingsByDefault ? "base64" : "float")) {
            case "base64" -> true;
            case "float" -> false;
            default -> throw error(name, "option " + EMBEDDING_ENCODING + ": expected base64 or float, got \""
                    + config.options().get(EMBEDDING_ENCODING) + "\"");
        };
        Settings settings = new Settings(name, dialect, baseUrl, config.apiKey(), config.httpClient(),
                headers, base64, apiVersion == null ? null : apiVersion.strip(), ResponseLimits.of(config, name));
        return switch (config.option(API).orElse("chat").strip()) {
            case "chat" -> new OpenAiProvider(settings);
            case "responses" -> new ResponsesProvider(settings);
            default -> throw error(name, "option " + API + ": expected chat or responses, got \""
                    + config.options().get(API) + "\"");
        };
    }

    /** Refuses options the dialect does not know, so that a misspelt one is not silently ignored. */
    private static void checkOptions(Dialect dialect, String name, Map<String, String> options) {
        Set<String> known = switch (dialect) {
            case OPENAI -> Set.of("organization", "project", EMBEDDING_ENCODING, API, ResponseLimits.OPTION);
            case DEEPSEEK -> Set.of(ResponseLimits.OPTION);
            case COMPATIBLE -> Set.of(EMBEDDING_ENCODING, API, ResponseLimits.OPTION);
            case AZURE -> Set.of("apiVersion", EMBEDDING_ENCODING, ResponseLimits.OPTION);
        };
        for (String key : options.keySet()) {
            if (!known.contains(key)) {
                throw error(name, "unknown option \"" + key + "\" for " + dialect.factoryName
                        + (known.isEmpty() ? ", which takes none" : "; known options: " + String.join(", ", known.stream().sorted().toList())));
            }
        }
    }

    private static LlmException error(String provider, String message) {
        return LlmException.newBuilder(Kind.CONFIGURATION).provider(provider).message(message).build();
    }
}
