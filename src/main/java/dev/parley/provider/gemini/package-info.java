/**
 * The Gemini provider: Google's Gemini API (the Generative Language API) with streaming,
 * function calling, images, thinking with thought signatures carried across turns, JSON schema
 * output, embeddings and the models list. Created by
 * {@link dev.parley.provider.gemini.GeminiProviderFactory} under the name {@code "gemini"};
 * everything else here is internal.
 */
package dev.parley.provider.gemini;
