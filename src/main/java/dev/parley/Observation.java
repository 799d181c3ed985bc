package dev.parley;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.parley.internal.Failures;
import dev.parley.internal.Jfr;
import dev.parley.internal.Scrub;
import dev.parley.internal.StreamTap;
import dev.parley.spi.CallScope;
import dev.parley.spi.Chain;
import dev.parley.spi.Policy;

/**
 * The outermost layer of an {@link Llm}: gives the call's scope its observer, counts it in
 * {@link LlmMetrics}, tells the {@link LlmListener}, logs it through {@code System.Logger}
 * (never a key; prompt and completion text only when asked; no control character, so that
 * text from the network cannot forge log lines), and records a JDK Flight Recorder
 * event when {@code jdk.jfr} is present. Thread-safe.
 */
final class Observation implements Policy {

    /**
     * System.Logger "dev.parley". Looking it up initialises the logging back end (with
     * java.util.logging, its LogManager and configuration: ~10-20 ms of a cold start), so it is
     * not done on the caller's thread while a call is being prepared: the first Llm built starts
     * the look-up on a short-lived daemon thread, and the first log statement, which comes after
     * a call's answer or failure, takes its result (or looks it up itself if it is not there yet).
     */
    private static final class Log implements Runnable {
        private static volatile System.Logger logger;
        private static volatile boolean started;

        static System.Logger get() {
            System.Logger l = logger;
            if (l == null) {
                // Idempotent: the finder returns the same logger (or an equivalent one) to every caller.
                try {
                    l = System.getLogger("dev.parley");
                } catch (RuntimeException | java.util.ServiceConfigurationError e) {
                    // A broken logging back end must not cost a call its answer, or leave a stream
                    // without its end: Parley then logs nothing, and says so once.
                    System.err.println("dev.parley: logging is off, System.getLogger failed: " + e);
                    l = Silent.INSTANCE;
                }
                logger = l;
            }
            return l;
        }

        static void prefetch() {
            if (logger == null && !started) {
                started = true;
                Thread t = new Thread(new Log(), "parley-logger-lookup");
                t.setDaemon(true);
                t.start();
            }
        }

        @Override
        public void run() {
            get();
        }
    }

    /** The logger used when the logging back end cannot be loaded: logs nothing. */
    private enum Silent implements System.Logger {
        INSTANCE;

        @Override
        public String getName() {
            return "dev.parley";
        }

        @Override
        public boolean isLoggable(Level level) {
            return false;
        }

        @Override
        public void log(Level level, java.util.ResourceBundle bundle, String msg, Throwable thrown) {
        }

        @Override
        public void log(Level level, java.util.ResourceBundle bundle, String format, Object... params) {
        }
    }

    private final LlmMetrics metrics;
    private final LlmListener listener;
    private final boolean logContent;
    private final AtomicLong ids = new AtomicLong();

    Observation(LlmMetrics metrics, LlmListener listener, boolean logContent) {
        this.metrics = metrics;
        this.listener = listener;
        this.logContent = logContent;
        Log.prefetch();
    }

    /**
     * One call in progress; run when one of its attempts starts. (The listener is called in
     * try blocks rather than through a lambda-taking helper: each lambda on the first call's
     * path costs a fresh JVM a class spun at run time, ~0.5 ms.)
     */
    private final class Call implements CallScope.Observer {
        final CallInfo info;
        final String provider;
        final long start = System.nanoTime();
        final AtomicInteger attempts = new AtomicInteger();

        Call(String operation, String provider, String model) {
            this.provider = provider;
            info = new CallInfo(ids.incrementAndGet(), operation, provider, model);
            metrics.started();
            try {
                listener.onStart(info);
            } catch (RuntimeException ignored) {
                // A listener must not break the call it observes.
            }
        }

        /** The call is about to wait. */
        @Override
        public void waiting(String what, Duration wait) {
            try {
                listener.onWait(info, what, wait);
            } catch (RuntimeException ignored) {
                // A listener must not break the call it observes.
            }
        }

        /** An attempt starts. */
        @Override
        public void attemptStarted() {
            int n = attempts.incrementAndGet();
            metrics.attempted();
            try {
                listener.onAttempt(info, n);
            } catch (RuntimeException ignored) {
                // A listener must not break the call it observes.
            }
        }

        void succeeded(Usage usage, String requestId, String completion) {
            long nanos = System.nanoTime() - start;
            metrics.succeeded(usage, nanos, attempts.get());
            try {
                listener.onEnd(info, usage == null ? Usage.ZERO : usage, Duration.ofNanos(nanos));
            } catch (RuntimeException ignored) {
                // A listener must not break the call it observes.
            }
            if (Log.get().isLoggable(Level.DEBUG)) {
                Log.get().log(Level.DEBUG, "{0} {1}/{2} ok in {3} ms, {4} attempt(s), tokens {5}+{6}{7}",
                        info.operation(), info.provider(), info.model(), nanos / 1_000_000, attempts.get(),
                        usage == null ? 0 : usage.inputTokens(), usage == null ? 0 : usage.outputTokens(),
                        requestId == null ? "" : " [request id " + Scrub.controls(requestId) + "]");
            }
            if (logContent && completion != null && Log.get().isLoggable(Level.TRACE)) {
                Log.get().log(Level.TRACE, "{0} #{1} completion: {2}", info.operation(), info.id(), Scrub.controls(completion));
            }
            Jfr.call(info.operation(), info.provider(), info.model(), nanos, attempts.get(), usage, null);
        }

        void failed(LlmException e) {
            long nanos = System.nanoTime() - start;
            metrics.failed(e.kind(), nanos);
            try {
                listener.onError(info, e, Duration.ofNanos(nanos));
            } catch (RuntimeException ignored) {
                // A listener must not break the call it observes.
            }
            if (Log.get().isLoggable(Level.DEBUG)) {
                Log.get().log(Level.DEBUG, "{0} {1}/{2} failed in {3} ms after {4} attempt(s): {5}",
                        info.operation(), info.provider(), info.model(), nanos / 1_000_000, attempts.get(),
                        Scrub.controls(e.getMessage()));
            }
            Jfr.call(info.operation(), info.provider(), info.model(), nanos, attempts.get(), null, e.kind().name());
        }
    }

    @Override
    public <Q, R> R call(Chain<Q, R> chain) {
        Object request = chain.request();
        Call call;
        if (request instanceof ChatRequest r) {
            call = new Call("chat", chain.provider(), r.model());
            logPrompt(call, r);
        } else if (request instanceof EmbeddingRequest r) {
            call = new Call("embed", chain.provider(), r.model());
        } else {
            call = new Call("models", chain.provider(), null);
        }
        R result = run(call, chain, chain.scope().withObserver(call));
        if (result instanceof ChatResponse r) {
            call.succeeded(r.usage(), r.requestId(), r.text());
        } else if (result instanceof EmbeddingResponse r) {
            call.succeeded(r.usage(), r.requestId(), null);
        } else {
            call.succeeded(null, null, null);
        }
        return result;
    }

    private <Q, R> R run(Call call, Chain<Q, R> chain, CallScope scope) {
        try {
            return chain.proceed(chain.request(), scope);
        } catch (LlmException e) {
            call.failed(e);
            throw e;
        } catch (RuntimeException e) {
            LlmException wrapped = LlmException.newBuilder(LlmException.Kind.SERVER_ERROR)
                    .provider(call.provider)
                    .message("unexpected failure inside Parley or a provider: " + Failures.describe(e))
                    .cause(e)
                    .build();
            call.failed(wrapped);
            throw wrapped;
        }
    }

    private void logPrompt(Call call, ChatRequest request) {
        if (logContent && Log.get().isLoggable(Level.TRACE)) {
            Log.get().log(Level.TRACE, "{0} #{1} prompt: {2}", call.info.operation(), call.info.id(),
                    Scrub.controls(request.messages().get(request.messages().size() - 1).text()));
        }
    }

    @Override
    public ChatStream stream(Chain<ChatRequest, ChatStream> chain) {
        ChatRequest request = chain.request();
        Call call = new Call("stream", chain.provider(), request.model());
        logPrompt(call, request);
        ChatStream stream = run(call, chain, chain.scope().withObserver(call));
        return StreamTap.tap(stream, new StreamTap.Listener() {
            private Usage usage;
            private String requestId;
            private final StringBuilder text = logContent ? new StringBuilder() : null;

            @Override
            public void onChunk(ChatChunk chunk) {
                metrics.chunk();
                if (chunk.usage() != null) {
                    usage = chunk.usage();
                }
                if (chunk.requestId() != null) {
                    requestId = chunk.requestId();
                }
                if (text != null) {
                    text.append(chunk.textDelta());
                }
                try {
                    listener.onChunk(call.info, chunk); // no lambda per chunk
                } catch (RuntimeException ignored) {
                    // a listener must not break the call it watches
                }
            }

            @Override
            public void onComplete() {
                call.succeeded(usage, requestId, text == null ? null : text.toString());
            }

            @Override
            public void onError(Throwable error) {
                call.failed(error instanceof LlmException e ? e
                        : LlmException.newBuilder(LlmException.Kind.STREAM_INTERRUPTED).provider(call.provider)
                                .message("the stream failed: " + error).cause(error).build());
            }

            @Override
            public void onCancel() {
                call.failed(LlmException.newBuilder(LlmException.Kind.STREAM_INTERRUPTED).provider(call.provider)
                        .message("the stream was cancelled by its subscriber").build());
            }
        });
    }
}
