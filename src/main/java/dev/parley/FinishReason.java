package dev.parley;

/**
 * Why the model stopped, normalized across providers. The provider's own word is kept next to
 * it ({@link ChatResponse#rawFinishReason()}).
 */
public enum FinishReason {
    /** The model finished its answer, or hit a stop sequence. */
    STOP,
    /** The answer was cut at the token limit. */
    LENGTH,
    /** The model is waiting for tool results. */
    TOOL_CALLS,
    /** The provider withheld content (filtering, or a refusal). */
    CONTENT_FILTER,
    /** The provider reported an error while generating. */
    ERROR,
    /** A reason Parley does not know; see the raw value. */
    OTHER;

    /**
     * {@return the normalized reason for a provider's word, or null for null}
     *
     * @param raw OpenAI's {@code finish_reason}, Anthropic's {@code stop_reason} or Ollama's
     *            {@code done_reason}
     */
    public static FinishReason fromWire(String raw) {
        if (raw == null) {
            return null;
        }
        return switch (raw) {
            case "stop", "end_turn", "stop_sequence", "eos" -> STOP;
            case "length", "max_tokens", "model_context_window_exceeded" -> LENGTH;
            case "tool_calls", "function_call", "tool_use" -> TOOL_CALLS;
            case "content_filter", "refusal" -> CONTENT_FILTER;
            case "error", "insufficient_system_resource" -> ERROR;
            default -> OTHER;
        };
    }
}
