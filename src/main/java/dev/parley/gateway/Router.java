package dev.parley.gateway;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

import dev.parley.Llm;

/**
 * Picks the {@link Llm} and the upstream model name for the model a client asks for:
 * <ol>
 * <li>a route's name, exactly ({@code "fast"}): that route, with its {@code Llm}'s default model;</li>
 * <li>{@code name/model} where {@code name} is a route ({@code "anthropic/claude-sonnet-4-5"}):
 *     that route, with the text after the first slash as the model;</li>
 * <li>anything else: the default route with the model as given (slashes included, for
 *     providers whose model names have them); no default route means 404 model_not_found.</li>
 * </ol>
 * A missing model goes to the default route's default model. The default route also answers to
 * the name {@value #DEFAULT}.
 *
 * <p>The routes are a {@link Table} that a reload of the configuration file {@linkplain #replace
 * replaces} while requests run. A request {@linkplain #enter enters} the table in use when it
 * starts and resolves against it until it {@linkplain #exit exits}, so that it finishes on the
 * clients it started with; a client the gateway made (one of the file's routes) is closed once
 * no table in use holds it any more and every request that entered such a table has exited.
 * Clients given to the gateway's builder are the caller's: never closed here. Thread-safe.
 */
final class Router {

    /** The name of the default route, in metrics, readiness and as an alias. */
    static final String DEFAULT = "default";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,64}");


    /** Where a request goes. @param route the route's name @param llm its client @param model the upstream model, or null for the client's default */
    record Target(String route, Llm llm, String model) {
    }

    /** A route: a name and its client. */
    record Route(String name, Llm llm) {
    }

    /**
     * One generation of routes: named clients, the default, and which of them the gateway made
     * (and so closes). Immutable but for the count of requests in it.
     */
    static final class Table {
        private final Map<String, Llm> named;
        private final Llm fallback;
        private final Set<Llm> owned = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        private final AtomicInteger users = new AtomicInteger();
        private volatile boolean retired;
        private boolean finished; // guarded by the router's lock

        /**
         * @param named the routes by name
         * @param fallback the default route, or null
         * @param owned the clients the gateway made, closed when no table holds them any more
         */
        Table(Map<String, Llm> named, Llm fallback, java.util.Collection<Llm> owned) {
            this.named = new LinkedHashMap<>(named);
            this.fallback = fallback;
            this.owned.addAll(owned);
        }

        /** {@return every route of this table, the default last, in the order they were configured} */
        List<Route> routes() {
            List<Route> all = new ArrayList<>();
            named.forEach((name, llm) -> all.add(new Route(name, llm)));
            if (fallback != null) {
                all.add(new Route(DEFAULT, fallback));
            }
            return all;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    /** The table the current thread's request entered, if any; per router, so that two gateways never mix. */
    private final ThreadLocal<Table> entered = new ThreadLocal<>();
    private volatile Table table;
    /** Tables replaced while requests still ran in them; guarded by {@link #lock}. */
    private final List<Table> draining = new ArrayList<>();
    private final AtomicLong closed = new AtomicLong();

    Router(Map<String, Llm> named, Llm fallback) {
        this(new Table(named, fallback, List.of()));
    }

    Router(Table table) {
        this.table = table;
    }

    /** Checks a route name. @throws IllegalArgumentException naming the problem */
    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("route: expected 1 to 64 letters, digits, '.', '_', ':' or '-' (no '/'), got \""
                    + name + "\"");
        }
        if (name.equals(DEFAULT)) {
            throw new IllegalArgumentException("route: \"default\" is the default route's name; use defaultRoute(llm)");
        }
    }

    // ---- generations

    /** {@return the table in use now} */
    Table current() {
        return table;
    }

    /**
     * Makes {@code next} the table new requests enter. Requests in the old one finish there; its
     * clients that {@code next} does not hold are closed when the last of them exits.
     */
    void replace(Table next) {
        lock.lock();
        try {
            Table old = table;
            if (old == next) {
                return;
            }
            table = next;
            draining.add(old);
            old.retired = true;
            if (old.users.get() == 0) {
                finish(old);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Pins the current table for this thread's request, until {@link #exit()}. */
    void enter() {
        while (true) {
            Table t = table;
            t.users.incrementAndGet();
            if (t == table) {
                entered.set(t);
                return;
            }
            release(t); // replaced meanwhile: take the new one
        }
    }

    /** Ends this thread's request: its table may now be finished. */
    void exit() {
        Table t = entered.get();
        if (t != null) {
            entered.remove();
            release(t);
        }
    }

    private void release(Table t) {
        if (t.users.decrementAndGet() == 0 && t.retired) {
            lock.lock();
            try {
                finish(t);
            } finally {
                lock.unlock();
            }
        }
    }

    /** Closes the clients of a replaced, idle table that no table still in use holds. Under the lock. */
    private void finish(Table t) {
        if (t.finished || t.users.get() > 0) {
            return;
        }
        t.finished = true;
        draining.remove(t);
        for (Llm llm : t.owned) {
            if (!holds(table, llm) && draining.stream().noneMatch(d -> holds(d, llm))) {
                llm.close();
                closed.incrementAndGet();
            }
        }
    }

    private static boolean holds(Table t, Llm llm) {
        return t.owned.contains(llm);
    }

    /** Closes every client the gateway made, in use or not; for {@link Gateway#stop()}, once requests have ended. */
    void closeAll() {
        lock.lock();
        try {
            Set<Llm> all = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            all.addAll(table.owned);
            draining.forEach(d -> all.addAll(d.owned));
            all.forEach(Llm::close);
            closed.addAndGet(all.size());
        } finally {
            lock.unlock();
        }
    }

    /** {@return how many clients were closed, for tests} */
    long closedClients() {
        return closed.get();
    }

    // ---- routing

    private Table routing() {
        Table t = entered.get();
        return t != null ? t : table;
    }

    /** {@return where a request for {@code model} goes} @throws ApiError 404 when no route takes it */
    Target resolve(String model) {
        Table t = routing();
        if (model == null || model.isEmpty()) {
            return defaultTarget(t, null, model);
        }
        Llm exact = t.named.get(model);
        if (exact != null) {
            return new Target(model, exact, null);
        }
        if (model.equals(DEFAULT)) {
            return defaultTarget(t, null, model);
        }
        int slash = model.indexOf('/');
        if (slash > 0 && slash < model.length() - 1) {
            Llm prefixed = t.named.get(model.substring(0, slash));
            if (prefixed != null) {
                return new Target(model.substring(0, slash), prefixed, model.substring(slash + 1));
            }
        }
        return defaultTarget(t, model, model);
    }

    private static Target defaultTarget(Table t, String upstreamModel, String asked) {
        if (t.fallback == null) {
            throw new ApiError(404, "invalid_request_error", "model_not_found", "model",
                    asked == null || asked.isEmpty() ? "No model given and this gateway has no default route."
                            : "The model '" + asked + "' does not exist or you do not have access to it.");
        }
        return new Target(DEFAULT, t.fallback, upstreamModel);
    }

    /** {@return every route of the table in use, the default last, in the order they were configured} */
    List<Route> routes() {
        return routing().routes();
    }

    /**
     * {@return each distinct client once, under the first route name it was configured with}:
     * the same {@code Llm} under two names is probed once and its metrics are not counted twice
     */
    List<Route> distinctClients() {
        Map<Llm, String> seen = new IdentityHashMap<>();
        List<Route> out = new ArrayList<>();
        for (Route r : routes()) {
            if (seen.putIfAbsent(r.llm(), r.name()) == null) {
                out.add(r);
            }
        }
        return out;
    }
}
