package dev.parley;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.parley.cache.CachePolicy;
import dev.parley.cache.CacheStore;
import dev.parley.cost.CostPolicy;
import dev.parley.cost.CostTracker;
import dev.parley.internal.LlmInternals;
import dev.parley.internal.Proxies;
import dev.parley.limit.RateLimitPolicy;
import dev.parley.retry.RetryPolicy;
import dev.parley.timeout.TimeoutPolicy;
import dev.parley.route.CircuitBreaker;
import dev.parley.route.FallbackPolicy;
import dev.parley.spi.CallScope;
import dev.parley.spi.Policy;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderFactory;
import dev.parley.spi.Ticker;

/**
 * The object applications hold: a provider wrapped in Parley's policies, with one-line calls.
 *
 * {@snippet :
 * Llm llm = Llm.fromEnv();                          // LLM_PROVIDER, OPENAI_API_KEY, ...
 * System.out.println(llm.chat("Say hello").text());
 *
 * try (ChatStream stream = llm.stream("Tell me a story")) {
 *     for (ChatChunk chunk : stream) {
 *         System.out.print(chunk.textDelta());
 *     }
 * }
 * }
 *
 * <p>Every call passes through the same layers, outermost first: observation (metrics,
 * listener, logging, JFR), validation, the layers you add ({@link Builder#policy}), cache, cost
 * and budget, fallback, circuit breaker, retry, rate limit, per-attempt timeout, and the
 * provider. So a cache hit costs no rate-limit permit and no money, and each retry takes a new
 * permit. Each layer is a {@link Policy}, and each is handed the call's
 * {@link dev.parley.spi.CallScope} (its deadline, its cache flag, its observer) explicitly.
 *
 * <p>An {@code Llm} is immutable and thread-safe: one instance serves any number of concurrent
 * callers, and virtual threads are the intended way to call it concurrently. Most share
 * Parley's one HTTP client; an {@code Llm} whose settings ask for a proxy or a connect timeout
 * has an HTTP client of its own, with a selector thread and connections that {@link #close()}
 * releases. Closing is harmless for the others, and an {@code Llm} that lives as long as the
 * application need not be closed.
 */
public final class Llm implements AutoCloseable {

    static {
        LlmInternals.register(llm -> llm.policies);
    }

    private final Provider stack;
    private final String providerName;
    private final String defaultModel;
    private final String embeddingModel;
    private final Integer defaultMaxTokens;
    private final Double defaultTemperature;
    private final Duration timeout;
    private final Ticker ticker;
    private final LlmMetrics metrics;
    private final CostPolicy cost;
    /** The HTTP client this {@code Llm} made for itself, which {@link #close()} shuts down; null when shared or given. */
    private final HttpClient ownClient;
    /** Its circuit breaker and rate limits, for the gateway's admin API; either may be null. */
    private final LlmInternals.Policies policies;
    private volatile boolean closed;

    private Llm(Provider stack, LlmMetrics metrics, CostPolicy cost, String providerName, String defaultModel,
                String embeddingModel, Integer defaultMaxTokens, Double defaultTemperature, Duration timeout, Ticker ticker,
                HttpClient ownClient, LlmInternals.Policies policies) {
        this.ownClient = ownClient;
        this.policies = policies;
        this.stack = stack;
        this.providerName = providerName;
        this.defaultModel = defaultModel;
        this.embeddingModel = embeddingModel;
        this.defaultMaxTokens = defaultMaxTokens;
        this.defaultTemperature = defaultTemperature;
        this.timeout = timeout;
        this.ticker = ticker;
        this.metrics = metrics;
        this.cost = cost;
    }

    /** {@return a builder with no provider yet} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /**
     * {@return a client configured from the environment}, with system properties of the same
     * names taking precedence ({@code -DLLM_PROVIDER=anthropic}). The README lists the variables.
     *
     * @throws ConfigurationException if a variable has a bad value, or the chosen provider's key is missing
     */
    public static Llm fromEnv() {
        return newBuilder().settings(Settings.fromEnvironment()).build();
    }

    // ---- chat

    /**
     * Sends one user message to the default model.
     *
     * @param prompt the user message
     * @return the answer
     * @throws LlmException if the call fails
     */
    public ChatResponse chat(String prompt) {
        return chat(ChatRequest.newBuilder().addMessage(Message.user(prompt)).build());
    }

    /**
     * Sends a request.
     *
     * @param request the request
     * @return the answer
     * @throws LlmException if the call fails
     */
    public ChatResponse chat(ChatRequest request) {
        return chat(request, CallOptions.defaults());
    }

    /**
     * Sends a request with per-call options.
     *
     * @param request the request
     * @param options options for this call only, such as its timeout
     * @return the answer
     * @throws LlmException if the call fails
     */
    public ChatResponse chat(ChatRequest request, CallOptions options) {
        ChatRequest r = withDefaults(request);
        return stack.chat(r, scope(options));
    }

    /**
     * Sends a request on a virtual thread. Cancelling the future (with or without interruption)
     * aborts the HTTP exchange.
     *
     * @param request the request
     * @return the answer, or an {@link LlmException} as the failure
     */
    public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
        return chatAsync(request, CallOptions.defaults());
    }

    /**
     * Like {@link #chatAsync(ChatRequest)}, with per-call options.
     *
     * @param request the request
     * @param options options for this call only, such as its timeout
     * @return the future answer
     */
    public CompletableFuture<ChatResponse> chatAsync(ChatRequest request, CallOptions options) {
        ChatRequest r = withDefaults(request);
        CallScope scope = scope(options);
        return Async.run(() -> stack.chat(r, scope));
    }

    /**
     * Streams the answer to one user message from the default model.
     *
     * @param prompt the user message
     * @return the stream, not yet started
     */
    public ChatStream stream(String prompt) {
        return stream(ChatRequest.newBuilder().addMessage(Message.user(prompt)).build());
    }

    /**
     * Streams the answer to a request.
     *
     * @param request the request
     * @return the stream, not yet started
     */
    public ChatStream stream(ChatRequest request) {
        return stream(request, CallOptions.defaults());
    }

    /**
     * Streams the answer to a request with per-call options.
     *
     * @param request the request
     * @param options options for this call only, such as its timeout
     * @return the stream, not yet started
     */
    public ChatStream stream(ChatRequest request, CallOptions options) {
        ChatRequest r = withDefaults(request);
        return stack.stream(r, scope(options));
    }

    // ---- structured answers

    /**
     * Sends a request and returns the answer as a record: the record's JSON schema goes to the
     * provider by its strongest means (see {@link ResponseFormat}), and the JSON answer is built
     * into the record. When the answer does not fit, the error goes back to the model once and its
     * second answer is used.
     *
     * {@snippet :
     * record Capital(String country, String city, int population) {}
     * Capital c = llm.chat(ChatRequest.of("gpt-4o-mini", "The capital of France?"), Capital.class);
     * }
     *
     * <p>The record's components may be strings, numbers, booleans, enums, {@code List},
     * {@code Map<String, T>}, {@code Optional}, records and sealed interfaces of records, described
     * with {@link dev.parley.schema.Description}; see {@link dev.parley.schema.JsonSchema}.
     *
     * @param request the request; its response format is replaced by the record's schema
     * @param type    the record to answer with
     * @param <T>     the type of the answer
     * @return the answer
     * @throws StructuredOutputException if the answer is not JSON or does not fit the record, even
     *         after the repair turn, or the model refused
     * @throws IllegalArgumentException if {@code type} is not a record, or has no JSON form
     * @throws LlmException if a call fails
     */
    public <T> T chat(ChatRequest request, Class<T> type) {
        return chat(request, type, StructuredOptions.defaults()).value();
    }

    /**
     * Like {@link #chat(ChatRequest, Class)}, with options, returning the response with the value.
     *
     * @param request the request; its response format is replaced by the record's schema
     * @param type    the record to answer with
     * @param options the number of repair turns, the schema's name, the per-call options
     * @param <T>     the type of the answer
     * @return the answer, its response and the number of requests made
     * @throws StructuredOutputException if the answer is not JSON or does not fit the record after
     *         the repair turns, or the model refused
     * @throws IllegalArgumentException if {@code type} is not a record, or has no JSON form
     * @throws LlmException if a call fails
     */
    public <T> Structured<T> chat(ChatRequest request, Class<T> type, StructuredOptions options) {
        Objects.requireNonNull(options, "options");
        return StructuredCalls.chat(r -> chat(r, options.callOptions()), request, type, options);
    }

    /**
     * Streams the answer to a request as a record: partial objects as its fields complete, then
     * the record. No repair turn is made.
     *
     * @param request the request; its response format is replaced by the record's schema
     * @param type    the record to answer with
     * @param <T>     the type of the answer
     * @return the stream, not yet started
     * @throws IllegalArgumentException if {@code type} is not a record, or has no JSON form
     */
    public <T> StructuredStream<T> stream(ChatRequest request, Class<T> type) {
        return stream(request, type, StructuredOptions.defaults());
    }

    /**
     * Like {@link #stream(ChatRequest, Class)}, with the schema's name and the per-call options
     * taken from {@code options}; its repair turns do not apply to streams.
     *
     * @param request the request; its response format is replaced by the record's schema
     * @param type    the record to answer with
     * @param options the schema's name and the per-call options
     * @param <T>     the type of the answer
     * @return the stream, not yet started
     * @throws IllegalArgumentException if {@code type} is not a record, or has no JSON form
     */
    public <T> StructuredStream<T> stream(ChatRequest request, Class<T> type, StructuredOptions options) {
        Objects.requireNonNull(options, "options");
        ChatRequest r = StructuredCalls.withSchema(request, type, options);
        return new StructuredStream<>(stream(r, options.callOptions()), type);
    }

    // ---- embeddings and models

    /**
     * Embeds texts with the default embedding model.
     *
     * @param inputs the texts to embed
     * @return one vector per text
     * @throws LlmException if the call fails
     */
    public EmbeddingResponse embed(List<String> inputs) {
        return embed(EmbeddingRequest.of(null, inputs));
    }

    /**
     * Embeds texts.
     *
     * @param request the texts and the model
     * @return one vector per text
     * @throws LlmException if the call fails
     */
    public EmbeddingResponse embed(EmbeddingRequest request) {
        EmbeddingRequest r = withEmbeddingModel(request);
        return stack.embed(r, scope(CallOptions.defaults()));
    }

    /**
     * Lists the provider's models.
     *
     * @return the models
     * @throws LlmException if the call fails
     */
    public List<ModelInfo> models() {
        return stack.models(scope(CallOptions.defaults()));
    }

    // ---- what the client is

    /** {@return the name of the primary provider, such as "openai"} */
    public String providerName() {
        return providerName;
    }

    /** {@return the model used when a request names none; null if none is set} */
    public String defaultModel() {
        return defaultModel;
    }

    /** {@return the client's counters} */
    public LlmMetrics metrics() {
        return metrics;
    }

    /** {@return the cost tracker: tokens and dollars per provider and model} */
    public CostTracker costs() {
        return cost.tracker();
    }

    /** {@return the whole stack of policies and provider as one {@link Provider}, for a gateway or a router} */
    public Provider asProvider() {
        // Name and capabilities are the stack's; calls go through this facade, so that defaults
        // and the client's timeout apply to them as to any other call, within the scope of the
        // call that reaches it (a router's or a gateway's deadline).
        Llm self = this;
        return new dev.parley.spi.ScopedProvider() {
            @Override
            public String name() {
                return stack.name();
            }

            @Override
            public java.util.Set<dev.parley.spi.Capability> capabilities() {
                return stack.capabilities();
            }

            @Override
            public ChatResponse chat(ChatRequest request, CallScope scope) {
                return stack.chat(withDefaults(request), within(scope));
            }

            @Override
            public ChatStream stream(ChatRequest request, CallScope scope) {
                return stack.stream(withDefaults(request), within(scope));
            }

            @Override
            public EmbeddingResponse embed(EmbeddingRequest request, CallScope scope) {
                return stack.embed(withEmbeddingModel(request), within(scope));
            }

            @Override
            public List<ModelInfo> models(CallScope scope) {
                return stack.models(within(scope));
            }

            @Override
            public String toString() {
                return self.toString();
            }
        };
    }

    /** {@return this client's scope for a call made within {@code outer}: the earlier deadline, the outer cache flag} */
    private CallScope within(CallScope outer) {
        CallScope mine = scope(outer.cacheEnabled() ? CallOptions.defaults() : CallOptions.defaults().withoutCache());
        return mine.withDeadline(outer.deadline());
    }

    private EmbeddingRequest withEmbeddingModel(EmbeddingRequest request) {
        return request.model() == null && embeddingModel != null ? request.withModel(embeddingModel) : request;
    }

    private ChatRequest withDefaults(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        boolean model = request.model() == null && defaultModel != null;
        boolean max = request.maxTokens() == null && defaultMaxTokens != null;
        boolean temp = request.temperature() == null && defaultTemperature != null;
        if (!model && !max && !temp) {
            return request;
        }
        ChatRequest.Builder b = request.toBuilder();
        if (model) {
            b.model(defaultModel);
        }
        if (max) {
            b.maxTokens(defaultMaxTokens);
        }
        if (temp) {
            b.temperature(defaultTemperature);
        }
        return b.build();
    }

    private CallScope scope(CallOptions options) {
        if (closed) {
            throw new IllegalStateException("this Llm was closed; build a new one");
        }
        Duration t = options.timeout() != null ? options.timeout() : timeout;
        return CallScope.of(ticker, t, options.cache());
    }

    /**
     * Closes this client: new calls fail with {@link IllegalStateException}, and the HTTP client it
     * made for itself (for a proxy or a connect timeout from its settings) shuts down, its
     * connections and selector thread ending once the calls in flight are done. An HTTP client
     * given to the builder, or Parley's shared one, is left open. Calling it again does nothing.
     */
    @Override
    public void close() {
        closed = true;
        if (ownClient != null) {
            ownClient.shutdown();
        }
    }

    @Override
    public String toString() {
        return "Llm[provider=" + providerName + ", model=" + defaultModel + "]";
    }

    /** Runs blocking work on a virtual thread as a future whose cancellation interrupts it. */
    private static final class Async<T> extends CompletableFuture<T> {
        private volatile Thread thread;

        static <T> CompletableFuture<T> run(Supplier<T> work) {
            Async<T> f = new Async<>();
            f.thread = Thread.ofVirtual().name("parley-async").start(() -> {
                try {
                    f.complete(work.get());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
            return f;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            Thread t = thread;
            if (cancelled && t != null) {
                t.interrupt();
            }
            return cancelled;
        }
    }

    /**
     * Configures an {@link Llm}. Each setter checks its argument at once; {@link #build()}
     * checks the whole. Not thread-safe.
     */
    public static final class Builder {
        private Provider provider;
        private String providerName;
        private ProviderConfig providerConfig;
        private Settings settings = new Settings(Map.of());
        private String defaultModel;
        private String embeddingModel;
        private Integer defaultMaxTokens;
        private Double defaultTemperature;
        private Duration timeout;
        private Ticker ticker = Ticker.system();
        private SettingsPolicies madeFromSettings;
        private CostPolicy cost;
        private LlmListener listener = new LlmListener() {
        };
        private Boolean logContent;
        private EnvironmentDefaults env = EnvironmentDefaults.NONE;
        private HttpClient httpClient;
        /** The client {@link #build()} made for a proxy or connect timeout, handed to the {@code Llm} it builds. */
        private HttpClient createdClient;
        private RetryPolicy retry;
        private TimeoutPolicy timeouts;
        private CircuitBreaker circuitBreaker;
        private final List<Fallback> fallbacks = new ArrayList<>();
        private final List<Policy> policies = new ArrayList<>();
        private CachePolicy cache;
        private RateLimitPolicy rateLimit;

        /** One fallback target: a provider, or a provider to make by name; and a model or null. */
        private record Fallback(Provider provider, String providerName, String model) {
        }

        private Builder() {
        }

        /**
         * Sets the retry policy. Default {@link RetryPolicy#ofDefaults()}: 3 attempts, jittered
         * exponential backoff from 500 ms, {@code Retry-After} honoured (env {@code LLM_MAX_RETRIES}).
         * {@code RetryPolicy.newBuilder().maxAttempts(1).build()} turns retries off.
         *
         * @param retry the retry policy
         * @return this builder
         */
        public Builder retry(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /**
         * Sets the per-attempt timeouts. Default: 10 minutes per attempt, 5 minutes to the first
         * chunk of a stream, 2 minutes between chunks (env {@code LLM_ATTEMPT_TIMEOUT},
         * {@code LLM_FIRST_CHUNK_TIMEOUT}, {@code LLM_IDLE_TIMEOUT}).
         *
         * @param timeouts the per-attempt timeouts
         * @return this builder
         */
        public Builder timeouts(TimeoutPolicy timeouts) {
            this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
            return this;
        }

        /**
         * Caches answers to identical requests (env {@code ENABLE_CACHE}, {@code CACHE_TTL},
         * {@code CACHE_MAX_ENTRIES}, {@code CACHE_DIR}). Default: no cache.
         *
         * @param cache the cache policy
         * @return this builder
         */
        public Builder cache(CachePolicy cache) {
            this.cache = Objects.requireNonNull(cache, "cache");
            return this;
        }

        /**
         * Limits requests, tokens and concurrency per provider, on the client side (env
         * {@code MAX_REQUESTS_PER_MINUTE}, {@code MAX_TOKENS_PER_MINUTE},
         * {@code MAX_CONCURRENT_REQUESTS}). Default: none.
         *
         * @param rateLimit the limits
         * @return this builder
         */
        public Builder rateLimit(RateLimitPolicy rateLimit) {
            this.rateLimit = Objects.requireNonNull(rateLimit, "rateLimit");
            return this;
        }

        /**
         * Adds a circuit breaker around the primary provider, inside the fallbacks (an open
         * circuit moves calls to them). Default: none, or the one the settings ask for: env
         * {@code LLM_CIRCUIT_BREAKER_FAILURES} (failures in a row that open the circuit; it turns
         * the breaker on), {@code LLM_CIRCUIT_BREAKER_COOL_DOWN} and
         * {@code LLM_CIRCUIT_BREAKER_PROBES}. A breaker given here stays this process's own; one
         * made from the settings is shared by a gateway's instances when the gateway has Redis
         * ({@link dev.parley.gateway.Gateway.Builder#redis}).
         *
         * @param circuitBreaker the circuit breaker
         * @return this builder
         */
        public Builder circuitBreaker(CircuitBreaker circuitBreaker) {
            this.circuitBreaker = Objects.requireNonNull(circuitBreaker, "circuitBreaker");
            return this;
        }

        /**
         * Adds a fallback, tried in order when the primary (after its retries) is unavailable,
         * failing, timing out or rate limited. It gets the same retry and timeout policies.
         *
         * @param provider the provider to fall back to
         * @param model    the model to ask it for, or null to keep the request's
         * @return this builder
         */
        public Builder fallback(Provider provider, String model) {
            fallbacks.add(new Fallback(Objects.requireNonNull(provider, "provider"), null, model));
            return this;
        }

        /**
         * Adds a fallback made by name from the settings, like {@link #provider(String)}
         * (env {@code LLM_FALLBACK}: a comma-separated list of {@code provider} or
         * {@code provider/model}).
         *
         * @param providerName such as "anthropic"
         * @param model        the model, or null for that provider's default model
         * @return this builder
         */
        public Builder fallback(String providerName, String model) {
            fallbacks.add(new Fallback(null, Objects.requireNonNull(providerName, "providerName").toLowerCase(Locale.ROOT), model));
            return this;
        }

        /**
         * Adds a layer of your own to every call: it runs after the request is checked and
         * before the cache, so it sees every call (a cache hit included) once, however many
         * attempts, fallbacks or retries follow below it. Layers added run in the order added,
         * the first the outermost. The stack, outermost first: observation (metrics, listener,
         * logging), validation, <em>your policies</em>, cache, cost and budget, fallback, circuit
         * breaker, retry, rate limit, per-attempt timeout, the provider.
         *
         * {@snippet :
         * Llm llm = Llm.newBuilder()
         *         .provider("openai")
         *         .policy(new Policy() {
         *             @Override
         *             public <Q, R> R call(Chain<Q, R> chain) {
         *                 audit.record(chain.operation(), chain.request());
         *                 return chain.proceed();
         *             }
         *         })
         *         .build();
         * }
         *
         * @param policy the layer
         * @return this builder
         */
        public Builder policy(Policy policy) {
            policies.add(Objects.requireNonNull(policy, "policy"));
            return this;
        }

        /**
         * Uses this provider (an adapter, a router, or a test double).
         *
         * @param provider the provider that answers the calls
         * @return this builder
         */
        public Builder provider(Provider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
            this.providerName = null;
            return this;
        }

        /**
         * Uses the provider made by the {@link ProviderFactory} called {@code name} ("openai",
         * "deepseek", "anthropic", "ollama", "openai-compatible", "azure-openai", "bedrock", or a third
         * party's), configured from the settings (keys, base URLs).
         *
         * @param name the provider's name, such as "openai"
         * @return this builder
         */
        public Builder provider(String name) {
            this.providerName = Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT);
            this.providerConfig = null;
            this.provider = null;
            return this;
        }

        /**
         * Uses the provider made by factory {@code name} from an explicit configuration.
         *
         * @param name the provider's name, such as "openai"
         * @param config the provider's configuration
         * @return this builder
         */
        public Builder provider(String name, ProviderConfig config) {
            provider(name);
            this.providerConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Applies environment-style settings, the same ones {@link Llm#fromEnv()} reads (see the
         * README's table), from a map: handy in tests. They fill in what no setter gives: a value
         * set in code always wins, whichever is called first. Values are checked at once.
         *
         * @param settings settings by name, such as {@code OPENAI_API_KEY}
         * @return this builder
         * @throws ConfigurationException if a value is malformed, naming the variable
         */
        public Builder settings(Map<String, String> settings) {
            return settings(new Settings(settings));
        }

        Builder settings(Settings s) {
            this.env = EnvironmentDefaults.parse(s);
            this.settings = s;
            return this;
        }

        /**
         * Sets the model used when a request names none.
         *
         * @param model the model used when a request names none
         * @return this builder
         */
        public Builder defaultModel(String model) {
            this.defaultModel = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * Sets the embedding model used when a request names none.
         *
         * @param model the embedding model used when a request names none
         * @return this builder
         */
        public Builder embeddingModel(String model) {
            this.embeddingModel = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * Sets {@code maxTokens} for requests without one (env {@code MAX_TOKENS}).
         *
         * @param maxTokens {@code maxTokens} for requests without one (env {@code MAX_TOKENS})
         * @return this builder
         */
        public Builder defaultMaxTokens(int maxTokens) {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("defaultMaxTokens must be at least 1, got " + maxTokens);
            }
            this.defaultMaxTokens = maxTokens;
            return this;
        }

        /**
         * Sets the temperature for requests without one, 0 to 2 (env {@code TEMPERATURE}).
         *
         * @param temperature the temperature for requests without one, 0 to 2 (env {@code TEMPERATURE})
         * @return this builder
         */
        public Builder defaultTemperature(double temperature) {
            if (!(temperature >= 0 && temperature <= 2)) {
                throw new IllegalArgumentException("defaultTemperature must be from 0 to 2, got " + temperature);
            }
            this.defaultTemperature = temperature;
            return this;
        }

        /**
         * Sets the overall deadline of each call, covering retries and waiting for permits
         * (env {@code LLM_TIMEOUT}). Default: none, so only the per-attempt timeouts apply.
         *
         * @param timeout the overall deadline of each call
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Sets the one source of time of the client: the call's deadline is measured on it, and
         * every policy this builder makes (the default retry and timeout policies, those made
         * from the settings, and the fallback policy) gets it. A policy given to this builder
         * keeps the ticker it was built with. Default {@link Ticker#system()}; tests give a
         * {@link dev.parley.testing.ManualTicker} (one that stands still until advanced: an
         * auto-advancing one would move the default timeout policy's time to every deadline).
         *
         * @param ticker the time source
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Sets the cost policy (prices, budget). Default: built-in prices, no budget.
         *
         * @param cost the cost policy
         * @return this builder
         */
        public Builder cost(CostPolicy cost) {
            this.cost = Objects.requireNonNull(cost, "cost");
            return this;
        }

        /**
         * Sets a listener for every call.
         *
         * @param listener a listener for every call
         * @return this builder
         */
        public Builder listener(LlmListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Logs prompts and completions at {@code TRACE} through {@code System.Logger}
         * ({@code dev.parley}). Off by default: they may hold personal data.
         *
         * @param logContent whether to log prompts and completions
         * @return this builder
         */
        public Builder logContent(boolean logContent) {
            this.logContent = logContent;
            return this;
        }

        /**
         * Sends with this {@link HttpClient} (when the provider is made by name).
         *
         * @param httpClient the HTTP client the provider sends with
         * @return this builder
         */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
            return this;
        }

        /**
         * {@return the client}
         *
         * @throws ConfigurationException if no provider is set, the provider is unknown, or its key is missing
         */
        public Llm build() {
            // Explicit setters win; then the settings; then Parley's defaults.
            SettingsPolicies fromSettings = settingsPolicies();
            RetryPolicy retryPolicy = first(retry, fromSettings.retry(), RetryPolicy.newBuilder().ticker(ticker).build());
            TimeoutPolicy timeoutPolicy = first(timeouts, fromSettings.timeouts(),
                    TimeoutPolicy.newBuilder().ticker(ticker).build());
            RateLimitPolicy limits = first(rateLimit, fromSettings.rateLimit(), null);
            CachePolicy cachePolicy = first(cache, fromSettings.cache(), null);
            CircuitBreaker breaker = first(circuitBreaker, fromSettings.breaker(), null);
            CostPolicy costPolicy = first(cost, env.cost(), null);
            if (costPolicy == null) {
                costPolicy = CostPolicy.newBuilder().build();
            }
            Provider adapter = provider;
            String model = defaultModel;
            String embeddings = embeddingModel;
            if (adapter == null) {
                ProviderFactory factory = ProviderSettings.factory(first(providerName, env.providerName(), "openai"));
                ProviderConfig config = providerConfig != null ? providerConfig : ProviderSettings.configFor(factory, settings, client());
                adapter = factory.create(config);
                model = first(model, ProviderSettings.defaultModel(factory, settings), null);
                embeddings = first(embeddings, ProviderSettings.defaultEmbeddingModel(factory, settings), null);
            } else {
                model = first(model, settings.get("LLM_MODEL"), null);
                embeddings = first(embeddings, settings.get("LLM_EMBEDDING_MODEL"), null);
            }
            LlmMetrics metrics = new LlmMetrics(costPolicy.tracker());
            // The layers, outermost first (see the class comment for why in this order).
            List<Policy> layers = new ArrayList<>();
            boolean log = first(logContent, env.logContent(), false);
            layers.add(new Observation(metrics, listener, log));
            layers.add(new Validation(adapter));
            layers.addAll(policies);
            if (cachePolicy != null) {
                layers.add(cachePolicy);
            }
            layers.add(costPolicy);
            List<Fallback> targets = new ArrayList<>(fallbacks);
            if (targets.isEmpty()) {
                for (EnvironmentDefaults.Fallback f : env.fallbacks()) {
                    targets.add(new Fallback(null, f.provider(), f.model()));
                }
            }
            if (!targets.isEmpty()) {
                FallbackPolicy.Builder fb = FallbackPolicy.newBuilder().ticker(ticker);
                for (Fallback f : targets) {
                    Provider p = f.provider();
                    String m = f.model();
                    if (p == null) {
                        ProviderFactory factory = ProviderSettings.factory(f.providerName());
                        p = factory.create(ProviderSettings.configFor(factory, settings, client()));
                        if (m == null) {
                            m = ProviderSettings.defaultModel(factory, settings);
                        }
                    }
                    fb.fallback(Policy.stack(p, resilient(timeoutPolicy, limits, retryPolicy)), m);
                }
                layers.add(fb.build());
            }
            if (breaker != null) {
                layers.add(breaker);
            }
            layers.addAll(resilient(timeoutPolicy, limits, retryPolicy));
            Provider stack = Policy.stack(adapter, layers);
            HttpClient own = createdClient;
            createdClient = null;          // a second build() makes its own, so that closing one leaves the other
            return new Llm(stack, metrics, costPolicy, adapter.name(), model, embeddings,
                    first(defaultMaxTokens, env.maxTokens(), null), first(defaultTemperature, env.temperature(), null),
                    first(timeout, env.timeout(), null), ticker, own,
                    new LlmInternals.Policies(breaker != null ? breaker : firstOf(CircuitBreaker.class),
                            limits != null ? limits : firstOf(RateLimitPolicy.class), circuitBreaker == null && breaker != null));
        }

        /** The policies the settings ask for, on a ticker; made once per settings and ticker. */
        private record SettingsPolicies(EnvironmentDefaults env, Ticker ticker, RetryPolicy retry,
                                        TimeoutPolicy timeouts, RateLimitPolicy rateLimit, CachePolicy cache,
                                        CircuitBreaker breaker) {
        }

        /**
         * {@return the policies the settings ask for, on this builder's ticker}: the same
         * instances for every {@code build()} with the same settings and ticker, so that clients
         * built from one builder share the cache, the rate limits and the circuit breaker the
         * settings made
         */
        private SettingsPolicies settingsPolicies() {
            SettingsPolicies p = madeFromSettings;
            if (p == null || p.env() != env || p.ticker() != ticker) {
                p = new SettingsPolicies(env, ticker,
                        env.retry() == null ? null : env.retry().ticker(ticker).build(),
                        env.timeouts() == null ? null : env.timeouts().ticker(ticker).build(),
                        env.rateLimit() == null ? null : env.rateLimit().ticker(ticker).build(),
                        env.cache() == null ? null : env.cache().ticker(ticker).build(),
                        env.circuitBreaker() == null ? null : env.circuitBreaker().ticker(ticker).build());
                madeFromSettings = p;
            }
            return p;
        }

        private static <T> T first(T explicit, T fromSettings, T fallback) {
            return explicit != null ? explicit : fromSettings != null ? fromSettings : fallback;
        }

        /** {@return the first of the layers added with {@link #policy} that is a {@code type}, or null} */
        private <T> T firstOf(Class<T> type) {
            for (Policy p : policies) {
                if (type.isInstance(p)) {
                    return type.cast(p);
                }
            }
            return null;
        }

        /** The layers each provider gets, outermost first: retries around rate limits around per-attempt timeouts. */
        private static List<Policy> resilient(TimeoutPolicy timeouts, RateLimitPolicy limits, RetryPolicy retry) {
            return limits == null ? List.of(retry, timeouts) : List.of(retry, limits, timeouts);
        }

        private HttpClient client() {
            if (httpClient != null) {
                return httpClient;
            }
            if (createdClient != null) {
                return createdClient;
            }
            Proxies proxies;
            try {
                proxies = Proxies.fromEnvironment(settings::get);
            } catch (IllegalArgumentException e) {
                throw Settings.config("HTTPS_PROXY", e.getMessage());
            }
            Duration connectTimeout = env.connectTimeout();
            if (proxies == null && connectTimeout == null) {
                return null;
            }
            HttpClient.Builder b = HttpClient.newBuilder();
            if (proxies != null) {
                b.proxy(proxies);
            }
            return createdClient = b
                    .connectTimeout(connectTimeout != null ? connectTimeout : dev.parley.http.Transport.DEFAULT_CONNECT_TIMEOUT)
                    .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
                    .build();
        }
    }
}
