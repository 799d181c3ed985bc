package dev.parley.spi;

/**
 * Creates {@link Provider}s of one kind from a {@link ProviderConfig}. Parley finds factories
 * with {@link java.util.ServiceLoader}: a third party adds a provider by declaring
 * {@code provides dev.parley.spi.ProviderFactory with ...} in its module (or a
 * {@code META-INF/services/dev.parley.spi.ProviderFactory} file on the class path).
 */
public interface ProviderFactory {

    /** {@return the kind of provider this factory makes, such as "openai"; matched without regard to case} */
    String name();

    /**
     * {@return a new provider}
     *
     * @param config the settings
     * @throws dev.parley.ConfigurationException if a required setting is missing or invalid
     */
    Provider create(ProviderConfig config);
}
