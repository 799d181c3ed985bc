package dev.parley.support;

import java.util.Map;

/**
 * The settings that point a built-in provider at a local test server: its key variable set to
 * {@code key} and its base URL to {@code base} with the path its adapter expects. One place for
 * every test that talks to a provider's wire on 127.0.0.1.
 */
public final class LocalProviders {

    private LocalProviders() {
    }

    /**
     * {@return the settings for {@code provider} against the server at {@code base}}
     *
     * @param provider a built-in provider's name
     * @param base     the server's root URL, such as {@code http://127.0.0.1:12345}
     * @param key      the key (for Bedrock, the secret access key and session token)
     */
    public static Map<String, String> settings(String provider, String base, String key) {
        return switch (provider) {
            case "openai", "openai-compatible" -> Map.of("OPENAI_API_KEY", key, "OPENAI_BASE_URL", base + "/v1");
            case "deepseek" -> Map.of("DEEPSEEK_API_KEY", key, "DEEPSEEK_BASE_URL", base);
            case "azure-openai" -> Map.of("AZURE_OPENAI_API_KEY", key,
                    "AZURE_OPENAI_BASE_URL", base + "/openai/deployments/d");
            case "anthropic" -> Map.of("ANTHROPIC_API_KEY", key, "ANTHROPIC_BASE_URL", base);
            case "ollama" -> Map.of("OLLAMA_API_KEY", key, "OLLAMA_HOST", base);
            case "gemini" -> Map.of("GEMINI_API_KEY", key, "GEMINI_BASE_URL", base + "/v1beta");
            case "bedrock" -> Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY", key,
                    "AWS_SESSION_TOKEN", key, "AWS_REGION", "us-east-1", "BEDROCK_BASE_URL", base);
            default -> throw new IllegalArgumentException(provider);
        };
    }
}
