package dev.parley.gateway;

import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * the providers.
 *
 * <p>The probe answers within its bound: each client is asked on a thread of its own, and a
 * client that has not answered when the bound passes is reported as {@code "timeout"} (not
 * ready). Its call keeps running in the background, bounded by the client's own timeouts, and
 * the next probe waits for that same call rather than starting another, so a silent upstream
 * never piles up calls; {@link #close()} cancels what still runs. A result with a timeout is not
 * cached.
 *
 * <p>The answer names each route with {@code "ok"} or the kind of its failure (such as
 * {@code "authentication"}), never the provider's message, which may quote the gateway's
 * credentials; the message is logged instead. Thread-safe.
 */
final class Readiness implements AutoCloseable {

    static final long TTL_NANOS = 5_000_000_000L;
    private static final System.Logger LOG = System.getLogger("dev.parley.gateway");

    /** A probe result. @param ready whether every route answered @param body the JSON to send */
    record Result(boolean ready, JsonObject body) {
    }

    private final java.util.function.Supplier<List<Route>> source;
    /** The clients probed, as the source last gave them; guarded by {@link #lock}. */
    private List<Route> clients;
    private final long boundNanos;
    private final ExecutorService probes = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("parley-gateway-ready-", 0).factory());
    private final ReentrantLock lock = new ReentrantLock();
    /** The call running or last run for each client, by its index in {@link #clients}; guarded by {@link #lock}. */
    private Future<?>[] running;
    private Result cached;
    private long cachedAt;

    /**
     * @param source the clients to probe, asked at each probe: when they changed (the
     *               configuration file was reloaded) the cached result is dropped
     * @param boundNanos how long a probe may take
     */
    Readiness(java.util.function.Supplier<List<Route>> source, long boundNanos) {
        this.source = source;
        this.clients = List.copyOf(source.get());
        this.boundNanos = boundNanos;
        this.running = new Future<?>[this.clients.size()];
    }

    /** {@return the probe result, from the cache when it is fresh; within about the bound} */
    Result check() {
        long deadline = System.nanoTime() + boundNanos;
        List<Future<?>> calls = new java.util.ArrayList<>();
        List<Route> clients;
        lock.lock();
        try {
            List<Route> now = source.get();
            if (!now.equals(this.clients)) {
                this.clients = List.copyOf(now);
                running = new Future<?>[now.size()]; // calls still running on the old clients end by themselves
                cached = null;
            }
            clients = this.clients;
            if (cached != null && System.nanoTime() - cachedAt <= TTL_NANOS) {
                return cached;
            }
            for (int i = 0; i < clients.size(); i++) {
                Future<?> f = running[i];
                if (f == null || f.isDone()) {
                    Route r = clients.get(i);
                    try {
                        f = probes.submit(() -> probe(r));
                    } catch (RejectedExecutionException closed) {
                        f = CompletableFuture.completedFuture("stopping");
                    }
                    running[i] = f;
                }
                calls.add(f);
            }
        } finally {
            lock.unlock();
        }
        boolean ready = true;
        boolean complete = true;
        JsonObject.Builder rs = JsonObject.newBuilder();
        for (int i = 0; i < clients.size(); i++) {
            String state;
            try {
                state = (String) calls.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                state = "timeout";
                complete = false;
                LOG.log(Level.WARNING, "readiness: route {0} did not answer within {1} ms", clients.get(i).name(),
                        TimeUnit.NANOSECONDS.toMillis(boundNanos));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                state = "timeout";
                complete = false;
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                state = "error";
            }
            ready &= state.equals("ok");
            rs.put(clients.get(i).name(), JsonString.of(state));
        }
        Result result = new Result(ready, JsonObject.newBuilder()
                .put("status", ready ? "ok" : "unavailable")
                .put("routes", rs.build())
                .build());
        if (complete) {
            lock.lock();
            try {
                if (this.clients == clients) { // not for clients a reload replaced meanwhile
                    cached = result;
                    cachedAt = System.nanoTime();
                }
            } finally {
                lock.unlock();
            }
        }
        return result;
    }

    /** {@return "ok" or the kind of failure, for one client} */
    private static String probe(Route r) {
        try {
            if (r.llm().asProvider().capabilities().contains(Capability.MODELS)) {
                r.llm().models();
            }
            return "ok";
        } catch (LlmException e) {
            if (e.kind() == LlmException.Kind.UNSUPPORTED) {
                return "ok";
            }
            LOG.log(Level.WARNING, "readiness: route {0} failed to list models: {1}", r.name(), e.getMessage());
            return e.kind().name().toLowerCase(Locale.ROOT);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "readiness: route " + r.name() + " failed", e);
            return "error";
        }
    }

    /** Cancels the probes still running (interrupting their calls) and waits a second for them. */
    @Override
    public void close() {
        probes.shutdownNow();
        try {
            probes.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
