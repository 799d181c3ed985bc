package dev.parley.cost;

import dev.parley.Usage;

/**
 * List prices of one model, in US dollars per 1,000,000 tokens.
 *
 * @param input       price of prompt tokens
 * @param output      price of generated tokens (reasoning included)
 * @param cachedInput price of prompt tokens read from the provider's prompt cache; null when the
 *                    provider has no such discount (the input price applies)
 * @param cacheWrite  price of prompt tokens written to the provider's prompt cache; null when not
 *                    charged separately (the input price applies)
 */
public record ModelPrice(double input, double output, Double cachedInput, Double cacheWrite) {

    /** A model that costs nothing, such as a local Ollama model. */
    public static final ModelPrice FREE = new ModelPrice(0, 0, 0.0, 0.0);

    /** Validates that no price is negative or not a number. */
    public ModelPrice {
        check("input", input);
        check("output", output);
        if (cachedInput != null) {
            check("cachedInput", cachedInput);
        }
        if (cacheWrite != null) {
            check("cacheWrite", cacheWrite);
        }
    }

    private static void check(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + ": a price must be a finite number of at least 0, got " + v);
        }
    }

    /**
     * {@return a price with input and output rates only}
     *
     * @param input US dollars per million input tokens
     * @param output US dollars per million output tokens
     */
    public static ModelPrice of(double input, double output) {
        return new ModelPrice(input, output, null, null);
    }

    /**
     * {@return the cost of {@code usage} in US dollars}. Input tokens are taken to include the
     * cached and cache-write ones, as Parley's adapters report them; each part is charged at its
     * own rate.
     *
     * @param usage the tokens a call used
     */
    public double cost(Usage usage) {
        long cached = Math.min(usage.cachedInputTokens(), usage.inputTokens());
        long written = Math.min(usage.cacheWriteTokens(), usage.inputTokens() - cached);
        return cost(usage.inputTokens() - cached - written, cached, written, usage.outputTokens());
    }

    /** {@return the cost of tokens already split into their parts, as {@link #cost(Usage)} splits them} */
    double cost(long plain, long cached, long written, long outputTokens) {
        double dollars = plain * input
                + cached * (cachedInput != null ? cachedInput : input)
                + written * (cacheWrite != null ? cacheWrite : input)
                + outputTokens * output;
        return dollars / 1_000_000.0;
    }

    /**
     * {@return the most a call could cost: {@code inputTokens} at the input rate plus {@code maxOutputTokens} at the output rate}
     *
     * @param inputTokens the input tokens of the call
     * @param maxOutputTokens the most output tokens the call may produce
     */
    public double worstCase(long inputTokens, long maxOutputTokens) {
        return (inputTokens * input + maxOutputTokens * output) / 1_000_000.0;
    }
}
