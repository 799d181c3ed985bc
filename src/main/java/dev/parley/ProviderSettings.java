package dev.parley;

import java.net.http.HttpClient;

import dev.parley.http.ResponseLimits;
import dev.parley.http.Transport;
import dev.parley.spi.ProviderConfig;

/**
 * The environment variables of each built-in provider: where its key, base URL and default
 * model come from. {@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL} and {@code OPENAI_MODEL} are
 * the generic settings of every provider that speaks the OpenAI wire format (openai, deepseek,
 * openai-compatible); a provider's own variable ({@code DEEPSEEK_API_KEY}, ...) wins where both
 * are set, and for deepseek the generic URL and model apply only with the generic key. The
 * README's configuration table is the reference.
 */
final class ProviderSettings {

    private ProviderSettings() {
    }

    static ProviderConfig configFor(String provider, Settings s, HttpClient client) {
        ProviderConfig.Builder b = ProviderConfig.newBuilder().httpClient(client);
        String userAgent = s.get("LLM_USER_AGENT");
        if (userAgent != null) {
            b.header("User-Agent", userAgent);
        }
        switch (provider) {
            case "openai" -> {
                b.apiKey(required(s, "OPENAI_API_KEY", provider)).baseUrl(s.url("OPENAI_BASE_URL"));
                optional(s, b, "OPENAI_ORGANIZATION", "organization");
                optional(s, b, "OPENAI_PROJECT", "project");
            }
            case "deepseek" -> {
                // The generic OPENAI_* settings describe one server and count only together: with
                // DEEPSEEK_API_KEY set, OPENAI_BASE_URL (perhaps meant for OpenAI) is not used, so
                // that the DeepSeek key never goes to a server set for another provider.
                if (ownDeepSeekKey(s)) {
                    b.apiKey(s.secret("DEEPSEEK_API_KEY")).baseUrl(s.url("DEEPSEEK_BASE_URL"));
                } else {
                    b.apiKey(required(s, "DEEPSEEK_API_KEY", "OPENAI_API_KEY", provider))
                            .baseUrl(firstUrl(s, "DEEPSEEK_BASE_URL", "OPENAI_BASE_URL"));
                }
            }
            case "anthropic" -> {
                b.apiKey(required(s, "ANTHROPIC_API_KEY", provider)).baseUrl(s.url("ANTHROPIC_BASE_URL"));
                optional(s, b, "ANTHROPIC_VERSION", "version");
                Integer max = s.integer("MAX_TOKENS", 1, 10_000_000);
                if (max != null) {
                    b.option("defaultMaxTokens", Integer.toString(max));
                }
            }
            case "ollama" -> {
                b.apiKey(s.secret("OLLAMA_API_KEY"));
                optional(s, b, "OLLAMA_HOST", "host");
            }
            case "openai-compatible" -> {
                if (s.url("OPENAI_BASE_URL") == null) {
                    throw Settings.config("OPENAI_BASE_URL", "the openai-compatible provider needs the server's base URL, "
                            + "such as http://localhost:8000/v1");
                }
                b.apiKey(s.secret("OPENAI_API_KEY")).baseUrl(s.url("OPENAI_BASE_URL"));
            }
            case "azure-openai" -> {
                b.apiKey(required(s, "AZURE_OPENAI_API_KEY", provider));
                if (s.url("AZURE_OPENAI_BASE_URL") == null) {
                    throw Settings.config("AZURE_OPENAI_BASE_URL", "set the deployment URL, such as "
                            + "https://RESOURCE.openai.azure.com/openai/deployments/DEPLOYMENT");
                }
                b.baseUrl(s.url("AZURE_OPENAI_BASE_URL"));
                b.option("apiVersion", s.get("AZURE_OPENAI_API_VERSION") != null ? s.get("AZURE_OPENAI_API_VERSION") : "2024-10-21");
            }
            default -> {
                // A third-party provider: pass the generic settings through.
                String prefix = provider.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
                b.apiKey(s.secret(prefix + "_API_KEY")).baseUrl(s.url(prefix + "_BASE_URL"));
                return b.build(); // its factory may refuse the built-in providers' options
            }
        }
        Integer maxBytes = s.integer(Transport.MAX_RESPONSE_BYTES_SETTING, 1024, Integer.MAX_VALUE - 8);
        if (maxBytes != null) {
            b.option(ResponseLimits.OPTION, maxBytes.toString());
        }
        return b.build();
    }

    private static ApiKey required(Settings s, String variable, String provider) {
        ApiKey key = s.secret(variable);
        if (key == null) {
            throw Settings.config(variable, "the " + provider + " provider needs an API key: set " + variable
                    + " (or " + variable + "_FILE, the path of a file holding it)");
        }
        return key;
    }

    /** The provider's own key variable, else the generic one. */
    private static ApiKey required(Settings s, String own, String generic, String provider) {
        ApiKey key = s.secret(own);
        if (key == null) {
            key = s.secret(generic);
        }
        if (key == null) {
            throw Settings.config(own, "the " + provider + " provider needs an API key: set " + own + " or " + generic
                    + " (or " + own + "_FILE or " + generic + "_FILE, the path of a file holding it)");
        }
        return key;
    }

    /** The provider's own URL variable, else the generic one; null when neither is set. */
    private static java.net.URI firstUrl(Settings s, String own, String generic) {
        java.net.URI u = s.url(own);
        return u != null ? u : s.url(generic);
    }

    private static void optional(Settings s, ProviderConfig.Builder b, String variable, String option) {
        String v = s.get(variable);
        if (v != null) {
            b.option(option, v);
        }
    }

    static String defaultModel(String provider, Settings s) {
        String generic = s.get("LLM_MODEL");
        if (generic != null) {
            return generic;
        }
        return switch (provider) {
            case "openai", "openai-compatible" -> orDefault(s, "OPENAI_MODEL", provider.equals("openai") ? "gpt-4o-mini" : null);
            case "deepseek" -> orDefault(s, "DEEPSEEK_MODEL",
                    ownDeepSeekKey(s) ? "deepseek-chat" : orDefault(s, "OPENAI_MODEL", "deepseek-chat"));
            case "anthropic" -> orDefault(s, "ANTHROPIC_MODEL", "claude-sonnet-4-5");
            case "ollama" -> orDefault(s, "OLLAMA_MODEL", "llama3.2");
            case "azure-openai" -> orDefault(s, "AZURE_OPENAI_MODEL", null);
            default -> null;
        };
    }

    /** {@return whether DeepSeek's own key is set: then the generic OPENAI_* settings do not apply to it} */
    private static boolean ownDeepSeekKey(Settings s) {
        return s.get("DEEPSEEK_API_KEY") != null || s.get("DEEPSEEK_API_KEY_FILE") != null;
    }

    static String defaultEmbeddingModel(String provider, Settings s) {
        String generic = s.get("LLM_EMBEDDING_MODEL");
        if (generic != null) {
            return generic;
        }
        return switch (provider) {
            case "openai", "azure-openai" -> "text-embedding-3-small";
            case "ollama" -> "all-minilm";
            default -> null;
        };
    }

    private static String orDefault(Settings s, String variable, String fallback) {
        String v = s.get(variable);
        return v != null ? v : fallback;
    }

}
