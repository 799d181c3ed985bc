package dev.parley.cost;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.parley.Usage;

/**
 * Adds up tokens and cost per provider and model. Thread-safe and lock-free: many calls can
 * record at once.
 *
 * <p>Usage is priced when costs are read ({@link #totalCost()}, {@link #summary()}), each
 * provider and model once, from its summed tokens: a client that never asks what it spent never
 * reads a price table, and the built-in one (~20 KB of JSON, 15-35 ms to read and parse in a
 * fresh JVM) stays out of a short-lived program's first call.
 *
 * {@snippet :
 * CostTracker tracker = new CostTracker(PriceTable.builtIn());
 * tracker.record("openai", "gpt-4o-mini", response.usage());
 * System.out.println("spent " + Money.format(tracker.totalCost()));
 * }
 */
public final class CostTracker {

    /** The table, or null until the built-in table is first needed (see {@link #builtInPrices()}). */
    private volatile PriceTable prices;
    private final ConcurrentHashMap<String, Line> lines = new ConcurrentHashMap<>();

    /**
     * Creates a tracker that prices usage with {@code prices}.
     *
     * @param prices the price table
     */
    public CostTracker(PriceTable prices) {
        this.prices = Objects.requireNonNull(prices, "prices");
    }

    private CostTracker() {
    }

    /** A tracker with {@link PriceTable#builtIn()}, read when a price is first needed. */
    static CostTracker builtInPrices() {
        return new CostTracker();
    }

    /** {@return the price table in use} */
    public PriceTable prices() {
        PriceTable p = prices;
        if (p == null) {
            p = PriceTable.builtIn();
            prices = p;
        }
        return p;
    }

    /**
     * Records one call's usage.
     *
     * @param provider the provider's name
     * @param model the model that answered
     * @param usage the tokens the call used
     * @return its cost in US dollars; 0 when the model's price is unknown (the tokens are still counted)
     */
    public double record(String provider, String model, Usage usage) {
        add(provider, model, usage);
        Optional<ModelPrice> price = prices().find(provider, model);
        return price.isPresent() ? price.get().cost(usage) : 0.0;
    }

    /** Records one call's usage without pricing it now. */
    void add(String provider, String model, Usage usage) {
        String key = provider + "\u0000" + model;
        Line line = lines.get(key);
        if (line == null) {
            Line fresh = new Line(provider, model);
            line = lines.putIfAbsent(key, fresh);
            if (line == null) {
                line = fresh;
            }
        }
        // Split as ModelPrice.cost(Usage) splits one call's tokens, so that pricing the sums
        // later gives the sum of the calls' costs.
        long cached = Math.min(usage.cachedInputTokens(), usage.inputTokens());
        long written = Math.min(usage.cacheWriteTokens(), usage.inputTokens() - cached);
        line.calls.increment();
        line.input.add(usage.inputTokens());
        line.cached.add(usage.cachedInputTokens());
        line.output.add(usage.outputTokens());
        line.billedCached.add(cached);
        line.billedWritten.add(written);
    }

    /** {@return the cost of everything recorded, in US dollars} */
    public double totalCost() {
        double total = 0;
        for (Line l : lines.values()) {
            total += l.cost();
        }
        return total;
    }

    /** {@return one summary per provider and model, most expensive first} */
    public List<CostSummary> summary() {
        List<CostSummary> out = new ArrayList<>();
        for (Line l : lines.values()) {
            out.add(new CostSummary(l.provider, l.model, l.calls.sum(), l.input.sum(), l.cached.sum(), l.output.sum(),
                    l.cost(), l.price().isPresent()));
        }
        out.sort(Comparator.comparingDouble(CostSummary::cost).reversed().thenComparing(CostSummary::model));
        return out;
    }

    private final class Line {
        final String provider;
        final String model;
        final LongAdder calls = new LongAdder();
        final LongAdder input = new LongAdder();
        final LongAdder cached = new LongAdder();
        final LongAdder output = new LongAdder();
        /** The input tokens charged at the cached and the cache-write rate. */
        final LongAdder billedCached = new LongAdder();
        final LongAdder billedWritten = new LongAdder();
        /** Looked up once, on first need. */
        private volatile Optional<ModelPrice> price;

        Line(String provider, String model) {
            this.provider = provider;
            this.model = model;
        }

        Optional<ModelPrice> price() {
            Optional<ModelPrice> p = price;
            if (p == null) {
                p = prices().find(provider, model);
                price = p;
            }
            return p;
        }

        double cost() {
            Optional<ModelPrice> p = price();
            if (p.isEmpty()) {
                return 0.0;
            }
            long cachedSum = billedCached.sum();
            long writtenSum = billedWritten.sum();
            return p.get().cost(input.sum() - cachedSum - writtenSum, cachedSum, writtenSum, output.sum());
        }
    }
}
