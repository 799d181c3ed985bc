/**
 * Test doubles for Parley users: {@link dev.parley.testing.ScriptedProvider}, a provider that
 * answers from a script and records requests, and {@link dev.parley.testing.FakeLlmServer}, a
 * local HTTP server speaking OpenAI's, Anthropic's and Ollama's wire formats with injectable
 * latency and {@linkplain dev.parley.testing.Fault faults}, for tests, demos and benchmarks.
 */
package dev.parley.testing;
