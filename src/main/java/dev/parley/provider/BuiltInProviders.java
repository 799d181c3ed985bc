package dev.parley.provider;

import java.util.Locale;

import dev.parley.ApiKey;
import dev.parley.http.ResponseLimits;
import dev.parley.http.Transport;
import dev.parley.provider.anthropic.AnthropicProviderFactory;
import dev.parley.provider.ollama.OllamaProviderFactory;
import dev.parley.provider.openai.AzureOpenAiProviderFactory;
import dev.parley.provider.openai.DeepSeekProviderFactory;
import dev.parley.provider.openai.OpenAiCompatibleProviderFactory;
import dev.parley.provider.openai.OpenAiProviderFactory;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderEnvironment;
import dev.parley.spi.ProviderFactory;

/**
 * Parley's own provider factories by name, and the settings every one of them reads. Stateless.
 *
 * <p>Public only for the root package, which finds factories by name; the package is not
 * exported.
 */
public final class BuiltInProviders {

    private BuiltInProviders() {
    }

    /**
     * {@return Parley's own factory called {@code name}, or null for any other name} Finding a
     * built-in one needs no scan: on the class path ({@code java -jar}) {@link java.util.ServiceLoader}
     * reads every jar's {@code META-INF/services} file through a jar URL, ~10-15 ms of a fresh
     * JVM's first call. So these names always mean Parley's adapters; a third party's factory is
     * found by any other name. Each is also declared in {@code module-info.java}.
     *
     * @param name a provider's name, such as "openai"; matched without regard to case
     */
    public static ProviderFactory find(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "openai" -> new OpenAiProviderFactory();
            case "openai-compatible" -> new OpenAiCompatibleProviderFactory();
            case "deepseek" -> new DeepSeekProviderFactory();
            case "azure-openai" -> new AzureOpenAiProviderFactory();
            case "anthropic" -> new AnthropicProviderFactory();
            case "bedrock" -> new dev.parley.provider.bedrock.BedrockProviderFactory();
            case "ollama" -> new OllamaProviderFactory();
            case "gemini" -> new dev.parley.provider.gemini.GeminiProviderFactory();
            default -> null;
        };
    }

    /**
     * Reads the settings every built-in provider shares: {@code LLM_MAX_RESPONSE_BYTES}, the
     * largest response body read whole.
     *
     * @param env    the settings
     * @param config the configuration to add to
     * @throws dev.parley.ConfigurationException if a setting is malformed
     */
    public static void configureCommon(ProviderEnvironment env, ProviderConfig.Builder config) {
        Integer maxBytes = env.integer(Transport.MAX_RESPONSE_BYTES_SETTING, 1024, Integer.MAX_VALUE - 8);
        if (maxBytes != null) {
            config.option(ResponseLimits.OPTION, maxBytes.toString());
        }
    }

    /**
     * {@return the key in {@code variable}} (or the file {@code variable_FILE} names)
     *
     * @param env      the settings
     * @param variable such as {@code OPENAI_API_KEY}
     * @param provider the provider's name, for the error
     * @throws dev.parley.ConfigurationException if neither is set, naming both forms
     */
    public static ApiKey requiredKey(ProviderEnvironment env, String variable, String provider) {
        ApiKey key = env.secret(variable);
        if (key == null) {
            throw ProviderEnvironment.invalid(variable, "the " + provider + " provider needs an API key: set " + variable
                    + " (or " + variable + "_FILE, the path of a file holding it)");
        }
        return key;
    }

    /**
     * {@return the key in the provider's own variable, else in the generic one} (each also in
     * its {@code _FILE} form)
     *
     * @param env      the settings
     * @param own      such as {@code DEEPSEEK_API_KEY}
     * @param generic  such as {@code OPENAI_API_KEY}
     * @param provider the provider's name, for the error
     * @throws dev.parley.ConfigurationException if none is set, naming every form
     */
    public static ApiKey requiredKey(ProviderEnvironment env, String own, String generic, String provider) {
        ApiKey key = env.secret(own);
        if (key == null) {
            key = env.secret(generic);
        }
        if (key == null) {
            throw ProviderEnvironment.invalid(own, "the " + provider + " provider needs an API key: set " + own
                    + " or " + generic + " (or " + own + "_FILE or " + generic + "_FILE, the path of a file holding it)");
        }
        return key;
    }

    /**
     * Copies setting {@code variable}, when set, into option {@code option}.
     *
     * @param env      the settings
     * @param config   the configuration to add to
     * @param variable such as {@code OPENAI_ORGANIZATION}
     * @param option   such as {@code organization}
     */
    public static void option(ProviderEnvironment env, ProviderConfig.Builder config, String variable, String option) {
        String v = env.get(variable);
        if (v != null) {
            config.option(option, v);
        }
    }

    /**
     * {@return setting {@code variable}, or {@code fallback} when it is unset}
     *
     * @param env      the settings
     * @param variable such as {@code OPENAI_MODEL}
     * @param fallback the value when unset; may be null
     */
    public static String orDefault(ProviderEnvironment env, String variable, String fallback) {
        String v = env.get(variable);
        return v != null ? v : fallback;
    }
}
