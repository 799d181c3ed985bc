package dev.parley.gateway;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.LlmException;
import dev.parley.gateway.GatewayServer.Exchange;
import dev.parley.internal.redis.SharedState;
import dev.parley.json.JsonAccessException;
import dev.parley.json.JsonObject;

/**
 * The gateway's one HTTP handler: sends each request to its endpoint after the checks every
 * request gets (draining, key, method), turns every failure into an OpenAI-style error answer,
 * counts the request, and keeps track of the requests in flight so that {@link Gateway#stop()}
 * can wait for them, end their streams and, as a last resort, interrupt them.
 *
 * <p>Thread-safe: called on one virtual thread per request. The in-flight count is signalled
 * under its own lock, which nothing else holds for long.
 */
final class Dispatcher implements GatewayServer.Handler {

    private static final System.Logger LOG = System.getLogger("dev.parley.gateway");

    private final Router router;
    private final ApiKeys keys;
    private final VirtualKeys virtualKeys;
    private final AccessLog accessLog;
    private final GatewayMetrics metrics;
    private final ChatHandler chat;
    private final ResponsesHandler responses;
    private final EmbeddingsHandler embeddings;
    private final ModelsHandler models;
    private final Readiness readiness;
    private final AdminApi admin;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final ReentrantLock idleLock = new ReentrantLock();
    private final Condition idle = idleLock.newCondition();
    private final CountDownLatch draining = new CountDownLatch(1);
    private volatile boolean stopping;
    /** The state shared through Redis, or null; and when /health/ready last asked Redis (System.nanoTime). */
    private final SharedState shared;
    private volatile long lastPing = System.nanoTime() - PING_EVERY_NANOS;
    private static final long PING_EVERY_NANOS = 1_000_000_000L;

    Dispatcher(Router router, ApiKeys keys, VirtualKeys virtualKeys, AccessLog accessLog, GatewayMetrics metrics,
               AdminApi admin, long maxBody, long heartbeatNanos, long readyNanos, SharedState shared) {
        this.admin = admin;
        this.shared = shared;
        this.router = router;
        this.keys = keys;
        this.virtualKeys = virtualKeys;
        this.accessLog = accessLog;
        this.metrics = metrics;
        this.chat = new ChatHandler(router, virtualKeys, metrics, maxBody, heartbeatNanos);
        this.responses = new ResponsesHandler(router, virtualKeys, chat, maxBody);
        this.embeddings = new EmbeddingsHandler(router, virtualKeys, maxBody);
        this.models = new ModelsHandler(router);
        this.readiness = new Readiness(router::distinctClients, readyNanos);
    }

    // ---- draining, for Gateway.stop()

    /** From now on, refuses new requests with 503 and reports not ready. */
    void beginDraining() {
        stopping = true;
        draining.countDown();
    }

    /** {@return a latch released when draining begins} */
    CountDownLatch draining() {
        return draining;
    }

    /** Waits until no request is in flight. @return whether that happened in time */
    boolean awaitIdle(long nanos) {
        idleLock.lock();
        try {
            while (metrics.inFlight.get() > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return metrics.inFlight.get() == 0;
        } finally {
            idleLock.unlock();
        }
    }

    /** Ends the open streams: each sends a final error event and cancels its upstream. */
    void cancelStreams() {
        chat.cancelStreams();
    }

    /** Cancels the readiness probes still running. */
    void closeProbes() {
        readiness.close();
    }

    /** Interrupts every request still running, which aborts its upstream call. */
    void interruptAll() {
        threads.forEach(Thread::interrupt);
    }

    // ---- requests

    @Override
    public void handle(Exchange ex) {
        long start = System.nanoTime();
        String path = ex.getRequestURI().getPath();
        boolean adminCall = AdminApi.owns(path) || path.equals("/metrics");
        if (adminCall) {
            admin.inFlight.incrementAndGet(); // before the total, so that the summary never counts it as traffic
        }
        metrics.inFlight.incrementAndGet();
        router.enter(); // the request finishes on the routes it starts with, whatever a reload does
        threads.add(Thread.currentThread());
        int status = 500;
        AccessLog.Entry entry = new AccessLog.Entry(Instant.now(), start);
        entry.method = ex.getRequestMethod();
        entry.path = path;
        entry.promptChars = accessLog.promptChars();
        try {
            entry.requestId = OpenAiWire.newId("req_");
            ex.getResponseHeaders().set("x-request-id", entry.requestId);
            status = dispatch(ex, path, entry);
        } catch (ApiError e) {
            status = HttpIo.sendError(ex, e);
        } catch (LlmException e) {
            ChatHandler.log(e);
            status = HttpIo.sendError(ex, UpstreamErrors.toApiError(e));
        } catch (JsonAccessException e) {
            status = HttpIo.sendError(ex, ApiError.invalid("Invalid request: " + e.getMessage(), e.path().isEmpty() ? null : e.path()));
        } catch (IOException e) {
            status = 499; // the client went away while we read or wrote
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "gateway: unexpected failure handling " + ex.getRequestMethod() + " " + path, e);
            status = HttpIo.sendError(ex, new ApiError(500, "server_error", "internal_error", null,
                    "The gateway failed to handle the request."));
        } finally {
            if (status != 200 && GatewayServer.clientLeft(ex)) {
                status = 499; // what was answered, if anything, went to nobody
            }
            if (status == 499) {
                metrics.clientDisconnected();
            }
            ex.close();
            // Probes, scrapes, the admin API and the dashboard are not logged, unless refused a key.
            boolean operational = path.startsWith("/health") || path.equals("/metrics") || AdminApi.owns(path);
            if (!operational || status == 401 || status == 403) {
                entry.status = status;
                entry.endNanos = System.nanoTime();
                JsonObject line = entry.json();
                accessLog.write(line);
                admin.record(entry, line);
            }
            metrics.request(path, status);
            threads.remove(Thread.currentThread());
            router.exit();
            int left = metrics.inFlight.decrementAndGet();
            if (adminCall) {
                admin.inFlight.decrementAndGet();
            }
            if (left == 0) {
                idleLock.lock();
                try {
                    idle.signalAll();
                } finally {
                    idleLock.unlock();
                }
            }
        }
    }

    private int dispatch(Exchange ex, String path, AccessLog.Entry entry) throws IOException {
        switch (path) {
            case "/health" -> {
                probeMethod(ex);
                return HttpIo.sendJson(ex, 200, JsonObject.newBuilder().put("status", "ok").build());
            }
            case "/health/ready" -> {
                probeMethod(ex);
                if (stopping) {
                    return HttpIo.sendJson(ex, 503, JsonObject.newBuilder().put("status", "stopping").build());
                }
                Readiness.Result r = readiness.check();
                return HttpIo.sendJson(ex, r.ready() ? 200 : 503, withShared(r.body()));
            }
            default -> { }
        }
        if (stopping) {
            throw ChatHandler.shuttingDown();
        }
        if (path.equals("/metrics")) {
            admin.authorizeMetrics(ex);
            method(ex, "GET");
            return HttpIo.sendText(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                    metrics.prometheus(router.distinctClients(), virtualKeys.spend().spend()));
        }
        if (AdminApi.owns(path)) {
            return admin.handle(ex, path);
        }
        if (!path.startsWith("/v1/")) {
            throw notFound(ex, path);
        }
        entry.key = authenticate(ex);
        switch (path) {
            case "/v1/chat/completions" -> {
                method(ex, "POST");
                return chat.handle(ex, entry);
            }
            case "/v1/responses" -> {
                method(ex, "POST");
                return responses.handle(ex, entry);
            }
            case "/v1/embeddings" -> {
                method(ex, "POST");
                return embeddings.handle(ex, entry);
            }
            case "/v1/models" -> {
                method(ex, "GET");
                return models.list(ex);
            }
            default -> {
                if (path.startsWith("/v1/models/") && path.length() > "/v1/models/".length()) {
                    method(ex, "GET");
                    return models.one(ex, path.substring("/v1/models/".length()));
                }
                throw notFound(ex, path);
            }
        }
    }

    /**
     * {@return the readiness body with the shared state's health, when there is Redis}: whether
     * it answers (asked at most once a second, within its command timeout, so that a flood of
     * probes cannot flood Redis) and its fallback counters, with {@code "degraded": true} while it
     * does not answer. Redis down does not make the instance unready: every instance would turn
     * unready at once, while each can still serve with its local fallbacks.
     */
    private JsonObject withShared(JsonObject body) {
        if (shared == null) {
            return body;
        }
        long now = System.nanoTime();
        long last = lastPing;
        if (now - last >= PING_EVERY_NANOS) {
            lastPing = now;
            shared.ping();
        }
        SharedState.Health h = shared.health();
        return body.toBuilder().put("degraded", !h.up()).put("shared", h.toJson()).build();
    }

    /** {@return the request's virtual key, or null when the gateway has none} @throws ApiError 401 for a missing or wrong key */
    private VirtualKey authenticate(Exchange ex) {
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        VirtualKey key = virtualKeys.enabled() ? virtualKeys.authenticate(authorization) : null;
        if (virtualKeys.enabled() ? key == null : keys.enabled() && !keys.accepts(authorization)) {
            metrics.authRejected();
            boolean missing = authorization == null;
            throw new ApiError(401, "invalid_request_error", missing ? null : "invalid_api_key", null, missing
                    ? "You didn't provide an API key. Provide it in an Authorization header using Bearer auth "
                            + "(Authorization: Bearer YOUR_KEY)."
                    : "Incorrect API key provided.")
                    .withHeader("WWW-Authenticate", "Bearer");
        }
        return key;
    }

    private static void method(Exchange ex, String allowed) {
        if (!ex.getRequestMethod().equals(allowed)) {
            throw new ApiError(405, "invalid_request_error", "method_not_allowed", null,
                    "Method " + ex.getRequestMethod() + " is not allowed here; use " + allowed + ".")
                    .withHeader("Allow", allowed);
        }
    }

    /** Health probes take GET and HEAD (HEAD answers the same status with no body). */
    private static void probeMethod(Exchange ex) {
        String m = ex.getRequestMethod();
        if (!m.equals("GET") && !m.equals("HEAD")) {
            throw new ApiError(405, "invalid_request_error", "method_not_allowed", null,
                    "Method " + m + " is not allowed here; use GET or HEAD.")
                    .withHeader("Allow", "GET, HEAD");
        }
    }

    private static ApiError notFound(Exchange ex, String path) {
        return new ApiError(404, "invalid_request_error", "unknown_url", null,
                "Invalid URL (" + ex.getRequestMethod() + " " + path + ").");
    }
}
