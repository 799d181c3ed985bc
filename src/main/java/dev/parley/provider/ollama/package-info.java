/**
 * The adapter for Ollama's native API ({@code /api/chat}, {@code /api/embed}, {@code /api/tags}),
 * registered as the provider factory {@code "ollama"}. Only
 * {@link dev.parley.provider.ollama.OllamaProviderFactory} is public; it is a service, not API.
 */
package dev.parley.provider.ollama;
