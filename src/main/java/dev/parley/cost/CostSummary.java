package dev.parley.cost;

/**
 * Tokens and cost of the calls to one model of one provider.
 *
 * @param provider          the provider's name
 * @param model             the model
 * @param calls             how many calls were recorded
 * @param inputTokens       prompt tokens, cached ones included
 * @param cachedInputTokens prompt tokens read from the provider's cache
 * @param outputTokens      generated tokens
 * @param cost              the cost in US dollars
 * @param priced            whether the model's price was known for every call (if not, those calls count as free)
 */
public record CostSummary(String provider, String model, long calls, long inputTokens, long cachedInputTokens,
                          long outputTokens, double cost, boolean priced) {

    /** {@return the summary, with the cost written as {@link Money#format(double)} writes it} */
    @Override
    public String toString() {
        return "CostSummary[provider=" + provider + ", model=" + model + ", calls=" + calls + ", inputTokens=" + inputTokens
                + ", cachedInputTokens=" + cachedInputTokens + ", outputTokens=" + outputTokens + ", cost=" + Money.format(cost)
                + ", priced=" + priced + "]";
    }
}
