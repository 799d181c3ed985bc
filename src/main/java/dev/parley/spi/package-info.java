/**
 * The provider SPI: implement {@link dev.parley.spi.Provider} and
 * {@link dev.parley.spi.ProviderFactory} to add a provider without changing Parley.
 */
package dev.parley.spi;
