package dev.parley.mcp;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * The JSON-RPC side of an MCP session: numbers requests, matches answers to them, reports
 * progress, answers the server's own requests and forwards its notifications. Thread-safe:
 * callers wait on their own thread; a connection delivers from its reader threads.
 */
final class Session {

    static final String PROVIDER = "mcp";

    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Runnable toolsChanged;
    private volatile Connection connection;
    /** Why the session ended; null while it is open. */
    private volatile LlmException closed;

    /** A request waiting for its answer. */
    private static final class Pending {
        final String method;
        final CompletableFuture<JsonObject> result = new CompletableFuture<>();
        final Consumer<McpProgress> progress;
        /** The last progress reported; guarded by this. */
        private double lastProgress = Double.NEGATIVE_INFINITY;

        Pending(String method, Consumer<McpProgress> progress) {
            this.method = method;
            this.progress = progress;
        }

        /**
         * Reports progress that moved forward. The protocol says it only grows: a report that
         * does not is a replay (a resumed stream can carry one twice) and is dropped.
         */
        synchronized void progress(McpProgress p) {
            if (progress == null || !(p.progress() > lastProgress)) {
                return;
            }
            lastProgress = p.progress();
            try {
                progress.accept(p);
            } catch (RuntimeException ignored) {
                // A listener's failure is its own; the call goes on.
            }
        }
    }

    Session(Runnable toolsChanged) {
        this.toolsChanged = toolsChanged;
    }

    void connection(Connection connection) {
        this.connection = connection;
    }

    /**
     * Sends a request and waits for its result.
     *
     * @param progress receives progress reports, or null to ask for none
     * @throws LlmException the server's error, a timeout (after telling the server the request is
     *     cancelled), an interrupt (likewise, and the interrupt flag stays set), or the end of
     *     the session
     */
    JsonObject request(String method, JsonObject params, Duration timeout, Consumer<McpProgress> progress) {
        long id = ids.incrementAndGet();
        JsonObject.Builder p = params == null ? JsonObject.newBuilder() : params.toBuilder();
        if (progress != null) {
            p.put("_meta", JsonObject.of("progressToken", JsonNumber.of(id)));
        }
        JsonObject message = JsonObject.newBuilder().put("jsonrpc", "2.0").put("id", id).put("method", method)
                .put("params", p.build()).build();
        // What the messages name: the method, and the tool for a tools/call.
        String what = params != null && params.members().get("name") instanceof JsonString name
                ? method + " \"" + name.value() + "\"" : method;
        Pending call = new Pending(what, progress);
        pending.put(id, call);
        try {
            LlmException end = closed;
            if (end != null) {
                throw copy(end);
            }
            connection.send(message, id);
            return call.result.get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof LlmException l ? copy(l) : error(Kind.SERVER_ERROR, what + " failed", e.getCause());
        } catch (TimeoutException e) {
            cancel(id, method, "timed out");
            throw error(Kind.TIMEOUT, "no answer to " + what + " within " + text(timeout)
                    + "; the request was cancelled", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel(id, method, "the caller was interrupted");
            throw error(Kind.TIMEOUT, what + " was interrupted (cancelled or past its deadline); the request was cancelled", e);
        } finally {
            pending.remove(id);
        }
    }

    /** Sends a notification; a failure to send one ends nothing and is not reported. */
    void notify(String method, JsonObject params) {
        JsonObject.Builder b = JsonObject.newBuilder().put("jsonrpc", "2.0").put("method", method);
        if (params != null) {
            b.put("params", params);
        }
        if (closed == null) {
            try {
                connection.send(b.build(), -1);
            } catch (LlmException ignored) {
                // The next request reports the broken connection.
            }
        }
    }

    private void cancel(long id, String method, String reason) {
        pending.remove(id);
        connection.abandon(id);
        if (method.equals("initialize")) {
            return; // the protocol forbids cancelling the handshake: the caller closes the connection
        }
        notify("notifications/cancelled", JsonObject.newBuilder().put("requestId", id).put("reason", reason).build());
    }

    /** {@return whether the answer to {@code id} is still awaited} */
    boolean awaits(long id) {
        return pending.containsKey(id);
    }

    /** Handles one message, or a batch of them, from the server. */
    void receive(JsonValue value) {
        if (value instanceof JsonArray batch) {
            for (JsonValue v : batch.values()) {
                receive(v);
            }
            return;
        }
        if (!(value instanceof JsonObject m)) {
            throw protocolError("a message that is not a JSON object: " + excerpt(Json.write(value)));
        }
        Map<String, JsonValue> f = m.members();
        if (f.get("method") instanceof JsonString method) {
            JsonValue params = f.get("params");
            if (f.containsKey("id")) {
                answer(f.get("id"), method.value(), params);
            } else {
                notification(method.value(), params instanceof JsonObject o ? o : JsonObject.of());
            }
            return;
        }
        if (!(f.get("id") instanceof JsonNumber n) || !n.isIntegerText()) {
            return; // an answer to no request of ours: ignored
        }
        Pending call = pending.get(n.longValue());
        if (call == null) {
            return; // too late (cancelled, timed out) or unknown: ignored
        }
        if (f.get("result") instanceof JsonObject result) {
            call.result.complete(result);
        } else if (f.get("error") instanceof JsonObject error) {
            call.result.completeExceptionally(rpcError(call.method, error));
        } else {
            call.result.completeExceptionally(protocolError("an answer to " + call.method
                    + " with neither a result object nor an error: " + excerpt(Json.write(m))));
        }
    }

    /** Fails the one request {@code id}, leaving the session open. */
    void fail(long id, LlmException e) {
        Pending call = pending.get(id);
        if (call != null) {
            call.result.completeExceptionally(e);
        }
    }

    /** Ends the session: every waiting request, and every later one, fails with {@code e}. */
    void fail(LlmException e) {
        if (closed == null) {
            closed = e;
        }
        for (Pending call : pending.values()) {
            call.result.completeExceptionally(closed);
        }
    }

    /** {@return why the session ended, or null while it is open} */
    LlmException closed() {
        return closed;
    }

    private void notification(String method, JsonObject params) {
        switch (method) {
            case "notifications/progress" -> {
                if (params.members().get("progressToken") instanceof JsonNumber token && token.isIntegerText()
                        && params.members().get("progress") instanceof JsonNumber progress) {
                    Pending call = pending.get(token.longValue());
                    if (call != null) {
                        double total = params.members().get("total") instanceof JsonNumber t ? t.doubleValue() : Double.NaN;
                        String message = params.members().get("message") instanceof JsonString s ? s.value() : null;
                        call.progress(new McpProgress(progress.doubleValue(), total, message));
                    }
                }
            }
            case "notifications/tools/list_changed" -> toolsChanged.run();
            default -> {
                // Logging, resource updates, the server's own cancellations: nothing to do.
            }
        }
    }

    /** Answers a request from the server: {@code ping}, and "method not found" for the rest. */
    private void answer(JsonValue id, String method, JsonValue params) {
        JsonObject.Builder reply = JsonObject.newBuilder().put("jsonrpc", "2.0").put("id", id);
        if (method.equals("ping")) {
            reply.put("result", JsonObject.of());
        } else {
            reply.put("error", JsonObject.newBuilder().put("code", -32601)
                    .put("message", "this client does not support " + method).build());
        }
        if (closed == null) {
            try {
                connection.send(reply.build(), -1);
            } catch (LlmException ignored) {
                // The next request reports the broken connection.
            }
        }
    }

    private static LlmException rpcError(String method, JsonObject error) {
        long code = error.members().get("code") instanceof JsonNumber n && n.isIntegerText() ? n.longValue() : 0;
        String message = error.members().get("message") instanceof JsonString s ? s.value() : null;
        Kind kind = switch ((int) code) {
            case -32601 -> Kind.UNSUPPORTED;
            case -32602, -32600, -32700 -> Kind.INVALID_REQUEST;
            case -32002 -> Kind.NOT_FOUND;
            default -> Kind.SERVER_ERROR;
        };
        return LlmException.newBuilder(kind).provider(PROVIDER)
                .message("the server answered " + method + " with error " + code)
                .errorCode(Long.toString(code)).providerMessage(message).retryable(false).build();
    }

    static LlmException protocolError(String what) {
        return LlmException.newBuilder(Kind.SERVER_ERROR).provider(PROVIDER)
                .message("the server broke the protocol: it sent " + what).retryable(false).build();
    }

    static LlmException error(Kind kind, String message, Throwable cause) {
        return LlmException.newBuilder(kind).provider(PROVIDER).message(message).cause(cause).build();
    }

    /** A copy thrown on the caller's thread, so that its stack trace shows the caller. */
    private static LlmException copy(LlmException e) {
        return e.toBuilder().cause(e.getCause() != null ? e.getCause() : e).build();
    }

    /** {@return a duration as people write it: 1.5s, 200ms, 2m} */
    static String text(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 120_000) {
            return (ms % 1000 == 0 ? Long.toString(ms / 1000) : Double.toString(ms / 1000.0)) + "s";
        }
        return d.toMinutes() + "m";
    }

    /** {@return the start of {@code text}, at most 200 characters, for an error message} */
    static String excerpt(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "... (" + text.length() + " characters)";
    }
}
