/**
 * The provider SPI: implement {@link dev.parley.spi.Provider} and
 * {@link dev.parley.spi.ProviderFactory} to add a provider without changing Parley. The factory
 * reads its own settings (key, base URL, options, default model) from a
 * {@link dev.parley.spi.ProviderEnvironment}.
 */
package dev.parley.spi;
