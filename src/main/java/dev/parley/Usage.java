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
        requireNotNegative("inputTokens", inputTokens);
        requireNotNegative("outputTokens", outputTokens);
        requireNotNegative("totalTokens", totalTokens);
        requireNotNegative("cachedInputTokens", cachedInputTokens);
        requireNotNegative("cacheWriteTokens", cacheWriteTokens);
        requireNotNegative("reasoningTokens", reasoningTokens);
    }

    private static void requireNotNegative(String name, long count) {
        if (count < 0) {
            throw new IllegalArgumentException("usage: " + name + " must not be negative, got " + count);
        }
    }

    /**
     * {@return usage with input and output counts, and their sum as the total}
     *
     * @param inputTokens  tokens in the prompt
     * @param outputTokens tokens generated
     * @throws IllegalArgumentException if a count is negative or the sum exceeds {@link Long#MAX_VALUE}
     */
    public static Usage of(long inputTokens, long outputTokens) {
        return new Usage(inputTokens, outputTokens, add(inputTokens, outputTokens), 0, 0, 0);
    }

    /**
     * {@return the sum of this usage and {@code other}}
     *
     * @param other the usage to add
     * @throws IllegalArgumentException if a sum exceeds {@link Long#MAX_VALUE}
     */
    public Usage plus(Usage other) {
        return new Usage(add(inputTokens, other.inputTokens), add(outputTokens, other.outputTokens),
                add(totalTokens, other.totalTokens), add(cachedInputTokens, other.cachedInputTokens),
                add(cacheWriteTokens, other.cacheWriteTokens), add(reasoningTokens, other.reasoningTokens));
    }

    /** {@return {@code a + b}} @throws IllegalArgumentException if that overflows */
    private static long add(long a, long b) {
        long sum = a + b;
        if (((a ^ sum) & (b ^ sum)) < 0) {
            throw new IllegalArgumentException("usage: token counts too large to add up (" + a + " + " + b + ")");
        }
        return sum;
    }
}
