/**
 * The OpenAI Chat Completions wire protocol, spoken by four providers: {@code openai},
 * {@code deepseek}, {@code openai-compatible} (vLLM, LM Studio, llama.cpp server, Groq,
 * Together, OpenRouter, Ollama's {@code /v1} ...) and {@code azure-openai}. One adapter,
 * {@link dev.parley.provider.openai.OpenAiProvider}, serves them all; a
 * {@link dev.parley.provider.openai.Dialect} holds what differs between them.
 *
 * <p>Internal: not exported. Users reach these providers through their factories, which
 * {@link java.util.ServiceLoader} finds by name.
 */
package dev.parley.provider.openai;
