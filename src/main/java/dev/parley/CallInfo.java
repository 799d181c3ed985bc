package dev.parley;

/**
 * Identifies one call for {@link LlmListener}s.
 *
 * @param id        a number unique within the client, increasing
 * @param operation "chat", "stream", "embed" or "models"
 * @param provider  the provider's name
 * @param model     the model asked for; null for "models"
 */
public record CallInfo(long id, String operation, String provider, String model) {
}
