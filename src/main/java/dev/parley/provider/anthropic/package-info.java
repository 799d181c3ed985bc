/**
 * The Anthropic provider: Claude through the Messages API, with streaming, tool use, images,
 * extended thinking carried across tool-use turns, and the models list. Created by
 * {@link dev.parley.provider.anthropic.AnthropicProviderFactory} under the name
 * {@code "anthropic"}; everything else here is internal.
 */
package dev.parley.provider.anthropic;
