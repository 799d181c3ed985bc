/**
 * An OpenAI-compatible HTTP gateway: {@link dev.parley.gateway.Gateway} serves
 * {@code /v1/chat/completions}, {@code /v1/embeddings} and {@code /v1/models} in OpenAI's wire
 * format in front of any {@link dev.parley.Llm} clients, routing by model name, with health,
 * readiness and Prometheus metrics endpoints, bearer keys and graceful shutdown. Built on the
 * JDK's {@code com.sun.net.httpserver} and virtual threads; no dependencies.
 */
package dev.parley.gateway;
