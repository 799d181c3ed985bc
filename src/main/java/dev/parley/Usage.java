package dev.parley;

/**
 * Token counts of one call, as the provider reported them. Counts the provider did not report
 * are 0.
 *
 * @param inputTokens       tokens in the prompt, including cached ones
 * @param outputTokens      tokens generated, including reasoning
 * @param totalTokens       input plus output, as reported (or computed when not reported)
 * @param cachedInputTokens prompt tokens read from the provider's prompt cache (cheaper)
 * @param cacheWriteTokens  prompt tokens written to the provider's prompt cache (Anthropic)
 * @param reasoningTokens   output tokens spent on reasoning
 */
public record Usage(long inputTokens, long outputTokens, long totalTokens, long cachedInputTokens,
                    long cacheWriteTokens, long reasoningTokens) {

    /** No tokens. */
    public static final Usage ZERO = new Usage(0, 0, 0, 0, 0, 0);

    /** Validates that no count is negative. */
    public Usage {
        if (inputTokens < 0 || outputTokens < 0 || totalTokens < 0 || cachedInputTokens < 0
                || cacheWriteTokens < 0 || reasoningTokens < 0) {
            throw new IllegalArgumentException("usage: token counts must not be negative");
        }
    }

    /**
     * {@return usage with input and output counts, and their sum as the total}
     *
     * @param inputTokens the input (prompt) tokens
     * @param outputTokens the output (completion) tokens
     */
    public static Usage of(long inputTokens, long outputTokens) {
        return new Usage(inputTokens, outputTokens, inputTokens + outputTokens, 0, 0, 0);
    }

    /**
     * {@return the sum of this usage and {@code other}}
     *
     * @param other the usage to add
     */
    public Usage plus(Usage other) {
        return new Usage(inputTokens + other.inputTokens, outputTokens + other.outputTokens,
                totalTokens + other.totalTokens, cachedInputTokens + other.cachedInputTokens,
                cacheWriteTokens + other.cacheWriteTokens, reasoningTokens + other.reasoningTokens);
    }
}
