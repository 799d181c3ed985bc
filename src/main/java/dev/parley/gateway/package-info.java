/**
 * An OpenAI-compatible HTTP gateway: {@link dev.parley.gateway.Gateway} serves
 * {@code /v1/chat/completions}, {@code /v1/embeddings} and {@code /v1/models} in OpenAI's wire
 * format in front of any {@link dev.parley.Llm} clients, routing by model name, with health,
 * readiness and Prometheus metrics endpoints, bearer keys and graceful shutdown. Runs its own
 * small HTTP/1.1 server on virtual threads: no dependencies, and it does not need the
 * {@code jdk.httpserver} module.
 */
package dev.parley.gateway;
