package dev.parley.cost;

import java.util.Objects;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.ChatRequest;
import dev.parley.ChatStream;
import dev.parley.LlmException;
import dev.parley.internal.TokenEstimate;
import dev.parley.spi.Chain;
import dev.parley.spi.Policy;

/**
 * Prices every call and, optionally, enforces a budget.
 *
 * {@snippet :
 * CostPolicy cost = CostPolicy.newBuilder()
 *         .prices(PriceTable.builtIn())
 *         .budget(5.00)                 // US dollars, for the life of this policy
 *         .build();
 * Provider guarded = cost.decorate(provider);
 * ...
 * double spent = cost.tracker().totalCost();
 * }
 *
 * <p>With a budget, a call whose worst case — the estimated prompt at the input rate plus its
 * {@code maxTokens} (or {@link Builder#defaultMaxTokens}) at the output rate — would take the
 * spending past the budget is refused with a {@code BudgetExceededException} before any request
 * is sent. Calls in flight reserve their worst case until they end, so concurrent calls cannot
 * overspend together. A model whose price is unknown is let through and counted as free.
 * Chats, streams (priced when they complete, from the usage they report) and embeddings are
 * priced. One policy instance holds one tracker and one budget, shared by every provider it
 * decorates. Thread-safe.
 */
public final class CostPolicy implements Policy {

    private final CostTracker tracker;
    private final double budget;
    private final int defaultMaxTokens;
    private final ReentrantLock lock = new ReentrantLock();
    private final DoubleAdder reservedTotal = new DoubleAdder();

    private CostPolicy(Builder b) {
        this.tracker = b.tracker != null ? b.tracker : b.prices != null ? new CostTracker(b.prices) : CostTracker.builtInPrices();
        this.budget = b.budget;
        this.defaultMaxTokens = b.defaultMaxTokens;
    }

    /** {@return a builder: built-in prices, no budget, 4096 default max tokens} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /** {@return the tracker this policy records into} */
    public CostTracker tracker() {
        return tracker;
    }

    /** {@return the budget in US dollars, or {@code Double.POSITIVE_INFINITY} without one} */
    public double budget() {
        return budget;
    }

    /** {@return the budget left: budget minus what was spent and what calls in flight may spend} */
    public double remaining() {
        return budget - tracker.totalCost() - reservedTotal.sum();
    }

    /**
     * Prices a chat or an embeddings call, and refuses one whose worst case does not fit the
     * budget before it is sent; a model listing costs nothing.
     *
     * @param chain the call
     * @return the answer
     * @throws dev.parley.BudgetExceededException if the call's worst case does not fit the budget
     */
    @Override
    public <Q, R> R call(Chain<Q, R> chain) {
        return Costing.call(this, chain);
    }

    /**
     * Prices a stream when it ends, and refuses one whose worst case does not fit the budget.
     *
     * @param chain the call
     * @return the stream
     * @throws dev.parley.BudgetExceededException if the stream's worst case does not fit the budget
     */
    @Override
    public ChatStream stream(Chain<ChatRequest, ChatStream> chain) {
        return Costing.stream(this, chain);
    }

    /**
     * Reserves the worst case of a chat, or throws if it does not fit the budget.
     *
     * @return the amount reserved, to release when the call ends
     */
    double reserve(String provider, ChatRequest request) {
        if (Double.isInfinite(budget)) {
            return 0;
        }
        ModelPrice price = tracker.prices().find(provider, request.model()).orElse(null);
        if (price == null) {
            return 0;
        }
        long max = request.maxTokens() != null ? request.maxTokens() : defaultMaxTokens;
        return reserve(provider, request.model(), price.worstCase(TokenEstimate.prompt(request), max));
    }

    double reserve(String provider, String model, double worst) {
        if (Double.isInfinite(budget) || worst <= 0) {
            return 0;
        }
        lock.lock();
        try {
            double left = budget - tracker.totalCost() - reservedTotal.sum();
            if (worst > left) {
                throw LlmException.newBuilder(LlmException.Kind.BUDGET_EXCEEDED)
                        .provider(provider)
                        .message("refused before sending: this call to " + model + " could cost up to " + Money.format(worst)
                                + ", but only " + Money.format(Math.max(0, left)) + " of the " + Money.format(budget)
                                + " budget is left")
                        .build();
            }
            reservedTotal.add(worst);
            return worst;
        } finally {
            lock.unlock();
        }
    }

    void release(double reserved) {
        if (reserved != 0) {
            reservedTotal.add(-reserved);
        }
    }

    /**
     * Configures a {@link CostPolicy}. Not thread-safe.
     */
    public static final class Builder {
        private PriceTable prices;
        private CostTracker tracker;
        private double budget = Double.POSITIVE_INFINITY;
        private int defaultMaxTokens = 4096;

        private Builder() {
        }

        /**
         * Sets the price table; default {@link PriceTable#builtIn()}.
         *
         * @param prices the price table
         * @return this builder
         */
        public Builder prices(PriceTable prices) {
            this.prices = Objects.requireNonNull(prices, "prices");
            return this;
        }

        /**
         * Records into an existing tracker (its price table is used).
         *
         * @param tracker the tracker that records the costs
         * @return this builder
         */
        public Builder tracker(CostTracker tracker) {
            this.tracker = Objects.requireNonNull(tracker, "tracker");
            return this;
        }

        /**
         * Sets the budget in US dollars for everything this policy prices. Default: none.
         *
         * @param dollars more than 0
         * @return this builder
         */
        public Builder budget(double dollars) {
            if (!(dollars > 0) || Double.isNaN(dollars)) {
                throw new IllegalArgumentException("budget must be more than 0 US dollars, got " + dollars);
            }
            this.budget = dollars;
            return this;
        }

        /**
         * Sets the output tokens assumed for a request without {@code maxTokens}. Default 4096.
         *
         * @param tokens from 1 to 10,000,000
         * @return this builder
         */
        public Builder defaultMaxTokens(int tokens) {
            if (tokens < 1 || tokens > 10_000_000) {
                throw new IllegalArgumentException("defaultMaxTokens must be from 1 to 10000000, got " + tokens);
            }
            this.defaultMaxTokens = tokens;
            return this;
        }

        /** {@return the policy} */
        public CostPolicy build() {
            return new CostPolicy(this);
        }
    }
}
