/**
 * Parley's API: the {@code Llm} facade, requests, responses and errors.
 */
package dev.parley;
