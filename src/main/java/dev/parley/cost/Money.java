package dev.parley.cost;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * How Parley writes an amount of US dollars, everywhere it shows one (the CLI, cost summaries,
 * budget errors, {@code toString()}, metrics): fixed notation, never scientific; at least cents;
 * below that, four significant digits, so that a call's micro-cost stays readable.
 *
 * <table class="striped">
 * <caption>Examples</caption>
 * <thead><tr><th scope="col">amount</th><th scope="col">written</th></tr></thead>
 * <tbody>
 * <tr><th scope="row">0</th><td>{@code $0.00}</td></tr>
 * <tr><th scope="row">5</th><td>{@code $5.00}</td></tr>
 * <tr><th scope="row">1234.5678</th><td>{@code $1234.57}</td></tr>
 * <tr><th scope="row">0.123456</th><td>{@code $0.1235}</td></tr>
 * <tr><th scope="row">5.7E-6</th><td>{@code $0.0000057}</td></tr>
 * </tbody>
 * </table>
 *
 * <p>Amounts are {@code double}s: a {@link CostTracker} prices each model's summed tokens once
 * when read, rather than adding up per-call costs, so sums carry no accumulated rounding worth
 * showing at these precisions. Stateless and thread-safe.
 */
public final class Money {

    private static final MathContext SIGNIFICANT = new MathContext(4, RoundingMode.HALF_UP);

    private Money() {
    }

    /**
     * {@return the amount with a dollar sign, such as {@code $0.0000057} or {@code -$0.25}}
     *
     * @param dollars an amount in US dollars; not a number or infinite is written as Java writes it
     */
    public static String format(double dollars) {
        if (!Double.isFinite(dollars)) {
            return Double.toString(dollars);
        }
        String plain = plain(dollars);
        return plain.startsWith("-") ? "-$" + plain.substring(1) : "$" + plain;
    }

    /**
     * {@return the amount without a dollar sign, such as {@code 0.0000057}}: for JSON and
     * metrics, where a number is expected
     *
     * @param dollars an amount in US dollars
     * @throws IllegalArgumentException if it is not a number or infinite
     */
    public static String plain(double dollars) {
        if (!Double.isFinite(dollars)) {
            throw new IllegalArgumentException("not an amount: " + dollars);
        }
        BigDecimal exact = BigDecimal.valueOf(dollars);
        BigDecimal rounded = exact.round(SIGNIFICANT);
        if (rounded.scale() < 2) {
            rounded = exact.setScale(2, RoundingMode.HALF_UP);
        }
        rounded = rounded.stripTrailingZeros();
        if (rounded.scale() < 2) {
            rounded = rounded.setScale(2, RoundingMode.UNNECESSARY);
        }
        return rounded.signum() == 0 ? "0.00" : rounded.toPlainString();
    }
}
