package dev.parley.route;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.parley.ChatRequest;
import dev.parley.ChatStream;
import dev.parley.LlmException.Kind;
import dev.parley.spi.Chain;
import dev.parley.spi.Policy;
import dev.parley.spi.Provider;

/**
 * Answers from an alternative when the primary provider is unavailable: other providers, or the
 * same provider with another model, tried in the order given.
 *
 * {@snippet :
 * FallbackPolicy fallback = FallbackPolicy.newBuilder()
 *         .fallbackModel("gpt-4o-mini")          // first the same provider, a smaller model
 *         .fallback(anthropic, "claude-3-5-haiku-latest") // then another provider
 *         .build();
 * Provider p = fallback.decorate(retry.decorate(openai));
 * ChatResponse r = p.chat(request);
 * System.out.println("answered by " + r.provider() + " / " + r.model());
 * }
 *
 * <p><b>When it falls back.</b> When a target fails with an error of a kind in
 * {@code fallbackOn} (default: UNAVAILABLE, SERVER_ERROR, TIMEOUT, NETWORK, RATE_LIMITED: by the
 * time it gets here the retry layer below has given up), and there is a next target, the thread
 * is not interrupted, and the call's overall deadline has not passed. Never on errors of the
 * caller's making (INVALID_REQUEST, AUTHENTICATION, PERMISSION_DENIED, NOT_FOUND...), which
 * another target would repeat: those are thrown at once. When every target failed, the last
 * error is thrown, with the earlier ones {@linkplain Throwable#getSuppressed() suppressed}.
 *
 * <p><b>Who answered.</b> {@link dev.parley.ChatResponse#provider()} is the name of the
 * target that answered and {@code model()} the model it reports. A target with a model runs the
 * request with {@link dev.parley.ChatRequest#withModel} that model.
 *
 * <p>Affects {@code chat} and {@code stream}; a stream falls back only before its first chunk
 * reached the subscriber (after, the error passes through). A stream's
 * {@link dev.parley.ChatStream#provider()} names the primary, since it is fixed before the
 * stream starts; its chunks carry the answering model. {@code embed} and {@code models} go to
 * the primary alone: vectors from another model cannot be compared with the primary's.
 *
 * <p>Immutable configuration and thread-safe. One policy instance owns one set of
 * {@linkplain #stats() per-target counters}, keyed by target name (and model), shared by every
 * provider it decorates.
 */
public final class FallbackPolicy implements Policy {

    /**
     * The counters of one target.
     *
     * @param target   the provider's name, followed by "/model" when the target sets a model
     * @param calls    calls sent to it
     * @param failures calls it failed (whether or not a fallback followed)
     */
    public record TargetStats(String target, long calls, long failures) {
    }

    /**
     * Counters of a policy instance, read with {@link #stats()}.
     *
     * @param targets one entry per target called so far, in the order first called
     */
    public record Stats(List<TargetStats> targets) {
        /** Copies the list. */
        public Stats {
            targets = List.copyOf(targets);
        }
    }

    /** A fallback target: a provider (null: the primary) and a model (null: the request's). */
    record Target(Provider provider, String model) {
    }

    private final List<Target> fallbacks;
    private final Set<Kind> fallbackOn;
    private final Clock clock;
    private final Falling falling;
    private final ConcurrentHashMap<String, Counters> counters = new ConcurrentHashMap<>();
    private final AtomicInteger order = new AtomicInteger();

    private FallbackPolicy(Builder b) {
        this.fallbacks = List.copyOf(b.fallbacks);
        this.fallbackOn = Set.copyOf(b.fallbackOn);
        this.clock = b.clock;
        this.falling = new Falling(this, fallbacks, new Failover(fallbackOn, clock));
    }

    /** {@return a new builder} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /**
     * Tries a chat on the layers below (the primary), then on each fallback in order;
     * embeddings and model lists go to the primary alone.
     *
     * @param chain the call
     * @return the first answer
     */
    @Override
    public <Q, R> R call(Chain<Q, R> chain) {
        return falling.call(chain);
    }

    /**
     * Streams from the primary, or from the first fallback whose stream does not fail before its
     * first chunk.
     *
     * @param chain the call
     * @return the stream
     */
    @Override
    public ChatStream stream(Chain<ChatRequest, ChatStream> chain) {
        return falling.stream(chain);
    }

    /** {@return the per-target counters; a snapshot} */
    public Stats stats() {
        List<Counters> all = new ArrayList<>(counters.values());
        all.sort(Comparator.comparingInt(c -> c.order));
        return new Stats(all.stream().map(c -> new TargetStats(c.target, c.calls.sum(), c.failures.sum())).toList());
    }

    Counters counters(String provider, String model) {
        String key = provider + (model == null ? "" : "/" + model);
        return counters.computeIfAbsent(key, k -> new Counters(k, order.getAndIncrement()));
    }

    /** Mutable counters of one target. */
    static final class Counters {
        final String target;
        final int order;
        final LongAdder calls = new LongAdder();
        final LongAdder failures = new LongAdder();

        Counters(String target, int order) {
            this.target = target;
            this.order = order;
        }
    }

    /**
     * Builds a {@link FallbackPolicy}: at least one fallback. Not thread-safe.
     */
    public static final class Builder {
        private final List<Target> fallbacks = new ArrayList<>();
        private Set<Kind> fallbackOn = EnumSet.of(Kind.UNAVAILABLE, Kind.SERVER_ERROR, Kind.TIMEOUT, Kind.NETWORK,
                Kind.RATE_LIMITED);
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * Adds another provider, called with the request's model, as the next fallback.
         *
         * @param provider the provider to try next
         * @return this builder
         */
        public Builder fallback(Provider provider) {
            fallbacks.add(new Target(Objects.requireNonNull(provider, "provider"), null));
            return this;
        }

        /**
         * Adds another provider, called with {@code model}, as the next fallback.
         *
         * @param provider the provider to try next
         * @param model the model it is called with
         * @return this builder
         */
        public Builder fallback(Provider provider, String model) {
            fallbacks.add(new Target(Objects.requireNonNull(provider, "provider"), checkModel(model)));
            return this;
        }

        /**
         * Adds the primary provider itself, called with {@code model}, as the next fallback.
         *
         * @param model the model the primary provider is called with
         * @return this builder
         */
        public Builder fallbackModel(String model) {
            fallbacks.add(new Target(null, checkModel(model)));
            return this;
        }

        /**
         * Sets the error kinds that call for the next target; at least one. Default:
         * UNAVAILABLE, SERVER_ERROR, TIMEOUT, NETWORK, RATE_LIMITED.
         *
         * @param kinds the error kinds that call for the next target
         * @return this builder
         */
        public Builder fallbackOn(Set<Kind> kinds) {
            Objects.requireNonNull(kinds, "kinds");
            if (kinds.isEmpty()) {
                throw new IllegalArgumentException("fallbackOn must name at least one kind");
            }
            this.fallbackOn = EnumSet.copyOf(kinds);
            return this;
        }

        /**
         * Sets the clock the overall deadline is checked on; default {@link Clock#systemUTC()}.
         *
         * @param clock the clock the overall deadline is checked on
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** {@return the policy} @throws IllegalArgumentException if no fallback was added */
        public FallbackPolicy build() {
            if (fallbacks.isEmpty()) {
                throw new IllegalArgumentException("fallbacks: add at least one with fallback(...) or fallbackModel(...)");
            }
            return new FallbackPolicy(this);
        }

        private static String checkModel(String model) {
            Objects.requireNonNull(model, "model");
            if (model.isBlank()) {
                throw new IllegalArgumentException("model must not be blank");
            }
            return model;
        }
    }
}
