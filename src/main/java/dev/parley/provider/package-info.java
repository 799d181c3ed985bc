/**
 * Parley's own provider adapters, one package each ({@code openai}, {@code anthropic},
 * {@code ollama}), and {@link dev.parley.provider.BuiltInProviders}: the list of their factories
 * and the settings they share.
 *
 * <p>A provider is a package with a {@link dev.parley.spi.ProviderFactory} that configures itself
 * from the settings, declared with one {@code provides} line in {@code module-info.java}; adding
 * it to {@link dev.parley.provider.BuiltInProviders#find(String)} only spares a fresh JVM the
 * service scan.
 *
 * <p>Internal: not exported.
 */
package dev.parley.provider;
