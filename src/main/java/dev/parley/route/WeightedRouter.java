package dev.parley.route;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.ModelInfo;
import dev.parley.internal.flow.Relay;
import dev.parley.spi.CallScope;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;
import dev.parley.spi.ScopedProvider;
import dev.parley.spi.Ticker;

/**
 * A provider that spreads calls across several deployments of the same model (regions, keys,
 * Azure deployments, self-hosted replicas) in proportion to their weights, skipping those whose
 * circuit is open and moving on to another when one is unavailable.
 *
 * {@snippet :
 * WeightedRouter router = WeightedRouter.newBuilder()
 *         .route(eastUs, 3, CircuitBreaker.newBuilder().build())
 *         .route(westEurope, 1, CircuitBreaker.newBuilder().build())
 *         .build();
 * ChatResponse r = router.chat(request); // r.provider() names the deployment that answered
 * }
 *
 * <p><b>Choice.</b> For each call the router orders the targets by drawing without replacement,
 * each draw picking a target with probability proportional to its weight among those left: the
 * first is the one called, the others are the failover order. Targets with a
 * {@link CircuitBreaker} that is {@linkplain CircuitBreaker.State#OPEN open} are left out (and
 * counted as skipped); calls to a target with a breaker go through it, so its failures and
 * successes move its circuit. When every target is open, the call fails at once with an
 * {@link dev.parley.LlmException} of kind {@link dev.parley.LlmException.Kind#UNAVAILABLE}.
 *
 * <p><b>Failover.</b> When a target fails with an error of a kind in {@code failoverOn}
 * (default: UNAVAILABLE, SERVER_ERROR, TIMEOUT, NETWORK, RATE_LIMITED) the next target in the
 * order is tried, within the call's overall deadline; other errors are thrown at once. When all
 * fail, the last error is thrown with the earlier ones suppressed. Streams fail over only before
 * their first chunk.
 *
 * <p>Affects {@code chat}, {@code stream}, {@code embed} and {@code models}; its
 * {@link #capabilities()} are those every target has. Responses name the target that answered,
 * and so does a stream's {@link ChatStream#provider()} (the first target chosen, until another
 * one answers). Randomness is injectable
 * ({@link Builder#random}): with a seeded generator the choices are reproducible.
 *
 * <p>Thread-safe. One router owns its {@linkplain #stats() counters}.
 */
public final class WeightedRouter extends ScopedProvider {

    /**
     * The counters of one target.
     *
     * @param target   the target's provider name and its position, such as "azure#2"
     * @param weight   its weight
     * @param calls    calls sent to it (first choice or failover)
     * @param failures calls it failed
     * @param skipped  calls that left it out because its circuit was open
     */
    public record TargetStats(String target, int weight, long calls, long failures, long skipped) {
    }

    /**
     * Counters of a router, read with {@link #stats()}.
     *
     * @param targets one entry per target, in the order they were added
     */
    public record Stats(List<TargetStats> targets) {
        /** Copies the list. */
        public Stats {
            targets = List.copyOf(targets);
        }
    }

    /** A target with its counters. */
    private record Target(String label, Provider provider, int weight, CircuitBreaker breaker,
                          LongAdder calls, LongAdder failures, LongAdder skipped) {
    }

    private final String name;
    private final List<Target> targets;
    private final Set<Capability> capabilities;
    private final RandomGenerator random;
    private final ReentrantLock randomLock = new ReentrantLock();
    private final Failover failover;

    private WeightedRouter(Builder b) {
        this.name = b.name;
        this.targets = List.copyOf(b.targets);
        Set<Capability> common = EnumSet.allOf(Capability.class);
        for (Target t : targets) {
            common.retainAll(t.provider().capabilities());
        }
        this.capabilities = Set.copyOf(common);
        this.random = b.random;
        this.failover = new Failover(Set.copyOf(b.failoverOn), b.ticker);
    }

    /** {@return a new builder} */
    public static Builder newBuilder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public ChatResponse chat(ChatRequest request, CallScope scope) {
        List<Target> plan = plan();
        return failover.call(plan.size(), i -> {
            Target t = plan.get(i);
            return t.provider().chat(request, scope).withProvider(t.provider().name());
        }, counter(plan), scope);
    }

    @Override
    public ChatStream stream(ChatRequest request, CallScope scope) {
        List<Target> plan;
        try {
            plan = plan();
        } catch (LlmException e) {
            // Every circuit is open: a stream reports that when subscribed, as any stream failure.
            return ChatStream.of(name, Relay.deferred(() -> {
                throw e;
            }, new Relay.Hooks<>() {
            }));
        }
        return failover.stream(plan.size(), i -> plan.get(i).provider().stream(request, scope), counter(plan), scope);
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request, CallScope scope) {
        List<Target> plan = plan();
        return failover.call(plan.size(), i -> plan.get(i).provider().embed(request, scope), counter(plan), scope);
    }

    @Override
    public List<ModelInfo> models(CallScope scope) {
        List<Target> plan = plan();
        return failover.call(plan.size(), i -> plan.get(i).provider().models(scope), counter(plan), scope);
    }

    /** {@return the per-target counters; a snapshot} */
    public Stats stats() {
        return new Stats(targets.stream().map(t -> new TargetStats(t.label(), t.weight(), t.calls().sum(),
                t.failures().sum(), t.skipped().sum())).toList());
    }

    private static Failover.Counter counter(List<Target> plan) {
        return new Failover.Counter() {
            @Override
            public void called(int target) {
                plan.get(target).calls().increment();
            }

            @Override
            public void failed(int target) {
                plan.get(target).failures().increment();
            }
        };
    }

    /** {@return the targets to try, in order: a weighted draw without replacement among those not open} */
    private List<Target> plan() {
        List<Target> left = new ArrayList<>(targets.size());
        long total = 0;
        for (Target t : targets) {
            if (t.breaker() != null && t.breaker().isOpen()) {
                t.skipped().increment();
            } else {
                left.add(t);
                total += t.weight();
            }
        }
        if (left.isEmpty()) {
            throw LlmException.newBuilder(Kind.UNAVAILABLE).provider(name)
                    .message("the circuit of every target (" + targets.size() + ") is open; the call was not sent")
                    .build();
        }
        List<Target> plan = new ArrayList<>(left.size());
        while (!left.isEmpty()) {
            long r = nextLong(total);
            int i = 0;
            while (r >= left.get(i).weight()) {
                r -= left.get(i).weight();
                i++;
            }
            Target chosen = left.remove(i);
            total -= chosen.weight();
            plan.add(chosen);
        }
        return plan;
    }

    private long nextLong(long bound) {
        if (random == null) {
            return ThreadLocalRandom.current().nextLong(bound);
        }
        randomLock.lock(); // an injected generator need not be thread-safe
        try {
            return random.nextLong(bound);
        } finally {
            randomLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "WeightedRouter[" + name + ", " + targets.stream().map(t -> t.label() + "=" + t.weight()).toList() + "]";
    }

    /**
     * Builds a {@link WeightedRouter}: at least one route. Each setter checks its argument at
     * once. Not thread-safe.
     */
    public static final class Builder {
        private final List<Target> targets = new ArrayList<>();
        private String name = "router";
        private Set<Kind> failoverOn = EnumSet.of(Kind.UNAVAILABLE, Kind.SERVER_ERROR, Kind.TIMEOUT, Kind.NETWORK,
                Kind.RATE_LIMITED);
        private RandomGenerator random;
        private Ticker ticker = Ticker.system();

        private Builder() {
        }

        /**
         * Sets the router's name, used in errors and metrics; default "router".
         *
         * @param name the router's name, used in errors and metrics
         * @return this builder
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /**
         * Adds a target with a weight from 1 to 1,000,000.
         *
         * @param provider the target
         * @param weight its weight, from 1 to 1,000,000
         * @return this builder
         */
        public Builder route(Provider provider, int weight) {
            return add(provider, weight, null);
        }

        /**
         * Adds a target with a weight from 1 to 1,000,000 behind its own circuit breaker: calls go
         * through {@code breaker}, and the target is skipped while it is open.
         *
         * @param provider the target
         * @param weight its weight, from 1 to 1,000,000
         * @param breaker the circuit breaker the target's calls go through
         * @return this builder
         */
        public Builder route(Provider provider, int weight, CircuitBreaker breaker) {
            return add(provider, weight, Objects.requireNonNull(breaker, "breaker"));
        }

        private Builder add(Provider provider, int weight, CircuitBreaker breaker) {
            Objects.requireNonNull(provider, "provider");
            if (weight < 1 || weight > 1_000_000) {
                throw new IllegalArgumentException("weight must be from 1 to 1000000, got " + weight);
            }
            if (targets.size() == 1000) {
                throw new IllegalArgumentException("routes must be at most 1000");
            }
            Provider p = breaker == null ? provider : breaker.decorate(provider);
            targets.add(new Target(provider.name() + "#" + (targets.size() + 1), p, weight, breaker,
                    new LongAdder(), new LongAdder(), new LongAdder()));
            return this;
        }

        /**
         * Sets the error kinds that move a call to the next target; at least one. Default:
         * UNAVAILABLE, SERVER_ERROR, TIMEOUT, NETWORK, RATE_LIMITED.
         *
         * @param kinds the error kinds that move a call to the next target
         * @return this builder
         */
        public Builder failoverOn(Set<Kind> kinds) {
            Objects.requireNonNull(kinds, "kinds");
            if (kinds.isEmpty()) {
                throw new IllegalArgumentException("failoverOn must name at least one kind");
            }
            this.failoverOn = EnumSet.copyOf(kinds);
            return this;
        }

        /**
         * Sets the source of randomness, for reproducible routing; it is used under a lock, so it
         * need not be thread-safe. Default: {@link ThreadLocalRandom}.
         *
         * @param random the source of randomness
         * @return this builder
         */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Sets the time that the overall deadline is checked on; default {@link Ticker#system()}.
         * A client built with {@code Llm.Builder.ticker(...)} does not change
         * the ticker of a policy built here.
         *
         * @param ticker the time source
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** {@return the router} @throws IllegalArgumentException if no route was added */
        public WeightedRouter build() {
            if (targets.isEmpty()) {
                throw new IllegalArgumentException("routes: add at least one with route(...)");
            }
            return new WeightedRouter(this);
        }
    }
}
