package dev.parley;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import dev.parley.provider.BuiltInProviders;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderFactory;

/**
 * Makes a provider by name from the settings: finds its {@link ProviderFactory}, gives it what
 * the generic settings ask of every provider ({@code LLM_USER_AGENT}, the HTTP client), and lets
 * it read the rest ({@link ProviderFactory#configure}). {@code LLM_MODEL} and
 * {@code LLM_EMBEDDING_MODEL} win over the factory's default models. Each factory documents its
 * variables; the README's configuration table is the reference.
 */
final class ProviderSettings {

    private ProviderSettings() {
    }

    /**
     * The factory called {@code name}: Parley's own adapters directly (see
     * {@link BuiltInProviders#find(String)}: no service scan on a fresh JVM), any other through
     * {@link ServiceLoader}.
     */
    static ProviderFactory factory(String name) {
        ProviderFactory builtIn = BuiltInProviders.find(name);
        if (builtIn != null) {
            return builtIn;
        }
        List<String> known = new ArrayList<>();
        for (ProviderFactory f : ServiceLoader.load(ProviderFactory.class, ProviderSettings.class.getClassLoader())) {
            if (f.name().equalsIgnoreCase(name)) {
                return f;
            }
            known.add(f.name());
        }
        throw Settings.config("LLM_PROVIDER", "no provider called \"" + name + "\"; known providers: "
                + String.join(", ", known.stream().sorted().toList()));
    }

    static ProviderConfig configFor(String provider, Settings s, HttpClient client) {
        return configFor(factory(provider), s, client);
    }

    static ProviderConfig configFor(ProviderFactory factory, Settings s, HttpClient client) {
        ProviderConfig.Builder b = ProviderConfig.newBuilder().httpClient(client);
        String userAgent = s.get("LLM_USER_AGENT");
        if (userAgent != null) {
            b.header("User-Agent", userAgent);
        }
        factory.configure(s.environment(), b);
        return b.build();
    }

    static String defaultModel(String provider, Settings s) {
        return defaultModel(factory(provider), s);
    }

    static String defaultModel(ProviderFactory factory, Settings s) {
        String generic = s.get("LLM_MODEL");
        return generic != null ? generic : factory.defaultModel(s.environment());
    }

    static String defaultEmbeddingModel(ProviderFactory factory, Settings s) {
        String generic = s.get("LLM_EMBEDDING_MODEL");
        return generic != null ? generic : factory.defaultEmbeddingModel(s.environment());
    }
}
