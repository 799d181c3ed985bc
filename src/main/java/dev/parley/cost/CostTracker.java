package dev.parley.cost;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

import dev.parley.Usage;

/**
 * Adds up tokens and cost per provider and model. Thread-safe and lock-free: many calls can
 * record at once.
 *
 * {@snippet :
 * CostTracker tracker = new CostTracker(PriceTable.builtIn());
 * tracker.record("openai", "gpt-4o-mini", response.usage());
 * System.out.printf("spent $%.4f%n", tracker.totalCost());
 * }
 */
public final class CostTracker {

    private final PriceTable prices;
    private final ConcurrentHashMap<String, Line> lines = new ConcurrentHashMap<>();
    private final DoubleAdder total = new DoubleAdder();

    /** Creates a tracker that prices usage with {@code prices}. */
    public CostTracker(PriceTable prices) {
        this.prices = prices;
    }

    /** {@return the price table in use} */
    public PriceTable prices() {
        return prices;
    }

    /**
     * Records one call's usage.
     *
     * @return its cost in US dollars; 0 when the model's price is unknown (the tokens are still counted)
     */
    public double record(String provider, String model, Usage usage) {
        Optional<ModelPrice> price = prices.find(provider, model);
        double cost = price.isPresent() ? price.get().cost(usage) : 0.0;
        boolean priced = price.isPresent();
        Line line = lines.computeIfAbsent(provider + "\u0000" + model, k -> new Line(provider, model));
        line.calls.increment();
        line.input.add(usage.inputTokens());
        line.cached.add(usage.cachedInputTokens());
        line.output.add(usage.outputTokens());
        line.cost.add(cost);
        if (!priced) {
            line.unpriced.increment();
        }
        total.add(cost);
        return cost;
    }

    /** {@return the cost of everything recorded, in US dollars} */
    public double totalCost() {
        return total.sum();
    }

    /** {@return one summary per provider and model, most expensive first} */
    public List<CostSummary> summary() {
        List<CostSummary> out = new ArrayList<>();
        for (Line l : lines.values()) {
            out.add(new CostSummary(l.provider, l.model, l.calls.sum(), l.input.sum(), l.cached.sum(), l.output.sum(),
                    l.cost.sum(), l.unpriced.sum() == 0));
        }
        out.sort(Comparator.comparingDouble(CostSummary::cost).reversed().thenComparing(CostSummary::model));
        return out;
    }

    private static final class Line {
        final String provider;
        final String model;
        final LongAdder calls = new LongAdder();
        final LongAdder input = new LongAdder();
        final LongAdder cached = new LongAdder();
        final LongAdder output = new LongAdder();
        final LongAdder unpriced = new LongAdder();
        final DoubleAdder cost = new DoubleAdder();

        Line(String provider, String model) {
            this.provider = provider;
            this.model = model;
        }
    }
}
