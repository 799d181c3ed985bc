package dev.parley.gateway;

import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.LlmException;
import dev.parley.gateway.Router.Route;
import dev.parley.spi.Capability;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;

/**
 * The {@code /health/ready} probe: each distinct route client must answer {@code models()}.
 * A provider that cannot list models (without the {@code MODELS} capability, or answering
 * {@code UNSUPPORTED}) counts as ready without being asked, since nothing can be probed without
 * spending tokens; a {@code ScriptedProvider} answers {@code models()} and so
 * is ready. The result is cached for {@link #TTL_NANOS} so that frequent probes do not hammer
 * the providers; concurrent probes wait for the one running.
 *
 * <p>The answer names each route with {@code "ok"} or the kind of its failure (such as
 * {@code "authentication"}), never the provider's message, which may quote the gateway's
 * credentials; the message is logged instead. Thread-safe.
 */
final class Readiness {

    static final long TTL_NANOS = 5_000_000_000L;
    private static final System.Logger LOG = System.getLogger("dev.parley.gateway");

    /** A probe result. @param ready whether every route answered @param body the JSON to send */
    record Result(boolean ready, JsonObject body) {
    }

    private final List<Route> clients;
    private final ReentrantLock lock = new ReentrantLock();
    private Result cached;
    private long cachedAt;

    Readiness(List<Route> clients) {
        this.clients = List.copyOf(clients);
    }

    /** {@return the probe result, from the cache when it is fresh} */
    Result check() {
        lock.lock();
        try {
            long now = System.nanoTime();
            if (cached == null || now - cachedAt > TTL_NANOS) {
                cached = probe();
                cachedAt = System.nanoTime();
            }
            return cached;
        } finally {
            lock.unlock();
        }
    }

    private Result probe() {
        boolean ready = true;
        Map<String, String> routes = new LinkedHashMap<>();
        for (Route r : clients) {
            String state;
            try {
                if (r.llm().asProvider().capabilities().contains(Capability.MODELS)) {
                    r.llm().models();
                }
                state = "ok";
            } catch (LlmException e) {
                if (e.kind() == LlmException.Kind.UNSUPPORTED) {
                    state = "ok";
                } else {
                    state = e.kind().name().toLowerCase(Locale.ROOT);
                    ready = false;
                    LOG.log(Level.WARNING, "readiness: route {0} failed to list models: {1}", r.name(), e.getMessage());
                }
            } catch (RuntimeException e) {
                state = "error";
                ready = false;
                LOG.log(Level.WARNING, "readiness: route " + r.name() + " failed", e);
            }
            routes.put(r.name(), state);
        }
        JsonObject.Builder rs = JsonObject.newBuilder();
        routes.forEach((name, state) -> rs.put(name, JsonString.of(state)));
        return new Result(ready, JsonObject.newBuilder()
                .put("status", ready ? "ok" : "unavailable")
                .put("routes", rs.build())
                .build());
    }
}
