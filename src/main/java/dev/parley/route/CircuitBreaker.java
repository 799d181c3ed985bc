package dev.parley.route;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatStream;
import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.internal.CircuitSharing;
import dev.parley.internal.Errors;
import dev.parley.internal.flow.Relay;
import dev.parley.spi.Chain;
import dev.parley.spi.Policy;
import dev.parley.spi.Provider;
import dev.parley.spi.Ticker;

/**
 * Stops calling a provider that keeps failing, for a while, so that callers fail fast (and fall
 * back) instead of waiting on it, and the provider gets room to recover.
 *
 * {@snippet :
 * CircuitBreaker breaker = CircuitBreaker.newBuilder()
 *         .failureThreshold(5)
 *         .coolDown(Duration.ofSeconds(30))
 *         .build();
 * Provider guarded = breaker.decorate(retry.decorate(openai));
 * if (breaker.state() == CircuitBreaker.State.OPEN) {
 *     log.warn("openai is failing; calls are short-circuited");
 * }
 * }
 *
 * <p><b>States.</b> {@link State#CLOSED}: calls pass; {@code failureThreshold} failures <em>in a
 * row</em> open the circuit (consecutive failures rather than a failure rate: simple to reason
 * about, and a provider that answers at all resets it). {@link State#OPEN}: calls fail at once
 * with an {@link dev.parley.LlmException} of kind {@link dev.parley.LlmException.Kind#UNAVAILABLE}
 * ("circuit open until &lt;time&gt;", its {@code retryAfter} the time left) without reaching the
 * provider. After {@code coolDown},
 * {@link State#HALF_OPEN}: exactly {@code halfOpenProbes} calls are let through as probes, others
 * fail at once as when open; the first probe that succeeds closes the circuit, the first that
 * fails opens it again for another cool-down. A probe that ends otherwise (cancelled, a bug)
 * gives its place to the next caller.
 *
 * <p><b>What counts.</b> A failure is an {@link LlmException} of a kind in {@code failureKinds}
 * (default: UNAVAILABLE, SERVER_ERROR, TIMEOUT, NETWORK: the provider's trouble, not the
 * caller's). Any other {@code LlmException} (a 400, 401, 404, 429, quota...) shows that the
 * provider answered, so it counts as a success. A cancelled stream or an exception that is not an
 * {@code LlmException} does not count. A stream counts when it ends: completion is a success, an
 * error is judged by its kind.
 *
 * <p>Affects {@code chat}, {@code stream} (checked when subscribed), {@code embed} and
 * {@code models}. Defaults: threshold 5, cool-down 30 s, 1 probe, {@link Ticker#system()}.
 *
 * <p><b>Several processes.</b> A breaker that an {@code Llm} made from its settings
 * ({@code LLM_CIRCUIT_BREAKER_FAILURES}, {@code LLM_CIRCUIT_BREAKER_COOL_DOWN},
 * {@code LLM_CIRCUIT_BREAKER_PROBES}, or a gateway route's {@code circuit_breaker}) is shared by
 * the instances of a gateway that has Redis ({@link dev.parley.gateway.Gateway.Builder#redis}):
 * while Redis answers, it decides, with these same rules counted across instances and the
 * cool-down timed on Redis's clock, and this breaker's {@link #state()} follows what it says
 * (transitions count as this breaker's when it sees them); while Redis cannot be reached, this
 * breaker decides alone, from the state it last saw, and the outcome of a call Redis could not
 * record counts here. A breaker built here and given in code is never shared.
 *
 * <p>Thread-safe; state changes happen under a lock held only for bookkeeping, never during a
 * call (nor while a shared state is asked). One breaker instance is one circuit: decorating
 * several providers with the same instance makes them share it (a {@link WeightedRouter}
 * target takes its own breaker).
 */
public final class CircuitBreaker implements Policy {

    /** The state of a circuit. */
    public enum State {
        /** Calls pass; failures are counted. */
        CLOSED,
        /** Calls fail at once until the cool-down ends. */
        OPEN,
        /** A limited number of probe calls pass to test the provider. */
        HALF_OPEN
    }

    /**
     * The state and counters of a breaker, read with {@link #stats()}.
     *
     * @param state      the current state
     * @param opened     transitions to OPEN (from CLOSED or HALF_OPEN)
     * @param halfOpened transitions to HALF_OPEN
     * @param closed     transitions from HALF_OPEN to CLOSED
     * @param rejected   calls failed at once without reaching the provider
     * @param successes  calls that counted as successes
     * @param failures   calls that counted as failures
     */
    public record Stats(State state, long opened, long halfOpened, long closed, long rejected, long successes,
                        long failures) {
    }

    /**
     * A call let through: in which circuit generation, and whether as a probe; and when a shared
     * store let it through, that store and its decision (else null).
     */
    record Permit(long generation, boolean probe, CircuitSharing.Store store, CircuitSharing.Decision shared) {

        Permit(long generation, boolean probe) {
            this(generation, probe, null, null);
        }
    }

    static {
        CircuitSharing.register(new CircuitSharing.Access() {
            @Override
            public CircuitSharing.Rules rules(CircuitBreaker b) {
                return new CircuitSharing.Rules(b.failureThreshold, b.coolDown, b.halfOpenProbes);
            }

            @Override
            public boolean share(CircuitBreaker b, CircuitSharing.Store expected, CircuitSharing.Store store) {
                return b.store.compareAndSet(expected, store);
            }

            @Override
            public CircuitSharing.Store store(CircuitBreaker b) {
                return b.store.get();
            }
        });
    }

    private final int failureThreshold;
    private final Duration coolDown;
    private final int halfOpenProbes;
    private final Ticker ticker;
    private final Set<Kind> failureKinds;
    private final ReentrantLock lock = new ReentrantLock();
    /** Where the state is shared with other processes (set by the gateway), or null: this process alone. */
    private final AtomicReference<CircuitSharing.Store> store = new AtomicReference<>();

    // Guarded by lock.
    private State state = State.CLOSED;
    private long generation;
    private int consecutiveFailures;
    private int probesAdmitted;
    private Instant openUntil;
    private long opened;
    private long halfOpened;
    private long closed;
    private long rejected;
    private long successes;
    private long failures;

    private CircuitBreaker(Builder b) {
        this.failureThreshold = b.failureThreshold;
        this.coolDown = b.coolDown;
        this.halfOpenProbes = b.halfOpenProbes;
        this.ticker = b.ticker;
        this.failureKinds = Set.copyOf(b.failureKinds);
    }

    /** {@return a new builder with the defaults} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /**
     * Passes a chat, an embeddings call or a model listing on while the circuit allows, and
     * records how it went.
     *
     * @param chain the call
     * @return the answer
     * @throws LlmException of kind {@code UNAVAILABLE} while the circuit is open
     */
    @Override
    public <Q, R> R call(Chain<Q, R> chain) {
        Permit permit = acquire(chain.provider());
        R result;
        try {
            result = chain.proceed();
        } catch (RuntimeException | Error e) {
            record(permit, e);
            throw e;
        }
        record(permit, null);
        return result;
    }

    /**
     * Streams through the circuit: the permit is taken when the stream is subscribed to (a
     * refusal arrives as {@code onError}), and the outcome recorded when it ends.
     *
     * @param chain the call
     * @return the stream
     */
    @Override
    public ChatStream stream(Chain<ChatRequest, ChatStream> chain) {
        ChatStream inner = chain.proceed(); // sends nothing yet; fails now if it cannot stream
        AtomicReference<Permit> permit = new AtomicReference<>();
        Relay<ChatChunk> relay = Relay.deferred(() -> {
            permit.set(acquire(chain.provider()));
            return inner;
        }, new Relay.Hooks<>() {
            @Override
            public void ended(Relay.End end, Throwable error) {
                Permit p = permit.get();
                if (p != null) {
                    record(p, switch (end) {
                        case COMPLETED -> null;
                        case FAILED -> error;
                        case CANCELLED -> new CancellationException("cancelled");
                    });
                }
            }
        });
        return ChatStream.of(inner.provider(), relay);
    }

    /** {@return the current state}; an open circuit whose cool-down has ended reads HALF_OPEN */
    public State state() {
        lock.lock();
        try {
            refresh();
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** {@return the state and counters; a snapshot} */
    public Stats stats() {
        lock.lock();
        try {
            refresh();
            return new Stats(state, opened, halfOpened, closed, rejected, successes, failures);
        } finally {
            lock.unlock();
        }
    }

    /** {@return whether calls would be refused outright now} (OPEN, cool-down not over) */
    boolean isOpen() {
        return state() == State.OPEN;
    }

    /**
     * Lets a call through or refuses it.
     *
     * @param provider the provider's name, for the error
     * @return the permit to {@linkplain #record record} the outcome with
     * @throws LlmException (UNAVAILABLE) if the circuit is open, or half-open with every probe taken
     */
    Permit acquire(String provider) {
        CircuitSharing.Store shared = store.get();
        // Asked outside the lock: the store may wait on the network (within its own timeout).
        CircuitSharing.Decision d = shared == null ? null : shared.acquire();
        lock.lock();
        try {
            if (d != null) {
                follow(d.view());
                if (d.admitted()) {
                    return new Permit(generation, d.probe(), shared, d);
                }
                rejected++;
                throw d.view().state() == State.OPEN ? openError(provider, true)
                        : LlmException.newBuilder(Kind.UNAVAILABLE).provider(provider)
                                .message("circuit half-open: its probe call(s) are in progress, on this instance or another"
                                        + " sharing it; the call was not sent")
                                .build();
            }
            refresh();
            switch (state) {
                case CLOSED:
                    return new Permit(generation, false);
                case HALF_OPEN:
                    if (probesAdmitted < halfOpenProbes) {
                        probesAdmitted++;
                        return new Permit(generation, true);
                    }
                    rejected++;
                    throw LlmException.newBuilder(Kind.UNAVAILABLE).provider(provider)
                            .message("circuit half-open: " + probesAdmitted + " probe call(s) in progress; the call was not sent")
                            .build();
                default:
                    rejected++;
                    throw openError(provider, false);
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@return the refusal of an open circuit}; under the lock */
    private LlmException openError(String provider, boolean shared) {
        Duration left = Duration.between(ticker.instant(), openUntil);
        return LlmException.newBuilder(Kind.UNAVAILABLE).provider(provider)
                .message("circuit open until " + openUntil + " after " + failureThreshold + " failure(s) in a row"
                        + (shared ? ", counted across the instances sharing it" : "") + "; the call was not sent")
                .retryAfter(left.isNegative() ? Duration.ZERO : left)
                .build();
    }

    /**
     * Takes the state a shared store reports as this breaker's own, so that it decides from it
     * while the store cannot answer. Transitions count as this breaker's. Under the lock.
     */
    private void follow(CircuitSharing.View v) {
        switch (v.state()) {
            case CLOSED -> {
                if (state != State.CLOSED) {
                    state = State.CLOSED;
                    consecutiveFailures = 0;
                    generation++;
                    closed++;
                }
            }
            case OPEN -> {
                openUntil = ticker.instant().plus(v.openFor());
                if (state != State.OPEN) {
                    state = State.OPEN;
                    consecutiveFailures = 0;
                    generation++;
                    opened++;
                }
            }
            case HALF_OPEN -> {
                if (state != State.HALF_OPEN) {
                    state = State.HALF_OPEN;
                    probesAdmitted = 0;
                    generation++;
                    halfOpened++;
                }
            }
        }
    }

    /**
     * Records how a call that was let through ended.
     *
     * @param permit the call's permit
     * @param error  null for a success; otherwise what it failed with
     */
    void record(Permit permit, Throwable error) {
        int outcome = outcome(error); // 1 success, -1 failure, 0 does not count
        CircuitSharing.View after = null;
        if (permit.shared() != null) {
            // Recorded outside the lock: the store may wait on the network (within its own timeout).
            after = permit.store().record(permit.shared(), outcome > 0 ? CircuitSharing.Outcome.SUCCESS
                    : outcome < 0 ? CircuitSharing.Outcome.FAILURE : CircuitSharing.Outcome.NEUTRAL);
        }
        lock.lock();
        try {
            refresh();
            if (outcome > 0) {
                successes++;
            } else if (outcome < 0) {
                failures++;
            }
            if (after != null) {
                follow(after);
                return;
            }
            if (permit.shared() != null) {
                // The store could not record it: count it here, as a call of this breaker's own.
                permit = new Permit(permit.generation(), false);
            }
            if (permit.probe()) {
                if (state != State.HALF_OPEN || permit.generation() != generation) {
                    return; // a stale probe: another one already decided
                }
                if (outcome > 0) {
                    state = State.CLOSED;
                    consecutiveFailures = 0;
                    generation++;
                    closed++;
                } else if (outcome < 0) {
                    open();
                } else {
                    probesAdmitted--; // give the place to the next caller
                }
            } else if (state == State.CLOSED) {
                if (outcome > 0) {
                    consecutiveFailures = 0;
                } else if (outcome < 0 && ++consecutiveFailures >= failureThreshold) {
                    open();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private int outcome(Throwable error) {
        if (error == null) {
            return 1;
        }
        if (error instanceof LlmException e) {
            return failureKinds.contains(e.kind()) ? -1 : 1;
        }
        return 0;
    }

    private void open() {
        state = State.OPEN;
        openUntil = ticker.instant().plus(coolDown);
        generation++;
        opened++;
    }

    private void refresh() {
        if (state == State.OPEN && !ticker.instant().isBefore(openUntil)) {
            state = State.HALF_OPEN;
            probesAdmitted = 0;
            generation++;
            halfOpened++;
        }
    }

    /**
     * Builds a {@link CircuitBreaker}. Each setter checks its argument at once and throws
     * {@link IllegalArgumentException} naming it and its range. Not thread-safe.
     */
    public static final class Builder {
        private int failureThreshold = 5;
        private Duration coolDown = Duration.ofSeconds(30);
        private int halfOpenProbes = 1;
        private Ticker ticker = Ticker.system();
        private Set<Kind> failureKinds = EnumSet.of(Kind.UNAVAILABLE, Kind.SERVER_ERROR, Kind.TIMEOUT, Kind.NETWORK);

        private Builder() {
        }

        /**
         * Sets how many counted failures in a row open the circuit, from 1 to 1000; default 5.
         *
         * @param failureThreshold how many counted failures in a row open the circuit, from 1 to 1000
         * @return this builder
         */
        public Builder failureThreshold(int failureThreshold) {
            if (failureThreshold < 1 || failureThreshold > 1000) {
                throw new IllegalArgumentException("failureThreshold must be from 1 to 1000, got " + failureThreshold);
            }
            this.failureThreshold = failureThreshold;
            return this;
        }

        /**
         * Sets how long the circuit stays open, from 1 ms to 24 hours; default 30 s.
         *
         * @param coolDown how long the circuit stays open, from 1 ms to 24 hours
         * @return this builder
         */
        public Builder coolDown(Duration coolDown) {
            Objects.requireNonNull(coolDown, "coolDown");
            if (coolDown.compareTo(Duration.ofMillis(1)) < 0 || coolDown.compareTo(Duration.ofHours(24)) > 0) {
                throw new IllegalArgumentException("coolDown must be from 1 ms to 24 hours, got " + Errors.format(coolDown));
            }
            this.coolDown = coolDown;
            return this;
        }

        /**
         * Sets how many probe calls a half-open circuit lets through, from 1 to 100; default 1.
         *
         * @param halfOpenProbes how many probe calls a half-open circuit lets through, from 1 to 100
         * @return this builder
         */
        public Builder halfOpenProbes(int halfOpenProbes) {
            if (halfOpenProbes < 1 || halfOpenProbes > 100) {
                throw new IllegalArgumentException("halfOpenProbes must be from 1 to 100, got " + halfOpenProbes);
            }
            this.halfOpenProbes = halfOpenProbes;
            return this;
        }

        /**
         * Sets which error kinds count as failures; at least one. Default: UNAVAILABLE,
         * SERVER_ERROR, TIMEOUT, NETWORK.
         *
         * @param failureKinds which error kinds count as failures
         * @return this builder
         */
        public Builder failureKinds(Set<Kind> failureKinds) {
            Objects.requireNonNull(failureKinds, "failureKinds");
            if (failureKinds.isEmpty()) {
                throw new IllegalArgumentException("failureKinds must name at least one kind");
            }
            this.failureKinds = EnumSet.copyOf(failureKinds);
            return this;
        }

        /**
         * Sets the time that times the cool-down; default {@link Ticker#system()}.
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

        /** {@return the breaker, closed} */
        public CircuitBreaker build() {
            return new CircuitBreaker(this);
        }
    }
}
