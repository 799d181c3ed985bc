package dev.parley.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.LlmException;
import dev.parley.Usage;
import dev.parley.gateway.GatewayServer.Exchange;
import dev.parley.gateway.Router.Target;
import dev.parley.internal.Failures;
import dev.parley.internal.TokenEstimate;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;

/**
 * Answers {@code POST /v1/chat/completions}, plainly or as a stream.
 *
 * <p>A stream's response headers are sent only once the upstream produced its first chunk, so
 * that a failure before any output (a rate limit, a bad request) is answered with its real
 * status and error body instead of a 200 stream holding an error. After that, each upstream
 * chunk is translated and flushed at once; a failure is sent as a final
 * {@code data: {"error":{...}}} event without {@code [DONE]}, as OpenAI does. While the upstream
 * is silent, an SSE comment line is sent every heartbeat interval: it keeps proxies from timing
 * the connection out. When the client leaves (the server sees its connection end and interrupts
 * this thread, or a write fails), the upstream stream is cancelled, which aborts its HTTP exchange,
 * and the request counts as 499.
 *
 * <p>Thread-safe: one instance serves every request; per-request state lives on the handler's
 * thread.
 */
final class ChatHandler {

    private static final System.Logger LOG = System.getLogger("dev.parley.gateway");
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEARTBEAT = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private final Router router;
    private final VirtualKeys keys;
    private final GatewayMetrics metrics;
    private final long maxBody;
    private final long heartbeatNanos;
    private final Set<ChunkPump> open = ConcurrentHashMap.newKeySet();

    ChatHandler(Router router, VirtualKeys keys, GatewayMetrics metrics, long maxBody, long heartbeatNanos) {
        this.router = router;
        this.keys = keys;
        this.metrics = metrics;
        this.maxBody = maxBody;
        this.heartbeatNanos = heartbeatNanos;
    }

    /**
     * Handles one request; the call is admitted for the entry's key before it goes upstream and
     * settled with its usage when it ends (a stream when it ends).
     *
     * @return the status sent @throws IOException if the client goes away
     */
    int handle(Exchange ex, AccessLog.Entry entry) throws IOException {
        JsonObject body = HttpIo.readJson(ex, maxBody);
        entry.prompt(body.get("messages").orElse(null));
        String asked = body.optString("model").orElse(null);
        String resolved = keys.dealias(asked);
        Target target = router.resolve(resolved);
        boolean openAiStyle = ChatRequests.OPENAI_STYLE.contains(target.llm().providerName());
        ChatRequest request = ChatRequests.parse(body, target.model(), openAiStyle);
        boolean stream = body.optBoolean("stream").orElse(false);
        boolean includeUsage = stream && body.optObject("stream_options")
                .flatMap(o -> o.optBoolean("include_usage")).orElse(false);
        String model = asked != null ? asked
                : target.llm().defaultModel() != null ? target.llm().defaultModel() : Router.DEFAULT;
        String id = OpenAiWire.newId("chatcmpl-");
        long created = Instant.now().getEpochSecond();
        VirtualKeys.Admission admission = keys.admit(entry, target, asked, resolved, TokenEstimate.prompt(request),
                request.maxTokens() != null ? request.maxTokens() : 0, true);
        if (!stream) {
            ChatResponse response = null;
            try {
                response = target.llm().chat(request);
            } finally { // whatever happens, the key's concurrency slot is freed
                admission.settleOrFail(response != null ? response.usage() : null);
            }
            entry.answer(response.text());
            return HttpIo.sendJson(ex, 200, OpenAiWire.completion(id, created, model, response));
        }
        ChunkTranslator translator = new ChunkTranslator(id, created, model, includeUsage);
        try {
            return stream(ex, target.llm().stream(request), new ChatFormat(translator), entry);
        } finally {
            // No usage: unknown if the stream produced output, nothing if it failed before any.
            Usage used = translator.usage();
            if (used == null && entry.firstTokenNanos < 0) {
                admission.failed();
            } else {
                admission.settle(used);
            }
        }
    }


    /**
     * How a stream's events are written: OpenAI's chat completion chunks, or the Responses API's
     * typed events. One per stream, used by the handler's thread.
     */
    interface StreamFormat {

        /** Writes the events for one upstream chunk. @throws IOException if the client goes away */
        void chunk(ChatChunk chunk, OutputStream out) throws IOException;

        /** Writes the events that end a complete stream. @throws IOException if the client goes away */
        void complete(OutputStream out) throws IOException;

        /** Writes the event that ends a failed stream. @throws IOException if the client goes away */
        void fail(ApiError error, OutputStream out) throws IOException;
    }

    /** Chat completion chunks as {@code data:} events, ending with {@code data: [DONE]}. */
    private record ChatFormat(ChunkTranslator translator) implements StreamFormat {

        @Override
        public void chunk(ChatChunk chunk, OutputStream out) throws IOException {
            for (JsonObject c : translator.translate(chunk)) {
                event(out, c);
            }
        }

        @Override
        public void complete(OutputStream out) throws IOException {
            for (JsonObject c : translator.end()) {
                event(out, c);
            }
            out.write(DONE);
        }

        @Override
        public void fail(ApiError error, OutputStream out) throws IOException {
            event(out, error.body());
        }
    }

    /**
     * Streams {@code upstream} to the client in {@code format}: headers once the first chunk came
     * (a failure before that is answered with its own status), heartbeats while the upstream is
     * silent, the upstream cancelled when the client leaves or the gateway stops.
     *
     * @return the status to count @throws IOException if the client goes away before the headers
     */
    int stream(Exchange ex, ChatStream upstream, StreamFormat format, AccessLog.Entry entry) throws IOException {
        ChunkPump pump = ChunkPump.subscribe(upstream);
        open.add(pump);
        metrics.streams.incrementAndGet();
        try {
            ChunkPump.Signal s = pump.poll(-1);
            if (s.kind() == ChunkPump.Kind.CHUNK) {
                entry.firstToken();
            }
            if (s.kind() == ChunkPump.Kind.ERROR) {
                throw asLlmException(s.error());
            }
            if (s.kind() == ChunkPump.Kind.CANCELLED) {
                throw shuttingDown();
            }
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.getResponseHeaders().set("X-Accel-Buffering", "no");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            try {
                while (true) {
                    switch (s.kind()) {
                        case CHUNK -> {
                            entry.answer(s.chunk().textDelta());
                            format.chunk(s.chunk(), out);
                        }
                        case TIMEOUT -> out.write(HEARTBEAT);
                        case COMPLETE -> {
                            format.complete(out);
                            out.flush();
                            return 200;
                        }
                        case ERROR -> {
                            LlmException e = asLlmException(s.error());
                            log(e);
                            format.fail(UpstreamErrors.toApiError(e), out);
                            out.flush();
                            return 200;
                        }
                        case CANCELLED -> {
                            if (GatewayServer.clientLeft(ex)) {
                                return 499;
                            }
                            format.fail(shuttingDown(), out);
                            out.flush();
                            return 200;
                        }
                    }
                    out.flush();
                    s = pump.poll(heartbeatNanos);
                }
            } catch (IOException gone) {
                LOG.log(Level.DEBUG, "stream: the client went away; cancelling the upstream stream");
                return 499;
            }
        } finally {
            pump.cancel();
            open.remove(pump);
            metrics.streams.decrementAndGet();
        }
    }

    /** Ends every open stream now: each sends a final error event and stops; for shutdown. */
    void cancelStreams() {
        open.forEach(ChunkPump::cancel);
    }

    private static void event(OutputStream out, JsonObject json) throws IOException {
        out.write(DATA);
        out.write(Json.writeBytes(json));
        out.write(END);
    }

    static ApiError shuttingDown() {
        return new ApiError(503, "server_error", "shutting_down", null, "The gateway is shutting down; retry elsewhere.")
                .withHeader("Connection", "close");
    }

    static LlmException asLlmException(Throwable t) {
        if (t instanceof LlmException e) {
            return e;
        }
        return LlmException.newBuilder(LlmException.Kind.STREAM_INTERRUPTED)
                .message("the upstream stream failed: " + Failures.describe(t)).cause(t).build();
    }

    /** Logs upstream failures that are the operator's to fix; never a key (Parley scrubs them from messages). */
    static void log(LlmException e) {
        Level level = switch (e.kind()) {
            case AUTHENTICATION, CONFIGURATION, PERMISSION_DENIED, QUOTA_EXCEEDED, BUDGET_EXCEEDED -> Level.WARNING;
            default -> Level.DEBUG;
        };
        LOG.log(level, "upstream failure: {0}", e.getMessage());
    }
}
