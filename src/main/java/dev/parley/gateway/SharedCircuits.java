package dev.parley.gateway;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.Llm;
import dev.parley.internal.CircuitSharing;
import dev.parley.internal.LlmInternals;
import dev.parley.internal.redis.RedisCircuits;
import dev.parley.route.CircuitBreaker;

/**
 * Shares the circuit breakers of a gateway's routes with the gateway's other instances, through
 * Redis: each breaker a route's client made from its settings ({@code LLM_CIRCUIT_BREAKER_*}, the
 * file's {@code circuit_breaker}) keeps its state in Redis under the route's name (the first name
 * of a client configured under several), so that failures seen by one instance open the circuit
 * on all and a half-open circuit's probes are counted across them. A breaker given in code
 * ({@code Llm.Builder.circuitBreaker}) stays the process's own: it may guard several clients, or
 * be timed by a ticker of its own.
 *
 * <p>The breaker stays where it is, inside the route's fallbacks; only where it keeps its state
 * changes. While Redis cannot be reached, each breaker decides alone from the state it last saw
 * (see {@link CircuitSharing}). {@link #attach} is called with each table of routes put in use;
 * breakers of routes no longer in use, and all of them when the gateway stops, are given back
 * their own state. Thread-safe.
 */
final class SharedCircuits {

    private final RedisCircuits circuits;
    private final ReentrantLock lock = new ReentrantLock();
    /** The breakers this gateway shares now, and the store each was given; guarded by {@link #lock}. */
    private final Map<CircuitBreaker, CircuitSharing.Store> attached = new IdentityHashMap<>();

    SharedCircuits(RedisCircuits circuits) {
        this.circuits = circuits;
    }

    /**
     * Shares the breakers of {@code routes} (the table now in use), each under its first route
     * name, and stops sharing those of routes no longer in it.
     */
    void attach(List<Router.Route> routes) {
        lock.lock();
        try {
            Map<CircuitBreaker, CircuitSharing.Store> now = new IdentityHashMap<>();
            for (Router.Route r : routes) {
                CircuitBreaker b = shareable(r.llm());
                if (b == null || now.containsKey(b)) {
                    continue;
                }
                CircuitSharing.Store mine = attached.get(b);
                if (mine != null && mine.name().equals(r.name()) && CircuitSharing.store(b) == mine) {
                    now.put(b, mine); // kept client, same name: already shared
                    continue;
                }
                CircuitSharing.Store store = new RouteCircuit(circuits, r.name(), rules(CircuitSharing.rules(b)));
                if (CircuitSharing.share(b, CircuitSharing.store(b), store)) {
                    now.put(b, store);
                }
            }
            attached.forEach((b, store) -> {
                if (!now.containsKey(b)) {
                    CircuitSharing.share(b, store, null);
                }
            });
            attached.clear();
            attached.putAll(now);
        } finally {
            lock.unlock();
        }
    }

    /** Gives every breaker this gateway shares its own state back; for {@link Gateway#stop()}. */
    void detachAll() {
        lock.lock();
        try {
            attached.forEach((b, store) -> CircuitSharing.share(b, store, null));
            attached.clear();
        } finally {
            lock.unlock();
        }
    }

    /** {@return the breaker of {@code llm} that may be shared: one made from its settings; else null} */
    private static CircuitBreaker shareable(Llm llm) {
        LlmInternals.Policies p = LlmInternals.policies(llm);
        return p.breakerFromSettings() ? p.breaker() : null;
    }

    private static RedisCircuits.Rules rules(CircuitSharing.Rules r) {
        return new RedisCircuits.Rules(r.failureThreshold(), r.coolDown(), r.probes());
    }

    /** One route's circuit in Redis. */
    private record RouteCircuit(RedisCircuits circuits, String name, RedisCircuits.Rules rules) implements CircuitSharing.Store {

        @Override
        public CircuitSharing.Decision acquire() {
            RedisCircuits.Decision d;
            try {
                d = circuits.acquire(name, rules);
            } catch (RuntimeException e) {
                return null; // never the call's failure: the breaker decides alone
            }
            if (!d.shared()) {
                return null;
            }
            CircuitSharing.View view;
            if (d.admitted()) {
                view = new CircuitSharing.View(d.permit().probe() ? CircuitBreaker.State.HALF_OPEN : CircuitBreaker.State.CLOSED,
                        java.time.Duration.ZERO);
            } else if (d.retryAfter().isPositive()) {
                view = new CircuitSharing.View(CircuitBreaker.State.OPEN, d.retryAfter());
            } else {
                view = new CircuitSharing.View(CircuitBreaker.State.HALF_OPEN, java.time.Duration.ZERO); // every probe taken
            }
            return new CircuitSharing.Decision(d.admitted(), d.admitted() && d.permit().probe(), view, d.permit());
        }

        @Override
        public CircuitSharing.View record(CircuitSharing.Decision admitted, CircuitSharing.Outcome outcome) {
            try {
                return circuits.record((RedisCircuits.Permit) admitted.ticket(), rules, switch (outcome) {
                    case SUCCESS -> RedisCircuits.Outcome.SUCCESS;
                    case FAILURE -> RedisCircuits.Outcome.FAILURE;
                    case NEUTRAL -> RedisCircuits.Outcome.NEUTRAL;
                });
            } catch (RuntimeException e) {
                return null;
            }
        }

        @Override
        public CircuitSharing.View view() {
            try {
                return circuits.view(name);
            } catch (RuntimeException e) {
                return null;
            }
        }

        @Override
        public String toString() {
            return "RouteCircuit[" + name + "]";
        }
    }
}
