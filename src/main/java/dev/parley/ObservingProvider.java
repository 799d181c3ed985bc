package dev.parley;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.parley.internal.CallContext;
import dev.parley.internal.Failures;
import dev.parley.internal.InterruptibleCalls;
import dev.parley.internal.Jfr;
import dev.parley.internal.Scrub;
import dev.parley.internal.StreamTap;
import dev.parley.spi.Capability;
import dev.parley.spi.ForwardingProvider;
import dev.parley.spi.Provider;

/**
 * The outermost layer of an {@link Llm}: opens the call's {@link CallContext}, counts it in
 * {@link LlmMetrics}, tells the {@link LlmListener}, logs it through {@code System.Logger}
 * (never a key; prompt and completion text only when asked; no control character, so that
 * text from the network cannot forge log lines), and records a JDK Flight Recorder
 * event when {@code jdk.jfr} is present. Thread-safe.
 */
final class ObservingProvider extends ForwardingProvider {

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

    ObservingProvider(Provider delegate, LlmMetrics metrics, LlmListener listener, boolean logContent) {
        super(delegate);
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
    private final class Call implements Runnable, java.util.function.BiConsumer<String, Duration> {
        final CallInfo info;
        final long start = System.nanoTime();
        final AtomicInteger attempts = new AtomicInteger();

        Call(String operation, String model) {
            info = new CallInfo(ids.incrementAndGet(), operation, delegate().name(), model);
            metrics.started();
            try {
                listener.onStart(info);
            } catch (RuntimeException ignored) {
                // A listener must not break the call it observes.
            }
        }

        CallContext context() {
            return CallContext.current().withOnAttempt(this).withOnWait(this);
        }

        /** The call is about to wait. */
        @Override
        public void accept(String what, Duration wait) {
            try {
                listener.onWait(info, what, wait);
            } catch (RuntimeException ignored) {
                // A listener must not break the call it observes.
            }
        }

        /** An attempt starts. */
        @Override
        public void run() {
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

    private <T> T run(Call call, Supplier<T> work) {
        try {
            return call.context().call(work);
        } catch (LlmException e) {
            call.failed(e);
            throw e;
        } catch (RuntimeException e) {
            LlmException wrapped = LlmException.newBuilder(LlmException.Kind.SERVER_ERROR)
                    .provider(delegate().name())
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
    public ChatResponse chat(ChatRequest request) {
        Call call = new Call("chat", request.model());
        logPrompt(call, request);
        ChatResponse r = run(call, () -> delegate().chat(request));
        call.succeeded(r.usage(), r.requestId(), r.text());
        return r;
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        Call call = new Call("stream", request.model());
        logPrompt(call, request);
        CallContext context = call.context();
        ChatStream stream = run(call, () -> delegate().stream(request));
        return StreamTap.tap(ChatStream.of(stream::provider, subscriber -> context.call(() -> {
            stream.subscribe(subscriber);
            return null;
        })), new StreamTap.Listener() {
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
                        : LlmException.newBuilder(LlmException.Kind.STREAM_INTERRUPTED).provider(delegate().name())
                                .message("the stream failed: " + error).cause(error).build());
            }

            @Override
            public void onCancel() {
                call.failed(LlmException.newBuilder(LlmException.Kind.STREAM_INTERRUPTED).provider(delegate().name())
                        .message("the stream was cancelled by its subscriber").build());
            }
        });
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        Call call = new Call("embed", request.model());
        EmbeddingResponse r = run(call, () -> delegate().embed(request));
        call.succeeded(r.usage(), r.requestId(), null);
        return r;
    }

    @Override
    public List<ModelInfo> models() {
        Call call = new Call("models", null);
        List<ModelInfo> r = run(call, delegate()::models);
        call.succeeded(null, null, null);
        return r;
    }

    /** The attempt-counting wrapper: interruptible when its adapter is. */
    private interface Attempts extends Provider, InterruptibleCalls {
    }

    /** The innermost layer: tells the call's observer that the provider itself is being called. */
    static Provider attempts(Provider adapter) {
        return new Attempts() {
            @Override
            public boolean callsEndOnInterrupt() {
                return adapter instanceof InterruptibleCalls i && i.callsEndOnInterrupt();
            }

            @Override
            public String name() {
                return adapter.name();
            }

            @Override
            public Set<Capability> capabilities() {
                return adapter.capabilities();
            }

            @Override
            public ChatResponse chat(ChatRequest request) {
                CallContext.current().onAttempt().run();
                return adapter.chat(request);
            }

            @Override
            public ChatStream stream(ChatRequest request) {
                Runnable onAttempt = CallContext.current().onAttempt();
                ChatStream s = adapter.stream(request);
                return ChatStream.of(s::provider, subscriber -> {
                    onAttempt.run();
                    s.subscribe(subscriber);
                });
            }

            @Override
            public EmbeddingResponse embed(EmbeddingRequest request) {
                CallContext.current().onAttempt().run();
                return adapter.embed(request);
            }

            @Override
            public List<ModelInfo> models() {
                CallContext.current().onAttempt().run();
                return adapter.models();
            }
        };
    }
}
