package dev.parley.gateway;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;


import dev.parley.Llm;
import dev.parley.cache.CacheStore;
import dev.parley.cost.PriceTable;
import dev.parley.internal.ListenAddress;
import dev.parley.internal.redis.RedisSettings;
import dev.parley.internal.redis.SharedState;
import dev.parley.spi.Ticker;


/**
 * An OpenAI-compatible HTTP server in front of one or more {@link Llm} clients: any OpenAI
 * client library can call Anthropic, Ollama, DeepSeek ... through it, with Parley's policies
 * (retries, rate limits, budgets, metrics) applied on the way.
 *
 * {@snippet :
 * Gateway gateway = Gateway.newBuilder()
 *         .port(8080)
 *         .defaultRoute(Llm.newBuilder().provider("openai").build())
 *         .route("anthropic", Llm.newBuilder().provider("anthropic").build()) // "anthropic/claude-..."
 *         .route("fast", Llm.newBuilder().provider("openai").defaultModel("gpt-4o-mini").build()) // "fast"
 *         .apiKeys(Set.of(System.getenv("MY_GATEWAY_KEY")))
 *         .build()
 *         .start();
 * // clients use base URL gateway.uri().resolve("/v1"); on shutdown:
 * gateway.stop();
 * }
 *
 * <p>Endpoints: {@code POST /v1/chat/completions} and {@code POST /v1/responses} (OpenAI's
 * Responses API; both plain and streamed), {@code POST /v1/embeddings}, {@code GET /v1/models}, {@code GET /v1/models/{id}}; {@code GET /health}
 * (liveness), {@code GET /health/ready} (every route's provider answers; both also take {@code HEAD}), {@code GET /metrics}
 * (Prometheus). The {@code /v1} endpoints need a bearer key when {@linkplain Builder#apiKeys keys}
 * are set; health probes never do. How a model name picks a route is described on {@link Builder#route}.
 *
 * <p>Operations, with an {@linkplain Builder#adminKey admin key} ({@code Authorization: Bearer
 * <admin key>}; no key or a wrong one is 401, a client key 403):
 * <ul>
 * <li>{@code GET /metrics} needs it. Without an admin key, {@code /metrics} is open to anyone who
 *     can reach the gateway (the start log says so) and the endpoints below answer 404.</li>
 * <li>{@code GET /admin/summary}: {@code requests} ({@code total}, {@code errors} (status 400 or
 *     more), {@code server_errors}, {@code in_flight}, {@code streams_open}; the {@code /v1}
 *     requests that {@code parley_gateway_requests_total} counts), {@code last_minute}
 *     ({@code requests}, {@code errors}, {@code requests_per_second}, {@code per_second}: 60
 *     counts, oldest first), {@code latency_ms} and {@code ttft_ms} ({@code samples},
 *     {@code p50}, {@code p90}, {@code p99}, {@code max}, over the last 1000 requests no older
 *     than five minutes), and {@code spend} ({@code total_usd}, {@code requests},
 *     {@code by_key} and {@code by_model}: what virtual keys were charged, the same numbers as
 *     {@code parley_gateway_key_cost_usd_total}).</li>
 * <li>{@code GET /admin/keys}: each virtual key's {@code name}, {@code owner}, {@code team},
 *     {@code models}, {@code limits}, {@code budget}, {@code usage} ({@code requests},
 *     {@code input_tokens}, {@code output_tokens}) and {@code spend} ({@code today_usd},
 *     {@code month_usd}, {@code total_usd}; UTC), never its key or hash; keys removed from the
 *     file that spent are listed with {@code "configured": false}.</li>
 * <li>{@code GET /admin/requests?limit=50}: the access-log lines of the last requests (1 to
 *     1000, newest first), kept in memory; they never hold a prompt or an answer.</li>
 * <li>{@code GET /admin/upstreams}: each distinct route client: its names, provider, default
 *     model, circuit breaker ({@code state} and counters, and {@code shared}: with Redis, the
 *     state every instance shares, its {@code name}, {@code state} (null while Redis cannot
 *     answer) and {@code open_for_ms}; or null), rate limits (the limits,
 *     {@code granted}, {@code rejected}, {@code waiting}, {@code in_flight}, or null) and its
 *     {@code Llm.metrics()}.</li>
 * <li>{@code GET /dashboard}: one static page, with its own script and styles from Parley's jar
 *     and a {@code Content-Security-Policy} that allows nothing from another origin. The page
 *     holds no data and is served without the key: its script asks the admin API every few
 *     seconds with the key the user types in, or gives in the address's fragment
 *     ({@code /dashboard#key=...}, which browsers never send), kept in the tab's
 *     {@code sessionStorage}. It shows the request rate, errors, latency and time-to-first-token
 *     percentiles, spend per key and per model, each upstream's breaker and limits, and the last
 *     requests.</li>
 * </ul>
 * The admin API's and the dashboard's own requests, metrics scrapes and health probes are not
 * logged nor counted as traffic, except those refused for their key.
 *
 * <p>Decisions a client may notice:
 * <ul>
 * <li>Requests: unknown fields are ignored, except a few OpenAI sampling fields
 *     ({@code frequency_penalty}, {@code presence_penalty}, {@code logit_bias},
 *     {@code parallel_tool_calls}, {@code reasoning_effort}) forwarded as the request's
 *     {@code extra} when the route's provider speaks OpenAI's format (openai, deepseek,
 *     openai-compatible, azure-openai). Forwarding anything else is unsafe: {@code extra} may
 *     override Parley's own fields, other providers reject unknown fields, and some fields change
 *     the bill ({@code service_tier}). Fields the gateway cannot honour ({@code n} above 1,
 *     {@code logprobs}, the legacy {@code functions}, {@code audio}) are refused with 400.</li>
 * <li>Answers echo the model name the client asked for (alias or prefix included); ids are the
 *     gateway's own ({@code chatcmpl-...}), and every answer carries an {@code x-request-id}.
 *     DeepSeek-style {@code reasoning_content} carries reasoning text; signed or redacted
 *     reasoning blocks cannot travel in OpenAI's format and are dropped.</li>
 * <li>Streams send their headers only once the first upstream chunk is there, so an early
 *     failure gets its real status; later failures end the stream with a
 *     {@code data: {"error":...}} event and no {@code [DONE]}. Silent upstreams get an SSE
 *     comment every {@linkplain Builder#streamHeartbeat heartbeat}.</li>
 * <li>A client that closes its connection while its request runs (a plain call, or a stream
 *     before or after its first chunk) is noticed at once, and its upstream call is cancelled;
 *     it is counted as status 499 and a client disconnect.</li>
 * <li>Hostile clients: the gateway runs its own HTTP/1.1 server, not the JDK's, so that it can
 *     cap open connections ({@linkplain Builder#maxConnections in all},
 *     {@linkplain Builder#maxConnectionsPerAddress per client address}) and put a deadline on
 *     each phase of a request ({@linkplain Builder#headerTimeout headers},
 *     {@linkplain Builder#bodyTimeout body}, {@linkplain Builder#idleTimeout idle keep-alive and
 *     stalled writes}). Requests are parsed strictly: a request with both {@code Content-Length}
 *     and {@code Transfer-Encoding}, conflicting lengths or folded headers is refused with 400;
 *     more than 100 header lines or 64 KiB of head with 431.</li>
 * <li>Errors are OpenAI-shaped, {@code {"error":{"message","type","param","code"}}}. Upstream
 *     errors keep their meaning where the client can act (400, 403, 404, 429 with
 *     {@code Retry-After}, 503, 504); an upstream authentication failure is 502, because the
 *     gateway's key was refused, not the client's; quota and budget exhaustion are 429
 *     {@code insufficient_quota}, as OpenAI answers; other upstream failures are 502. The
 *     provider's message is passed on except where it describes the gateway's own account.</li>
 * <li>Virtual keys ({@link Builder#configFile}): a key's request for a model it may not use is
 *     403 {@code model_not_allowed}; over its rate limit, 429 {@code rate_limit_exceeded} with
 *     {@code Retry-After}; over its budget, 402 {@code insufficient_quota}, not 429, so that
 *     clients do not retry what only more budget fixes. All three are answered before any
 *     upstream call.</li>
 * <li>Several instances ({@link Builder#redis}): virtual keys' rate limits, requests at once,
 *     budgets and spend are kept in one Redis that every instance shares, so that two instances
 *     with a key limited to 60 requests a minute admit 60 between them; the routes' response
 *     caches can share it too ({@link Builder#redisCacheStore()}). While Redis cannot be reached,
 *     no command to it waits longer than a second: limits are enforced by each instance alone at
 *     the limit divided by the number of instances, calls with a budget are refused with 503
 *     (or allowed untracked, as configured), the cache misses. {@code /health/ready} then adds
 *     {@code "degraded": true} and {@code "shared": {"redis": "down", ...}} but stays ready, since
 *     every instance would turn unready at once. A route's circuit breaker is shared too when
 *     it comes from the route's settings (the file's {@code circuit_breaker}, or
 *     {@code LLM_CIRCUIT_BREAKER_FAILURES} ...): its state is kept in Redis under the route's
 *     name, so that failures seen by one instance open the circuit on all (which then answer
 *     503 with {@code Retry-After} at once, or use the route's fallbacks) and a half-open
 *     circuit's probes are counted across instances; while Redis cannot be reached, each
 *     instance's breaker decides alone, from the state it last saw. A breaker given in code
 *     ({@code Llm.Builder.circuitBreaker}) stays local to each instance.</li>
 * <li>Metrics: each route's {@code Llm.metrics()} appears with a {@code route} label (a client
 *     configured under several names once, under its first name), followed by
 *     {@code parley_gateway_*} counters: requests by path and status, client disconnects,
 *     rejected keys, requests in flight, open streams; with virtual keys, what each spent (with
 *     Redis, what the whole team spent); with Redis, {@code parley_gateway_redis_up} and how often
 *     each kind of state fell back; and histograms of the {@code /v1}
 *     requests labelled {@code route} (a client under several names with its first, as
 *     above), {@code model} and {@code key} (the virtual key's name):
 *     {@code parley_gateway_request_duration_seconds},
 *     {@code parley_gateway_time_to_first_token_seconds} (streams) and
 *     {@code parley_gateway_output_tokens_per_second}. A label without a value is {@code "-"}.
 *     So that clients cannot make up series, {@code model} is the name the client sent only
 *     when the gateway knows it (a route's name or default model, an alias of the
 *     configuration file, or one of the first 200 names an upstream answered with success),
 *     else {@code "other"}; a request no route took has {@code "-"}.</li>
 * </ul>
 *
 * <h2>The configuration file</h2>
 *
 * <p>{@link Builder#configFile} gives the gateway one JSON file for its virtual keys, model
 * aliases, routes and access-log settings; {@code parley serve --config FILE} reads the same
 * file. Every field but {@code keys} may be left out. A complete example:
 *
 * {@snippet lang="json" :
 * {"keys": [
 *    {"name": "app-1", "hash": "sha256:1460db1b6902f8b1fc2a40d9381a24d0fd22c3bc1b2c6f999c521da73776fbe0",
 *     "owner": "ana@example.com", "team": "search", "models": ["fast", "smart/*"],
 *     "limits": {"rpm": 60, "tpm": 100000, "concurrency": 4},
 *     "budget": {"daily": 5.0, "monthly": 50.0, "total": null}}],
 *  "aliases": {"fast": "cheap/gpt-4o-mini"},
 *  "routes": {
 *    "smart": {"provider": "anthropic", "model": "claude-sonnet-4-5", "api_key_env": "ANTHROPIC_API_KEY",
 *              "timeout": "120s", "retries": 2, "limits": {"rpm": 500, "tpm": 400000, "concurrency": 32},
 *              "circuit_breaker": {"failures": 5, "cool_down": "30s", "probes": 1},
 *              "fallback": ["cheap/gpt-4o"]},
 *    "cheap": {"provider": "openai", "model": "gpt-4o-mini", "api_key_file": "/run/secrets/openai-key",
 *              "cache": {"ttl": "1h", "max_entries": 10000}},
 *    "local": {"provider": "ollama", "base_url": "http://127.0.0.1:11434", "model": "llama3.2",
 *              "settings": {"LLM_IDLE_TIMEOUT": "5m"}}},
 *  "default_route": "cheap",
 *  "log": {"prompts": false, "max_chars": 4096}}
 * }
 *
 * <ul>
 * <li>{@code keys}: see {@link Builder#configFile}; {@code aliases} map a name clients send to the
 *     model it stands for, which the routes then take.</li>
 * <li>{@code routes}, by name (1 to 64 letters, digits, '.', '_', ':' or '-'; not "default"):
 *     {@code provider} (required: openai, anthropic, gemini, deepseek, ollama, openai-compatible,
 *     azure-openai, bedrock or a third party's), {@code model}, {@code embedding_model},
 *     {@code base_url}; the key from {@code api_key_env} (the name of an environment variable
 *     holding it) or {@code api_key_file} (the path of a file holding it); {@code timeout},
 *     {@code attempt_timeout}, {@code first_chunk_timeout}, {@code idle_timeout},
 *     {@code connect_timeout} (durations: {@code "30s"}, {@code "500ms"}, or seconds),
 *     {@code retries}, {@code limits} ({@code rpm}, {@code tpm}, {@code concurrency}: the route's
 *     own client-side limits), {@code cache} ({@code true}, or {@code ttl}, {@code max_entries},
 *     {@code dir}), {@code circuit_breaker} ({@code failures}: how many failures in a row open
 *     the circuit, 1 to 1000, required; {@code cool_down}: how long it stays open, 1 ms to 24 h,
 *     default 30 s; {@code probes}: calls let through when half-open, 1 to 100, default 1; see
 *     {@link dev.parley.route.CircuitBreaker}: an open circuit answers 503 with
 *     {@code Retry-After}, or moves calls to the route's {@code fallback}), {@code max_tokens},
 *     {@code temperature}, {@code budget_usd},
 *     {@code max_response_bytes}, {@code fallback} (other routes, {@code "route"} or
 *     {@code "route/model"}, tried in order when this one is unavailable, under this route's
 *     policies) and {@code settings} (any other setting of the README's Configuration table by its
 *     variable name, such as {@code "OPENAI_API": "responses"}). Each maps onto the setting
 *     {@link Llm.Builder#settings} reads ({@code timeout} is {@code LLM_TIMEOUT}, {@code retries}
 *     {@code LLM_MAX_RETRIES} ...), with the same defaults. A route takes nothing else from the
 *     environment but the proxy settings, {@code LLM_USER_AGENT} and {@code AWS_*} (Bedrock);
 *     the environment is {@link Builder#environment}'s.</li>
 * <li>No key ever goes in the file: a field such as {@code api_key}, a setting such as
 *     {@code OPENAI_API_KEY}, or a value that starts like a provider's key ({@code sk-...}) is
 *     refused, with a message pointing to {@code api_key_env} and {@code api_key_file}, and
 *     without repeating the value.</li>
 * <li>{@code default_route} takes every model no route name takes; without it such a model is
 *     404 {@code model_not_found}. Routes in the file replace every route given to the builder;
 *     a file without {@code routes} leaves the builder's in use.</li>
 * <li>{@code log}: {@code prompts} puts each request's prompt and answer in its access-log line
 *     (see {@link Builder#logPrompts}, over which it wins), cut to {@code max_chars} characters
 *     (default 4096).</li>
 * <li>Checks: {@link Builder#build()} reads the file and makes every route's client; every
 *     problem is reported at once in one {@link dev.parley.ConfigurationException}, each with
 *     its line and field ({@code line 9: routes.smart.timeout: ...}). Unknown fields are
 *     errors.</li>
 * <li>Reloads (when the file changes, and on {@link #reloadConfig()}): the new file is checked
 *     and its routes' clients made first, keeping the client of every route whose settings (and
 *     key) did not change, so that its limits, cache, circuit and metrics carry on; a changed
 *     route gets a new client, whose counters start from zero. Only when all of it is good are
 *     the routes, keys, aliases and log settings swapped in; a file with any problem is logged
 *     and nothing changes. Requests already running finish on the clients they started with,
 *     and clients no longer in use are closed once those requests have ended.</li>
 * </ul>
 *
 * <p>Each connection runs on its own virtual thread, its requests one after another.
 * {@link #stop()} is graceful: new requests are
 * refused with 503 and {@code Connection: close} (and readiness turns 503, so load balancers
 * move away), running requests and streams may finish within the
 * {@linkplain Builder#shutdownGrace grace period}; streams still open after it get a final error
 * event and their upstream is cancelled, other requests are interrupted; then the listener,
 * every connection and the connections to Redis are closed. The listening socket stays open
 * during the grace period only to refuse politely.
 *
 * <p>Thread-safe. A gateway starts once; nothing happens until {@link #start()}.
 */
public final class Gateway implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.parley.gateway");

    private enum State { NEW, RUNNING, STOPPED }

    private final String host;
    private final int port;
    private final Router router;
    private final ApiKeys keys;
    private final Duration grace;
    private final ServerLimits limits;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final Dispatcher dispatcher;
    private final VirtualKeys virtualKeys;
    private final KeysFileWatcher watcher;
    private final AccessLog accessLog;
    /** The routes given to the builder: used when the configuration file has none. */
    private final Map<String, Llm> givenRoutes;
    private final Llm givenDefault;
    private final Map<String, String> environment;
    private final boolean logPrompts;
    /** Serializes putting a configuration in use with stop(); guards {@link #built} and {@link #closed}. */
    private final ReentrantLock configLock = new ReentrantLock();
    /** The clients made from the file's routes now in use, or null when the routes are the builder's. */
    private ConfiguredRoutes.Built built;
    private boolean closed;
    private final AdminApi admin;
    /** The state shared with other instances through Redis, owned by this gateway; null without Redis. */
    private final SharedState shared;
    /** The routes' circuit breakers shared through Redis; null without Redis. */
    private final SharedCircuits circuits;
    /** The Redis-backed key limits, whose lease renewals run while the gateway does; null if not in use. */
    private final RedisKeyLimits redisLimits;
    /** Guards the lifecycle; held by start() and for the whole of stop(). Request threads never take it. */
    private final ReentrantLock lock = new ReentrantLock();
    private State state = State.NEW;
    private volatile GatewayServer local;

    private Gateway(Builder b, KeysConfig config, SharedState shared) {
        this.host = b.host;
        this.port = b.port;
        this.givenRoutes = new LinkedHashMap<>(b.routes);
        this.givenDefault = b.defaultRoute;
        this.environment = b.environment != null ? b.environment : System.getenv();
        this.logPrompts = b.logPrompts;
        this.built = config == null || config.routes() == null ? null
                : ConfiguredRoutes.build(config.routes(), environment, null, config, sharedCache(shared));
        this.router = new Router(table(config, built));
        this.keys = b.keys;
        this.grace = b.shutdownGrace;
        this.limits = new ServerLimits(b.maxConnections, b.maxConnectionsPerAddress, b.headerTimeout.toNanos(),
                b.bodyTimeout.toNanos(), b.idleTimeout.toNanos());
        this.shared = shared;
        this.circuits = shared == null ? null : new SharedCircuits(shared.circuits());
        this.redisLimits = b.keyLimits == null && shared != null ? new RedisKeyLimits(shared.limiter(), b.leaseTtl) : null;
        KeyLimits keyLimits = b.keyLimits != null ? b.keyLimits : redisLimits != null ? redisLimits : new LocalKeyLimits(b.ticker);
        SpendStore spend = b.spendStore != null ? b.spendStore
                : shared != null ? new RedisSpendStore(shared.budgets(), this::keyNames) : new LocalSpendStore();
        this.virtualKeys = new VirtualKeys(config, keyLimits, spend, b.prices, b.ticker);
        this.watcher = b.configFile == null ? null : new KeysFileWatcher(b.configFile, this::apply);
        this.accessLog = b.accessLog != null ? AccessLog.to(b.accessLog) : AccessLog.toLogger();
        accessLog.promptChars(promptChars(config));
        metrics.accessLogDropped = accessLog::dropped;
        if (b.adminKey != null && (keys.accepts("Bearer " + b.adminKey) || virtualKeys.authenticate("Bearer " + b.adminKey) != null)) {
            throw new IllegalStateException("the admin key is also a client key; give the admin key a value of its own");
        }
        this.admin = new AdminApi(b.adminKey, router, keys, virtualKeys, metrics, b.ticker);
        if (shared != null) {
            metrics.redis = shared::health;
        }
        this.dispatcher = new Dispatcher(router, keys, virtualKeys, accessLog, metrics, admin, b.maxRequestBytes,
                b.streamHeartbeat.toNanos(), b.readyTimeout.toNanos(), shared);
        if (circuits != null) {
            circuits.attach(router.routes()); // last: nothing above may fail once the breakers are shared
        }
    }

    /** {@return the store the file's routes cache in when they turn caching on: Redis's, or null for their own} */
    private static CacheStore sharedCache(SharedState shared) {
        return shared == null ? null : shared.cacheStore();
    }

    /** {@return the names of the virtual keys configured now, whose team-wide spend /metrics reports} */
    private java.util.Collection<String> keyNames() {
        return virtualKeys.names();
    }

    /**
     * {@return the value of a key's {@code hash} field in a {@linkplain Builder#configFile configuration file}:
     * {@code sha256:} and the hex SHA-256 digest of the key's UTF-8 bytes}
     *
     * @param key the plain key a client will send as {@code Authorization: Bearer <key>}
     * @throws IllegalArgumentException if the key is empty or holds whitespace
     */
    public static String keyHash(String key) {
        if (key == null || key.isEmpty() || key.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("keyHash: a key must be non-empty and hold no whitespace");
        }
        return KeysConfig.hash(key);
    }

    /**
     * {@return the routes a configuration puts in use}: the file's when it has some ({@code built}),
     * else those given to the builder
     *
     * @throws dev.parley.ConfigurationException if neither has a route
     */
    private Router.Table table(KeysConfig config, ConfiguredRoutes.Built fromFile) {
        if (fromFile != null) {
            return new Router.Table(fromFile.routes(), fromFile.defaultRoute(), fromFile.routes().values());
        }
        if (givenRoutes.isEmpty() && givenDefault == null) {
            throw config.problems(List.of("routes: missing; this gateway was given no other routes, so the file must have them"));
        }
        return new Router.Table(givenRoutes, givenDefault, List.of());
    }

    /** {@return how many characters of prompts and answers the access log holds under {@code config}; 0 for none} */
    private int promptChars(KeysConfig config) {
        Boolean fromFile = config == null ? null : config.logPrompts();
        boolean on = fromFile != null ? fromFile : logPrompts;
        return !on ? 0 : config != null ? config.logChars() : KeysConfig.DEFAULT_LOG_CHARS;
    }

    /**
     * Puts a reloaded configuration in use, as a whole or not at all: the file's routes are made
     * first (keeping the clients of routes that did not change), and only when every one could be
     * made are the routes, the keys and the log settings swapped in. Requests already running
     * finish on the routes they started with; clients no longer used are closed after them.
     *
     * @return what to log about it
     * @throws dev.parley.ConfigurationException if its routes cannot be made; nothing changed
     */
    private String apply(KeysConfig next) {
        configLock.lock();
        try {
            if (closed) {
                throw next.problems(List.of("not used: the gateway has stopped"));
            }
            if (admin.isAmong(next.keys())) {
                throw next.problems(List.of("a key's hash is the admin key's; give the admin key a value of its own"));
            }
            if (next.routes() == null && givenRoutes.isEmpty() && givenDefault == null) {
                table(next, null); // throws: no routes at all
            }
            ConfiguredRoutes.Built nextBuilt = next.routes() == null ? null
                    : ConfiguredRoutes.build(next.routes(), environment, built, next, sharedCache(shared));
            Router.Table nextTable = table(next, nextBuilt);
            if (circuits != null) {
                circuits.attach(nextTable.routes());
            }
            router.replace(nextTable);
            built = nextBuilt;
            virtualKeys.replace(next);
            accessLog.promptChars(promptChars(next));
            return "keys: " + next.keys().size() + "; routes" + (nextBuilt != null ? " (from the file): " : ": ")
                    + router.routes().stream().map(Router.Route::name).toList();
        } finally {
            configLock.unlock();
        }
    }

    /** {@return a builder with no routes, for 127.0.0.1:8080} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /**
     * Binds the port and starts serving.
     *
     * @return this gateway
     * @throws IllegalStateException if it was started before
     * @throws java.io.UncheckedIOException  if the address cannot be bound
     */
    public Gateway start() {
        lock.lock();
        try {
            if (state != State.NEW) {
                throw new IllegalStateException("a gateway can be started only once");
            }
            local = GatewayServer.start(host, port, limits, "parley-gateway-", dispatcher, metrics);
            accessLog.start();
            if (redisLimits != null) {
                redisLimits.start();
            }
            if (watcher != null) {
                watcher.start();
            }
            state = State.RUNNING;
            admin.started();
            LOG.log(Level.INFO, "Parley gateway listening on {0} with routes {1}", uri(),
                    router.routes().stream().map(Router.Route::name).toList());
            LOG.log(Level.INFO, admin.enabled()
                    ? "the admin API, the dashboard (/dashboard) and /metrics need the admin key"
                    : "no admin key: /metrics is open to anyone who can reach the gateway; /admin and /dashboard are off");
            return this;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops gracefully, as the class description says, returning once every connection is
     * closed: at most about the grace period plus three seconds. Idempotent; stopping a gateway
     * that never started just marks it stopped.
     */
    public void stop() {
        lock.lock();
        try {
            if (state != State.RUNNING) {
                state = State.STOPPED;
                closeClients();
                closeShared();
                return;
            }
            dispatcher.beginDraining();
            if (!dispatcher.awaitIdle(grace.toNanos())) {
                LOG.log(Level.INFO, "gateway stopping: {0} request(s) still running after the grace period",
                        metrics.inFlight.get());
                dispatcher.cancelStreams();
                if (!dispatcher.awaitIdle(TimeUnit.SECONDS.toNanos(1))) {
                    dispatcher.interruptAll();
                    dispatcher.awaitIdle(TimeUnit.SECONDS.toNanos(1));
                }
            }
            dispatcher.closeProbes();
            if (watcher != null) {
                watcher.close();
            }
            if (!local.stop(1000)) {
                LOG.log(Level.WARNING, "gateway stopped, but some request threads are still finishing");
            }
            closeClients();
            accessLog.close();
            closeShared();
            state = State.STOPPED;
            LOG.log(Level.INFO, "Parley gateway stopped");
        } finally {
            lock.unlock();
        }
    }

    /** Closes the clients the gateway made from the file's routes; later reloads are refused. */
    private void closeClients() {
        configLock.lock();
        try {
            if (!closed) {
                closed = true;
                router.closeAll();
            }
        } finally {
            configLock.unlock();
        }
    }

    /** Stops renewing leases and closes the connections to Redis; idempotent. */
    private void closeShared() {
        if (redisLimits != null) {
            redisLimits.close();
        }
        if (circuits != null) {
            circuits.detachAll();
        }
        if (shared != null) {
            shared.close();
        }
    }

    /**
     * Reads the {@linkplain Builder#configFile configuration file} again now, as the gateway
     * does by itself when the file changes; for a reload on a signal ({@code parley serve}
     * reloads on SIGHUP). A good file replaces the keys, aliases, routes and log settings for
     * the requests that come after; requests already running finish under the keys and on the
     * route clients they started with. A file with problems, or with a route whose client
     * cannot be made, is logged with every problem, and everything in use stays. After
     * {@link #stop()}, nothing is reloaded.
     *
     * @return whether the file was good and is now in use
     * @throws IllegalStateException if the gateway has no configuration file
     */
    public boolean reloadConfig() {
        if (watcher == null) {
            throw new IllegalStateException("this gateway has no configuration file to reload");
        }
        return watcher.reload();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** {@return the address the gateway listens on, with the actual port} @throws IllegalStateException before start */
    public InetSocketAddress address() {
        GatewayServer l = local;
        if (l == null) {
            throw new IllegalStateException("the gateway has not been started");
        }
        return l.address();
    }

    /**
     * {@return the gateway's root URL, such as {@code http://127.0.0.1:8080}}; OpenAI clients take
     * {@code uri().resolve("/v1")} as their base URL. A wildcard bind address is given as 127.0.0.1.
     *
     * @throws IllegalStateException before start
     */
    public URI uri() {
        return ListenAddress.uri(address());
    }

    /** {@return a latch released when {@link #stop()} starts refusing new requests, for tests} */
    CountDownLatch draining() {
        return dispatcher.draining();
    }

    /** {@return whether every request thread has ended, for tests} */
    boolean terminated() {
        GatewayServer l = local;
        return l != null && l.terminated();
    }

    /** {@return how many client connections are open now, for tests} */
    int openConnections() {
        GatewayServer l = local;
        return l == null ? 0 : l.openConnections();
    }

    /**
     * Waits until no request is in flight, so that their counters are final; for tests.
     *
     * @param timeout how long to wait at most
     * @return whether that happened in time
     */
    boolean awaitIdle(Duration timeout) {
        return dispatcher.awaitIdle(timeout.toNanos());
    }

    /** {@return the virtual keys, for tests} */
    VirtualKeys virtualKeys() {
        return virtualKeys;
    }

    /** {@return the configuration file's watcher, or null without a file; for tests} */
    KeysFileWatcher watcher() {
        return watcher;
    }

    /** {@return the router, for tests} */
    Router router() {
        return router;
    }

    /** {@return the admin API, for tests} */
    AdminApi admin() {
        return admin;
    }

    /** {@return the gateway's own counters, for tests} */
    GatewayMetrics metrics() {
        return metrics;
    }

    /** {@return the Redis-backed key limits, or null; for tests} */
    RedisKeyLimits redisLimits() {
        return redisLimits;
    }

    /** {@return the state shared through Redis, or null without Redis; for tests} */
    SharedState shared() {
        return shared;
    }

    @Override
    public String toString() {
        return "Gateway[" + host + ":" + port + ", routes=" + router.routes().stream().map(Router.Route::name).toList()
                + ", keys=" + (virtualKeys.enabled() ? virtualKeys.count() : keys.count()) + "]";
    }

    /**
     * Configures a {@link Gateway}. Each setter checks its argument at once. Not thread-safe.
     */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private final Map<String, Llm> routes = new LinkedHashMap<>();
        private Llm defaultRoute;
        private ApiKeys keys = ApiKeys.of(Set.of());
        private long maxRequestBytes = 4L << 20;
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private Duration streamHeartbeat = Duration.ofSeconds(15);
        private Duration readyTimeout = Duration.ofSeconds(3);
        private int maxConnections = 512;
        private int maxConnectionsPerAddress = 64;
        private Duration headerTimeout = Duration.ofSeconds(10);
        private Duration bodyTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Path configFile;
        private OutputStream accessLog;
        private PriceTable prices = PriceTable.builtIn();
        private Ticker ticker = Ticker.system();
        private KeyLimits keyLimits;
        private SpendStore spendStore;
        private Map<String, String> environment;
        private boolean logPrompts;
        private String adminKey;
        private RedisSettings redisSettings;
        /** Opened by redisCacheStore() or build(), owned by the gateway built; guarded by the builder's single thread. */
        private SharedState shared;
        private boolean sharedTaken;
        private Duration leaseTtl = RedisKeyLimits.LEASE_TTL;

        private Builder() {
        }

        /**
         * Sets the address to bind; default 127.0.0.1 (use 0.0.0.0 to listen on every interface).
         *
         * @param host the address to bind
         * @return this builder
         */
        public Builder host(String host) {
            this.host = ListenAddress.checkHost(host);
            return this;
        }

        /**
         * Sets the port, 0 to 65535; 0 picks a free port ({@link Gateway#address()} tells which). Default 8080.
         *
         * @param port the port, 0 to 65535
         * @return this builder
         */
        public Builder port(int port) {
            this.port = ListenAddress.checkPort(port);
            return this;
        }

        /**
         * Adds a named route. A request for model {@code name} exactly goes to {@code llm} with
         * its default model (an alias, such as "fast"); a request for {@code name/model} goes to
         * {@code llm} with {@code model} (a prefix, such as "anthropic/claude-sonnet-4-5"). Other
         * models go to the {@linkplain #defaultRoute default route}, unchanged.
         *
         * @param name 1 to 64 letters, digits, '.', '_', ':' or '-'; not "default", not used before
         * @param llm the client that serves those requests
         * @return this builder
         */
        public Builder route(String name, Llm llm) {
            Router.checkName(name);
            Objects.requireNonNull(llm, "llm");
            if (routes.containsKey(name)) {
                throw new IllegalArgumentException("route: \"" + name + "\" is already configured");
            }
            routes.put(name, llm);
            return this;
        }

        /**
         * Sets the route for every model no named route takes, and for requests without a model.
         *
         * @param llm the client that serves those requests
         * @return this builder
         */
        public Builder defaultRoute(Llm llm) {
            this.defaultRoute = Objects.requireNonNull(llm, "llm");
            return this;
        }

        /**
         * Requires one of these keys as {@code Authorization: Bearer <key>} on the {@code /v1}
         * endpoints; an empty set (the default) requires none. Only SHA-256 digests of the keys
         * are kept.
         *
         * @param keys the keys clients may send; empty for none
         * @return this builder
         * @throws IllegalArgumentException if a key is empty or holds whitespace
         */
        public Builder apiKeys(Set<String> keys) {
            this.keys = ApiKeys.of(Objects.requireNonNull(keys, "keys"));
            return this;
        }

        /**
         * Sets the largest request body accepted, 1 byte to 1 GiB; larger ones get 413. Default 4 MiB.
         *
         * @param maxRequestBytes the largest request body accepted, 1 byte to 1 GiB
         * @return this builder
         */
        public Builder maxRequestBytes(long maxRequestBytes) {
            if (maxRequestBytes < 1 || maxRequestBytes > 1L << 30) {
                throw new IllegalArgumentException("maxRequestBytes: expected 1 to 1073741824, got " + maxRequestBytes);
            }
            this.maxRequestBytes = maxRequestBytes;
            return this;
        }

        /**
         * Sets how long {@link Gateway#stop()} lets running requests and streams finish; default 10 s.
         *
         * @param grace how long {@link Gateway#stop()} lets running requests and streams finish
         * @return this builder
         */
        public Builder shutdownGrace(Duration grace) {
            if (grace == null || grace.isNegative()) {
                throw new IllegalArgumentException("shutdownGrace: must not be negative, got " + grace);
            }
            this.shutdownGrace = grace;
            return this;
        }

        /**
         * Sets how long a stream may stay silent before the gateway sends an SSE comment line,
         * which keeps proxies from closing the connection and reveals a client that left (so its
         * upstream stream is cancelled). Default 15 s.
         *
         * @param heartbeat the longest silence on a stream
         * @return this builder
         */
        public Builder streamHeartbeat(Duration heartbeat) {
            if (heartbeat == null || heartbeat.isNegative() || heartbeat.isZero()) {
                throw new IllegalArgumentException("streamHeartbeat: must be positive, got " + heartbeat);
            }
            this.streamHeartbeat = heartbeat;
            return this;
        }

        /**
         * Sets how long {@code /health/ready} waits for the routes' providers to list their
         * models; a provider that has not answered by then is reported as {@code "timeout"} and the
         * probe answers 503. Its call goes on in the background, bounded by its client's own
         * timeouts, and later probes wait for that same call instead of starting another.
         * Default 3 s.
         *
         * @param timeout how long to wait; positive
         * @return this builder
         */
        public Builder readyTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("readyTimeout: must be positive, got " + timeout);
            }
            this.readyTimeout = timeout;
            return this;
        }

        /**
         * Sets how many client connections may be open at once, from every client together;
         * a connection over the limit is answered 503 and closed before anything is read from
         * it. Default 512.
         *
         * @param max 1 to 65536
         * @return this builder
         */
        public Builder maxConnections(int max) {
            this.maxConnections = count("maxConnections", max);
            return this;
        }

        /**
         * Sets how many connections one client IP address may have open at once; one over the
         * limit is answered 429 and closed before anything is read from it, so a single client
         * cannot take the connections others need. Clients behind one proxy or NAT share an
         * address. Default 64.
         *
         * @param max 1 to 65536
         * @return this builder
         */
        public Builder maxConnectionsPerAddress(int max) {
            this.maxConnectionsPerAddress = count("maxConnectionsPerAddress", max);
            return this;
        }

        /**
         * Sets how long a client has to send a request's headers: from opening the connection,
         * or from the first byte of a later request on a kept-alive connection, to the blank
         * line that ends the headers. A client that takes longer has its connection closed.
         * Default 10 s.
         *
         * @param timeout how long a client has for a request's headers; positive
         * @return this builder
         */
        public Builder headerTimeout(Duration timeout) {
            this.headerTimeout = positive("headerTimeout", timeout);
            return this;
        }

        /**
         * Sets how long a client has to send a request's body, from the end of its headers to
         * the end of the body (chunked or not). A client that takes longer has its connection
         * closed. Default 30 s.
         *
         * @param timeout how long a client has for a request's body; positive
         * @return this builder
         */
        public Builder bodyTimeout(Duration timeout) {
            this.bodyTimeout = positive("bodyTimeout", timeout);
            return this;
        }

        /**
         * Sets how long a kept-alive connection may wait for its next request, and how long one
         * write of an answer may stall because the client stopped reading; either way the
         * connection is then closed. Default 30 s.
         *
         * @param timeout how long a connection may sit idle or a write stall; positive
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive("idleTimeout", timeout);
            return this;
        }

        /**
         * Takes the client keys from a configuration file instead of {@link #apiKeys}: each key
         * with a name, the SHA-256 hash of the key (never the key), the models it may use, its
         * rate limits (requests and tokens per minute, requests at once) and its budgets (US
         * dollars per UTC day, per UTC month, in all). The file may also hold model aliases,
         * routes (which then replace those given to this builder) and access-log settings: the
         * whole format is on {@link Gateway}, and in the README's "Virtual keys" and "Routes in
         * the file" sections. The file is read and checked, and its routes' clients made, by
         * {@link #build()}; it is read again whenever it changes while the gateway runs, and a
         * changed file with problems is logged and what is in use stays. With routes in the
         * file, this builder needs none of its own.
         *
         * <p>A request over a key's rate limit gets 429 {@code rate_limit_exceeded} with
         * {@code Retry-After}; over its budget, 402 {@code insufficient_quota}; for a model it
         * may not use, 403 {@code model_not_allowed}: all before any upstream call. Budgets are
         * checked with the request's worst case (its prompt and {@code max_tokens}, 4096 when
         * unset, at the model's {@linkplain #prices prices}) and charged with what it used;
         * models without a price cost nothing. Counts and spending live in this process and
         * start from zero at each start, unless {@link #redis} shares them between instances.
         *
         * @param file the configuration file
         * @return this builder
         */
        public Builder configFile(Path file) {
            this.configFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Sets the prices that cost each call, for keys' budgets and the access log; default
         * {@link PriceTable#builtIn()}.
         *
         * @param prices the prices
         * @return this builder
         */
        public Builder prices(PriceTable prices) {
            this.prices = Objects.requireNonNull(prices, "prices");
            return this;
        }

        /**
         * Writes the access log to {@code out} instead of the {@code dev.parley.gateway.access}
         * logger (at INFO). The access log has one JSON line per request (health probes, metrics
         * scrapes, the admin API and the dashboard excepted, unless refused for their key): {@code time}, {@code request_id}, {@code method},
         * {@code path}, {@code status}, {@code latency_ms}, and when known {@code key},
         * {@code owner}, {@code team}, {@code route}, {@code model}, {@code input_tokens},
         * {@code output_tokens}, {@code cost_usd} and {@code ttft_ms} (streams). It never holds a
         * key, nor a prompt or an answer unless {@linkplain #logPrompts asked}. Lines are written
         * by a background thread; when it falls far behind, lines are dropped rather than
         * requests slowed. The gateway does not close {@code out}.
         *
         * @param out where to write the lines
         * @return this builder
         */
        public Builder accessLog(OutputStream out) {
            this.accessLog = Objects.requireNonNull(out, "out");
            return this;
        }

        /**
         * Sets the environment the {@linkplain #configFile configuration file}'s routes read: the
         * variable a route's {@code api_key_env} names, and the proxy ({@code HTTPS_PROXY},
         * {@code NO_PROXY} ...), {@code LLM_USER_AGENT} and {@code AWS_*} settings every route
         * takes. Default: the process environment, {@link System#getenv()}.
         *
         * @param environment variables by name
         * @return this builder
         */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
            return this;
        }

        /**
         * Adds each request's prompt and its answer's text to its access-log line: fields
         * {@code prompt} (the request's {@code messages}, the Responses API's
         * {@code instructions} and {@code input}, or the embeddings' {@code input}, as JSON text)
         * and {@code answer} (the text answered, streamed or not), each cut to 4096 characters
         * with a marker saying how many more there were. Off by default: prompts may hold
         * personal data and secrets. A configuration file's {@code "log": {"prompts": ...}},
         * when present, wins over this, and its {@code max_chars} sets the bound.
         *
         * @param logPrompts whether access-log lines hold prompts and answers
         * @return this builder
         */
        public Builder logPrompts(boolean logPrompts) {
            this.logPrompts = logPrompts;
            return this;
        }

        /**
         * Sets the admin key, which opens the admin API ({@code /admin/*}), the data of the
         * dashboard ({@code /dashboard}) and {@code /metrics}: each needs
         * {@code Authorization: Bearer <admin key>}, and answers 401 without it (or with a wrong
         * key) and 403 to a client key. Client keys never open them. Without an admin key (the
         * default), {@code /metrics} is open to anyone who can reach the gateway, and
         * {@code /admin/*} and {@code /dashboard} answer 404. Only a SHA-256 digest of the key is
         * kept, compared in constant time; it is never logged.
         *
         * @param adminKey the admin key: at least 16 characters, no whitespace, not one of the client keys (a
         *                 reloaded configuration file that makes it one is refused, and the keys in use stay)
         * @return this builder
         * @throws IllegalArgumentException if the key is shorter than 16 characters or holds whitespace
         */
        public Builder adminKey(String adminKey) {
            if (adminKey == null || adminKey.length() < 16 || adminKey.chars().anyMatch(c -> Character.isWhitespace(c)
                    || Character.isISOControl(c))) {
                throw new IllegalArgumentException("adminKey: expected at least 16 characters without whitespace");
            }
            this.adminKey = adminKey;
            return this;
        }

        /**
         * Shares this gateway's state with every other instance that uses the same Redis, so that
         * N instances behind a load balancer behave as one: each virtual key's requests and tokens
         * per minute and requests at once, its budgets, and what it spent (which
         * {@code /metrics} then reports for the whole team). The settings are the environment
         * variables {@code parley serve} reads, from a map such as {@code System.getenv()}:
         * <ul>
         * <li>{@code PARLEY_REDIS_URL}: {@code redis://[user[:password]@]host[:port][/db]}, or
         *     {@code rediss://} for TLS ({@code PARLEY_REDIS_URL_FILE}: the path of a file that
         *     holds it). Without either, this call turns Redis off: state stays in this process.</li>
         * <li>{@code PARLEY_REDIS_INSTANCES}: how many instances share Redis, default 1. While
         *     Redis cannot be reached, each instance enforces every limit divided by this.</li>
         * <li>{@code PARLEY_REDIS_BUDGET_WHEN_DOWN}: {@code refuse} (the default) answers a call
         *     that has a budget with 503 and {@code Retry-After} while Redis cannot be reached;
         *     {@code allow} lets it through untracked (its cost is written when Redis is back).</li>
         * </ul>
         *
         * <p>No command to Redis waits longer than a second, and after a failure commands are
         * refused at once until the next attempt to reconnect; Redis being down at start is not an
         * error. {@code GET /health/ready} reports it ({@code "shared": {"redis": "up"}} and
         * {@code "degraded"}) without turning unready, since every instance would turn unready at
         * once; {@code /metrics} has {@code parley_gateway_redis_up} and the fallback counters.
         * The routes' response caches are the routes' own: give them {@link #redisCacheStore()}
         * to share them too. The circuit breaker a route's client made from its settings
         * ({@code LLM_CIRCUIT_BREAKER_FAILURES} ..., or a configuration file's
         * {@code circuit_breaker}) keeps its state in Redis, under the route's name, for as long as
         * this gateway runs; a breaker given in code stays the process's own. The gateway owns the connections and closes them when it stops.
         * Keys in Redis carry key names, never keys; the URL's password is never logged.
         *
         * @param settings settings by name; only the {@code PARLEY_REDIS_*} ones are read
         * @return this builder
         * @throws dev.parley.ConfigurationException if a value is malformed, or the URL file cannot
         *         be read (the message never quotes the URL)
         * @throws IllegalStateException after {@link #redisCacheStore()} or {@link #build()}
         */
        public Builder redis(Map<String, String> settings) {
            Objects.requireNonNull(settings, "settings");
            return redis(RedisSettings.fromEnvironment(settings));
        }

        /** Sets Redis's settings in full (null: no Redis), for tests. @return this builder */
        Builder redis(RedisSettings settings) {
            if (shared != null) {
                throw new IllegalStateException("call redis(...) before redisCacheStore() and build()");
            }
            this.redisSettings = settings;
            return this;
        }

        /**
         * {@return the response-cache store on the Redis that {@link #redis} configured, or empty
         * without Redis}: give it to each route's cache, so that an answer cached by one instance
         * is a hit on every other ({@code parley serve} does this when {@code ENABLE_CACHE} is on).
         *
         * {@snippet :
         * Gateway.Builder b = Gateway.newBuilder().redis(System.getenv());
         * CachePolicy.Builder cache = CachePolicy.newBuilder().expireAfterWrite(Duration.ofHours(1));
         * b.redisCacheStore().ifPresent(cache::store);
         * b.defaultRoute(Llm.newBuilder().provider("openai").cache(cache.build()).build());
         * }
         *
         * <p>It fails open: while Redis cannot be reached, a read is a miss and a write is
         * dropped (counted in the health and metrics). It belongs to the gateway this builder
         * builds, and stops working when that gateway stops. Entries expire in Redis after a day
         * (the cache policy's own expiry applies on read); an entry over 4 MiB is not stored.
         */
        public java.util.Optional<CacheStore> redisCacheStore() {
            SharedState s = openShared();
            return s == null ? java.util.Optional.empty() : java.util.Optional.of(s.cacheStore());
        }

        private SharedState openShared() {
            if (shared == null && redisSettings != null) {
                shared = SharedState.open(redisSettings);
            }
            return shared;
        }

        /** Sets how long a call's place among a key's requests at once lasts unless renewed, for tests. @return this builder */
        Builder leaseTtl(Duration ttl) {
            this.leaseTtl = Objects.requireNonNull(ttl, "ttl");
            return this;
        }

        /** Sets the clock of keys' rate-limit windows and budget days, for tests. @return this builder */
        Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** Sets where keys' rate limits are counted (default: this process). @return this builder */
        Builder keyLimits(KeyLimits limits) {
            this.keyLimits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** Sets where keys' spending is kept (default: this process). @return this builder */
        Builder spendStore(SpendStore store) {
            this.spendStore = Objects.requireNonNull(store, "store");
            return this;
        }

        private static int count(String name, int n) {
            if (n < 1 || n > 65536) {
                throw new IllegalArgumentException(name + ": expected 1 to 65536, got " + n);
            }
            return n;
        }

        private static Duration positive(String name, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + ": must be positive, got " + d);
            }
            return d;
        }

        /**
         * {@return the gateway, not yet started}
         *
         * @throws IllegalStateException if there is no route at all, both {@link #apiKeys} and a {@link #configFile},
         *         or an {@link #adminKey} that is also a client key
         * @throws dev.parley.ConfigurationException if the configuration file cannot be read or has problems, a
         *         route of it cannot be made, or neither it nor this builder has a route
         */
        public Gateway build() {
            if (routes.isEmpty() && defaultRoute == null && configFile == null) {
                throw new IllegalStateException("a gateway needs at least one route or a default route");
            }
            if (configFile != null && keys.enabled()) {
                throw new IllegalStateException("a gateway takes its keys from apiKeys or from a configuration file, not both");
            }
            if (redisSettings != null && sharedTaken) {
                throw new IllegalStateException("a builder with redis(...) builds one gateway, which owns its connections"
                        + " to Redis; use a new builder for another");
            }
            KeysConfig config = configFile == null ? null : KeysConfig.load(configFile);
            SharedState s = openShared();
            sharedTaken = s != null;
            try {
                return new Gateway(this, config, s);
            } catch (RuntimeException e) {
                if (s != null) {
                    s.close(); // a route of the file could not be made: nothing owns the connections now
                }
                throw e;
            }
        }
    }
}
