package dev.parley.cli;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import dev.parley.Llm;
import dev.parley.cache.CachePolicy;
import dev.parley.cache.CacheStore;
import dev.parley.gateway.Gateway;

/**
 * {@code parley serve}: the OpenAI-compatible gateway, configured from the environment. The
 * default route is the provider of {@code LLM_PROVIDER}; every built-in provider whose key is set
 * (or Ollama, when {@code OLLAMA_HOST} is set) also gets a prefix route ({@code anthropic/...});
 * {@code PARLEY_GATEWAY_ALIASES} adds aliases such as {@code fast=openai/gpt-4o-mini}. With
 * {@code PARLEY_REDIS_URL}, instances share their keys' limits, budgets and spend through Redis,
 * and, with {@code ENABLE_CACHE}, the routes' response cache.
 */
final class ServeCommand {

    private static final List<String> PROVIDERS = List.of("openai", "anthropic", "gemini", "deepseek", "ollama", "azure-openai");

    private final PrintStream out;
    private final Map<String, String> env;
    /** The response cache in Redis every route shares, when Redis and ENABLE_CACHE are on; set by build(). */
    private Optional<CacheStore> sharedCache = Optional.empty();

    ServeCommand(PrintStream out, Map<String, String> env) {
        this.out = out;
        this.env = env;
    }

    int run(List<String> argv) {
        Args a = Args.parse(argv, Set.of("host", "port", "config"), Set.of("verbose"));
        if (!a.words.isEmpty()) {
            throw new UsageException("serve takes no arguments, got " + a.words.get(0));
        }
        Gateway built = build(a);
        Gateway gateway;
        try {
            gateway = built.start();
        } catch (UncheckedIOException e) {
            throw new UsageException("could not listen on " + listenAddress(a) + ": " + bindFailure(e.getCause()));
        }
        out.println("parley gateway listening on " + gateway.uri() + " (Ctrl-C to stop)");
        out.println(hasAdminKey()
                ? "dashboard: " + gateway.uri().resolve("/dashboard") + " (asks for the admin key; /metrics and /admin need it too)"
                : "no admin key: /metrics is open to anyone who can reach the gateway; set PARLEY_GATEWAY_ADMIN_KEY "
                        + "to protect it and turn on /admin and /dashboard");
        if (configured(a)) {
            Hangup.onSignal(gateway::reloadConfig);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.stop();
            stopped.countDown();
        }, "parley-gateway-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            gateway.stop();
        }
        return ExitCode.OK.code;
    }

    private boolean hasAdminKey() {
        return dev.parley.spi.ProviderEnvironment.of(env).hasSecret("PARLEY_GATEWAY_ADMIN_KEY");
    }

    private boolean configured(Args a) {
        String config = a.option("config") != null ? a.option("config") : env.get("PARLEY_GATEWAY_CONFIG");
        return config != null && !config.isBlank();
    }

    /** Builds the gateway from the command line and the environment, without starting it. */
    Gateway build(Args a) {
        String host = a.option("host") != null ? a.option("host") : env.getOrDefault("PARLEY_GATEWAY_HOST", "127.0.0.1");
        int port = a.option("port") != null ? a.integer("port", 0, 65535)
                : env.containsKey("PARLEY_GATEWAY_PORT") ? parsePort(env.get("PARLEY_GATEWAY_PORT")) : 8080;
        Gateway.Builder b = Gateway.newBuilder().host(host).port(port).environment(env).redis(env);
        sharedCache = b.redisCacheStore(); // used by the routes that turn caching on (ENABLE_CACHE)
        String config = a.option("config") != null ? a.option("config") : env.get("PARLEY_GATEWAY_CONFIG");
        String aliases = env.get("PARLEY_GATEWAY_ALIASES");
        if (config != null && !config.isBlank() && fileHasRoutes(config.strip())) {
            // The file's routes replace the environment's: LLM_PROVIDER and the providers' keys are not read.
            if (aliases != null && !aliases.isBlank()) {
                throw new UsageException("PARLEY_GATEWAY_ALIASES and a configuration file with routes cannot both be used; "
                        + "move the aliases into the file's \"aliases\" (or make them routes)");
            }
        } else {
            environmentRoutes(b, aliases);
        }
        limits(b);
        setting("PARLEY_GATEWAY_LOG_PROMPTS", v -> b.logPrompts(bool(v)));
        String keys = env.get("PARLEY_GATEWAY_KEYS");
        if (config != null && !config.isBlank()) {
            if (keys != null && !keys.isBlank()) {
                throw new UsageException("PARLEY_GATEWAY_KEYS and a configuration file cannot both give the keys; "
                        + "move the keys into the file (parley keys hash makes their hashes)");
            }
            b.configFile(java.nio.file.Path.of(config.strip()));
        }
        String accessLog = env.get("PARLEY_GATEWAY_ACCESS_LOG");
        if (accessLog != null && !accessLog.isBlank()) {
            b.accessLog(accessLog.strip().equals("-") ? out : openLog(accessLog.strip()));
        }
        adminKey(b);
        if (keys != null && !keys.isBlank()) {
            Set<String> set = new LinkedHashSet<>();
            for (String k : keys.split(",")) {
                if (!k.isBlank()) {
                    set.add(k.strip());
                }
            }
            b.apiKeys(set);
        }
        try {
            return b.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UsageException(e.getMessage());
        } catch (UncheckedIOException e) {
            throw new UsageException("could not listen on " + host + ":" + port + ": " + bindFailure(e.getCause()));
        }
    }

    /**
     * Adds the routes the environment describes: the default route is {@code LLM_PROVIDER}'s;
     * each built-in provider whose key is set (Ollama: {@code OLLAMA_HOST}) gets a prefix route;
     * {@code PARLEY_GATEWAY_ALIASES} adds aliases.
     */
    private void environmentRoutes(Gateway.Builder b, String aliases) {
        String primary = env.getOrDefault("LLM_PROVIDER", "openai").toLowerCase(Locale.ROOT);
        b.defaultRoute(llm(env));
        for (String p : PROVIDERS) {
            if (configured(p) || p.equals(primary)) {
                b.route(p, llmFor(p, null));
            }
        }
        if (aliases != null && !aliases.isBlank()) {
            for (String entry : aliases.split(",")) {
                String e = entry.strip();
                int eq = e.indexOf('=');
                int slash = e.indexOf('/', eq + 1);
                if (eq <= 0 || slash < 0) {
                    throw new UsageException("PARLEY_GATEWAY_ALIASES: expected alias=provider/model entries, got \"" + e + "\"");
                }
                b.route(e.substring(0, eq).strip(), llmFor(e.substring(eq + 1, slash).strip(), e.substring(slash + 1).strip()));
            }
        }
    }

    /**
     * {@return whether the configuration file has routes}, which replace the environment's; a
     * file that cannot be read or parsed counts as having them, so that the gateway reports the
     * file's problem rather than the environment's
     */
    private static boolean fileHasRoutes(String file) {
        try {
            dev.parley.json.JsonValue v = dev.parley.json.Json.parse(java.nio.file.Files.readString(java.nio.file.Path.of(file)));
            return !(v instanceof dev.parley.json.JsonObject o) || o.has("routes");
        } catch (java.io.IOException | RuntimeException e) {
            return true;
        }
    }

    private static boolean bool(String v) {
        Boolean b = dev.parley.internal.Flags.parse(v);
        if (b == null) {
            throw new IllegalArgumentException(v);
        }
        return b;
    }

    /** Reads PARLEY_GATEWAY_ADMIN_KEY, or the file PARLEY_GATEWAY_ADMIN_KEY_FILE names; the key is never shown. */
    private void adminKey(Gateway.Builder b) {
        String name = "PARLEY_GATEWAY_ADMIN_KEY";
        dev.parley.ApiKey key;
        try {
            key = dev.parley.spi.ProviderEnvironment.of(env).secret(name);
        } catch (dev.parley.ConfigurationException e) {
            throw new UsageException(e.getMessage());
        }
        if (key != null) {
            try {
                b.adminKey(key.value());
            } catch (IllegalArgumentException e) {
                throw new UsageException((env.get(name) != null ? name : name + "_FILE")
                        + ": the admin key must have at least 16 characters and no whitespace");
            }
        }
    }

    private static java.io.OutputStream openLog(String path) {
        try {
            return new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(java.nio.file.Path.of(path),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND));
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            throw new UsageException("PARLEY_GATEWAY_ACCESS_LOG: cannot open \"" + path + "\" for writing: " + e.getMessage());
        }
    }

    /**
     * {@code parley keys hash}: reads a key from standard input (so that it stays out of the
     * shell's history) and prints the {@code hash} value for the gateway's configuration file.
     */
    static int keys(List<String> argv, java.io.InputStream in, PrintStream out) {
        if (argv.size() != 1 || !argv.get(0).equals("hash")) {
            throw new UsageException("usage: parley keys hash < file-with-the-key (or type the key and press Enter)");
        }
        String key;
        try {
            key = new String(in.readNBytes(64 * 1024), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new UsageException("cannot read the key from standard input: " + e.getMessage());
        }
        key = key.lines().findFirst().orElse("");
        try {
            out.println(Gateway.keyHash(key));
        } catch (IllegalArgumentException e) {
            throw new UsageException("expected one key on the first line of standard input, non-empty and without spaces");
        }
        return ExitCode.OK.code;
    }

    private String listenAddress(Args a) {
        String host = a.option("host") != null ? a.option("host") : env.getOrDefault("PARLEY_GATEWAY_HOST", "127.0.0.1");
        String port = a.option("port") != null ? a.option("port") : env.getOrDefault("PARLEY_GATEWAY_PORT", "8080");
        return host + ":" + port.strip();
    }

    private static String bindFailure(java.io.IOException e) {
        if (e instanceof java.net.BindException) {
            String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("in use")) {
                return "the port is already in use (stop what uses it, or choose another with --port or PARLEY_GATEWAY_PORT)";
            }
            if (m.contains("assign") || m.contains("cannot")) {
                return "this machine has no such address (use 127.0.0.1, 0.0.0.0 or one of its own addresses)";
            }
            if (m.contains("permission")) {
                return "permission denied (ports below 1024 need privileges; choose another with --port)";
            }
        }
        return e.getMessage() == null ? "the address could not be bound" : e.getMessage();
    }

    /** Reads the gateway's connection limits and deadlines; each variable left unset keeps the gateway's default. */
    private void limits(Gateway.Builder b) {
        setting("PARLEY_GATEWAY_MAX_CONNECTIONS", v -> b.maxConnections(Integer.parseInt(v)));
        setting("PARLEY_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS", v -> b.maxConnectionsPerAddress(Integer.parseInt(v)));
        setting("PARLEY_GATEWAY_HEADER_TIMEOUT", v -> b.headerTimeout(duration(v)));
        setting("PARLEY_GATEWAY_BODY_TIMEOUT", v -> b.bodyTimeout(duration(v)));
        setting("PARLEY_GATEWAY_IDLE_TIMEOUT", v -> b.idleTimeout(duration(v)));
        setting("PARLEY_GATEWAY_READY_TIMEOUT", v -> b.readyTimeout(duration(v)));
    }

    private void setting(String name, java.util.function.Consumer<String> apply) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return;
        }
        try {
            apply.accept(v.strip());
        } catch (IllegalArgumentException e) { // NumberFormatException included
            throw new UsageException(name + ": expected " + (name.contains("TIMEOUT")
                    ? "a positive duration such as 10s, 500ms or 2m"
                    : name.endsWith("LOG_PROMPTS") ? "true or false" : "a whole number from 1 to 65536")
                    + ", got \"" + v + "\"");
        }
    }

    /** {@return {@code v} as a positive duration of at most a day, in the forms every setting takes} */
    private static java.time.Duration duration(String v) {
        java.time.Duration d = dev.parley.internal.Durations.parse(v, java.time.Duration.ofDays(1));
        if (d.isZero() || d.compareTo(java.time.Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(v);
        }
        return d;
    }

    private boolean configured(String provider) {
        return switch (provider) {
            case "ollama" -> env.containsKey("OLLAMA_HOST");
            case "gemini" -> env.containsKey("GEMINI_API_KEY") || env.containsKey("GEMINI_API_KEY_FILE")
                    || env.containsKey("GOOGLE_API_KEY") || env.containsKey("GOOGLE_API_KEY_FILE");
            default -> env.containsKey(Commands.keyVariable(provider)) || env.containsKey(Commands.keyVariable(provider) + "_FILE");
        };
    }

    private Llm llmFor(String provider, String model) {
        Map<String, String> settings = new HashMap<>(env);
        settings.put("LLM_PROVIDER", provider.toLowerCase(Locale.ROOT));
        settings.remove("LLM_FALLBACK");
        if (model != null) {
            settings.put("LLM_MODEL", model);
        } else if (!provider.equalsIgnoreCase(env.getOrDefault("LLM_PROVIDER", "openai"))) {
            settings.remove("LLM_MODEL");
        }
        return llm(settings);
    }

    /**
     * {@return a route's client from the settings}; with Redis and {@code ENABLE_CACHE}, its cache
     * is the one in Redis (for the same {@code CACHE_TTL}; {@code CACHE_DIR} and
     * {@code CACHE_MAX_ENTRIES} do not apply), so that an answer cached by one instance is a hit
     * on every other
     */
    private Llm llm(Map<String, String> settings) {
        // settings() checks every setting, ENABLE_CACHE and CACHE_TTL included
        return dev.parley.internal.SharedCache.apply(Llm.newBuilder().settings(settings), settings, sharedCache.orElse(null)).build();
    }

    private static int parsePort(String v) {
        try {
            int p = Integer.parseInt(v.strip());
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException("PARLEY_GATEWAY_PORT: expected a port from 0 to 65535, got \"" + v + "\"");
    }
}
