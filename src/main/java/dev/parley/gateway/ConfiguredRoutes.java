package dev.parley.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import dev.parley.Llm;
import dev.parley.cache.CacheStore;
import dev.parley.internal.Durations;
import dev.parley.internal.SharedCache;
import dev.parley.LlmException;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonBoolean;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * The routes of the gateway's configuration file: read and checked with the rest of the file
 * ({@link #parse}), then made into {@link Llm} clients ({@link #build}). Each route's fields map
 * onto the settings {@code Llm.Builder.settings(Map)} reads (the README's Configuration table):
 *
 * <pre>{@code
 * "routes": {
 *   "smart": {"provider": "anthropic", "model": "claude-sonnet-4-5", "api_key_env": "ANTHROPIC_API_KEY",
 *             "timeout": "60s", "retries": 2, "limits": {"rpm": 500, "tpm": 400000, "concurrency": 20},
 *             "circuit_breaker": {"failures": 5, "cool_down": "30s", "probes": 1},
 *             "fallback": ["cheap/gpt-4o"]},
 *   "cheap": {"provider": "openai", "model": "gpt-4o-mini", "api_key_file": "/run/secrets/openai",
 *             "cache": {"ttl": "1h", "max_entries": 5000}},
 *   "local": {"provider": "ollama", "base_url": "http://127.0.0.1:11434", "model": "llama3.2",
 *             "settings": {"LLM_IDLE_TIMEOUT": "5m"}}},
 * "default_route": "cheap"
 * }</pre>
 *
 * A route's key comes from the environment variable {@code api_key_env} names, or from the file
 * {@code api_key_file} names; the configuration file never holds a key, and a field that looks
 * like one is refused. A route takes nothing else from the environment but the proxy settings,
 * {@code LLM_USER_AGENT} and the {@code AWS_*} settings (for Bedrock): what it does is what the
 * file says, with the library's defaults.
 *
 * <p>A fallback names another route of the file ({@code "cheap"}, or {@code "cheap/gpt-4o"} for
 * another model): its provider, key, base URL and model are used, under the policies (timeouts,
 * retries, limits) of the route that falls back. Two routes whose providers read the same
 * settings (openai and openai-compatible, say) with different values cannot fall back to each
 * other; that is reported.
 *
 * <p>Immutable specs; {@link #build} is called at start and on each reload, and keeps the client
 * of a route whose settings (key included) did not change, so that its metrics, limits, cache
 * and circuit state carry over.
 */
final class ConfiguredRoutes {

    /** A route's fields, and the setting each maps to. */
    private static final Map<String, String> PLAIN = Map.ofEntries(
            Map.entry("model", "LLM_MODEL"),
            Map.entry("embedding_model", "LLM_EMBEDDING_MODEL"),
            Map.entry("timeout", "LLM_TIMEOUT"),
            Map.entry("attempt_timeout", "LLM_ATTEMPT_TIMEOUT"),
            Map.entry("first_chunk_timeout", "LLM_FIRST_CHUNK_TIMEOUT"),
            Map.entry("idle_timeout", "LLM_IDLE_TIMEOUT"),
            Map.entry("connect_timeout", "LLM_CONNECT_TIMEOUT"),
            Map.entry("retries", "LLM_MAX_RETRIES"),
            Map.entry("max_tokens", "MAX_TOKENS"),
            Map.entry("temperature", "TEMPERATURE"),
            Map.entry("budget_usd", "LLM_BUDGET_USD"),
            Map.entry("max_response_bytes", "LLM_MAX_RESPONSE_BYTES"));
    private static final Map<String, String> LIMITS = Map.of(
            "rpm", "MAX_REQUESTS_PER_MINUTE", "tpm", "MAX_TOKENS_PER_MINUTE", "concurrency", "MAX_CONCURRENT_REQUESTS");
    private static final Map<String, String> CACHE = Map.of("ttl", "CACHE_TTL", "max_entries", "CACHE_MAX_ENTRIES", "dir", "CACHE_DIR");
    private static final Map<String, String> CIRCUIT = Map.of("failures", "LLM_CIRCUIT_BREAKER_FAILURES",
            "cool_down", "LLM_CIRCUIT_BREAKER_COOL_DOWN", "probes", "LLM_CIRCUIT_BREAKER_PROBES");
    private static final String CIRCUIT_EXAMPLE = "{\"failures\": 5, \"cool_down\": \"30s\", \"probes\": 1}";
    private static final Set<String> OTHER = Set.of("provider", "base_url", "api_key_env", "api_key_file", "limits", "cache",
            "circuit_breaker", "fallback", "settings");
    /** Field names someone might put a key in; each gets a message pointing to api_key_env and api_key_file. */
    private static final Set<String> KEY_FIELDS = Set.of("api_key", "apikey", "key", "token", "secret", "password",
            "bearer", "authorization", "access_token", "api_token");
    /** Environment settings every route takes from the gateway's environment. */
    private static final Set<String> INHERITED = Set.of("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY",
            "no_proxy", "LLM_USER_AGENT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY_FILE",
            "AWS_SESSION_TOKEN", "AWS_SESSION_TOKEN_FILE", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
            "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE");
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern SETTING = Pattern.compile("[A-Z][A-Z0-9_]{0,127}");
    private static final Pattern SECRET_SETTING = Pattern.compile(".*(KEY|SECRET|TOKEN|PASSWORD|CREDENTIALS?)(_ID)?(_FILE)?");
    /** Beginnings of provider keys: a value that starts so is never accepted nor echoed. */
    private static final List<String> KEY_PREFIXES = List.of("sk-", "sk_", "sess-", "AIza", "xai-", "gsk_", "pplx-", "hf_",
            "AKIA", "ASIA", "Bearer ");

    /** A fallback of a route: another route, and the model to ask it for (null: that route's model). */
    record Fallback(String route, String model, String path) {
    }

    /**
     * One route as the file describes it.
     *
     * @param name      the route's name
     * @param path      its path in the file, for messages ({@code routes.smart})
     * @param provider  the provider's name
     * @param settings  its settings, without the key
     * @param fieldOf   for each setting, the path of the field it came from
     * @param keyEnv    the environment variable holding its key, or null
     * @param keyFile   the file holding its key, or null
     * @param fallbacks its fallbacks, in order
     */
    record Spec(String name, String path, String provider, Map<String, String> settings, Map<String, String> fieldOf,
                String keyEnv, String keyFile, List<Fallback> fallbacks) {
    }

    /** What the file says about routes. @param routes by name, in file order @param defaultRoute the default's name, or null */
    record Specs(Map<String, Spec> routes, String defaultRoute) {
    }

    /** A generation of clients built from the file: by route name, and each one's settings fingerprint. */
    record Built(Map<String, Llm> routes, Llm defaultRoute, Map<String, String> fingerprints) {
    }

    private ConfiguredRoutes() {
    }

    // ---- reading the file

    /**
     * Reads {@code routes} and {@code default_route} from the file's top object.
     *
     * @return the routes, or null when the file has none
     */
    static Specs parse(JsonObject top, List<String> problems) {
        JsonValue r = top.get("routes").orElse(JsonNull.INSTANCE);
        JsonValue d = top.get("default_route").orElse(JsonNull.INSTANCE);
        if (r instanceof JsonNull) {
            if (!(d instanceof JsonNull)) {
                problems.add("default_route: names a route, but the file has no \"routes\"");
            }
            return null;
        }
        if (!(r instanceof JsonObject map)) {
            problems.add("routes: expected an object of routes by name, such as {\"cheap\": {\"provider\": \"openai\", ...}}, got "
                    + r.kind());
            return null;
        }
        if (map.isEmpty()) {
            problems.add("routes: expected at least one route (leave \"routes\" out to take the routes from the environment)");
        }
        Map<String, Spec> specs = new LinkedHashMap<>();
        map.members().forEach((name, v) -> {
            String path = field("routes", name);
            try {
                Router.checkName(name);
            } catch (IllegalArgumentException e) {
                problems.add(path + ": a route's name is 1 to 64 letters, digits, '.', '_', ':' or '-', and not \"default\"");
                return;
            }
            if (!(v instanceof JsonObject o)) {
                problems.add(path + ": expected an object such as {\"provider\": \"openai\"}, got " + v.kind());
                return;
            }
            Spec s = route(name, path, o, map.members().keySet(), problems);
            if (s != null) {
                specs.put(name, s);
            }
        });
        String defaultRoute = null;
        if (d instanceof JsonString ds && map.has(ds.value())) {
            defaultRoute = ds.value();
        } else if (d instanceof JsonString ds) {
            problems.add("default_route: no route called \"" + ds.value() + "\"; expected one of " + map.members().keySet());
        } else if (!(d instanceof JsonNull)) {
            problems.add("default_route: expected the name of a route, got " + d.kind());
        }
        return new Specs(specs, defaultRoute);
    }

    private static Spec route(String name, String path, JsonObject o, Set<String> names, List<String> problems) {
        int before = problems.size();
        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, String> fieldOf = new HashMap<>();
        for (String f : o.members().keySet()) {
            if (KEY_FIELDS.contains(f.toLowerCase(Locale.ROOT).replace("-", "_"))) {
                problems.add(path + "." + f + ": an API key never goes in this file; use \"api_key_env\" (the name of an "
                        + "environment variable holding it) or \"api_key_file\" (the path of a file holding it)");
            } else if (!PLAIN.containsKey(f) && !OTHER.contains(f)) {
                List<String> known = new ArrayList<>(PLAIN.keySet());
                known.addAll(OTHER);
                problems.add(path + "." + f + ": unknown field; expected one of " + known.stream().sorted().toList());
            }
        }
        JsonValue p = o.get("provider").orElse(JsonNull.INSTANCE);
        String provider = p instanceof JsonString ps && !ps.value().isBlank() && !looksLikeKey(ps.value())
                ? ps.value().strip().toLowerCase(Locale.ROOT) : null;
        if (provider != null) {
            fieldOf.put("LLM_PROVIDER", path + ".provider");
        } else {
            problems.add(path + ".provider: " + (p instanceof JsonNull ? "missing; " : "")
                    + "expected a provider's name, such as \"openai\", \"anthropic\" or \"ollama\"");
        }
        PLAIN.forEach((f, variable) -> setting(o, f, variable, path, settings, fieldOf, problems));
        JsonObject limits = KeysConfig.object(o, "limits", path, problems);
        if (limits != null) {
            KeysConfig.unknown(limits, LIMITS.keySet(), path + ".limits", problems);
            LIMITS.forEach((f, variable) -> setting(limits, f, variable, path + ".limits", settings, fieldOf, problems));
        }
        JsonValue cache = o.get("cache").orElse(JsonNull.INSTANCE);
        if (cache instanceof JsonBoolean b) {
            settings.put("ENABLE_CACHE", Boolean.toString(b.value()));
            fieldOf.put("ENABLE_CACHE", path + ".cache");
        } else if (cache instanceof JsonObject c) {
            KeysConfig.unknown(c, CACHE.keySet(), path + ".cache", problems);
            settings.put("ENABLE_CACHE", "true");
            fieldOf.put("ENABLE_CACHE", path + ".cache");
            CACHE.forEach((f, variable) -> setting(c, f, variable, path + ".cache", settings, fieldOf, problems));
        } else if (!(cache instanceof JsonNull)) {
            problems.add(path + ".cache: expected true, false, or an object such as {\"ttl\": \"1h\", \"max_entries\": 1000}, got "
                    + cache.kind());
        }
        circuitBreaker(o, path, settings, fieldOf, problems);
        String baseUrl = text(o, "base_url", path, problems);
        if (baseUrl != null && provider != null) {
            settings.put(baseVariable(provider), baseUrl);
            fieldOf.put(baseVariable(provider), path + ".base_url");
        }
        String keyEnv = text(o, "api_key_env", path, problems);
        if (keyEnv != null && !VARIABLE.matcher(keyEnv).matches()) {
            // Never echo it: it may be the key itself, pasted in the wrong field.
            problems.add(path + ".api_key_env: expected the name of an environment variable holding the key, such as "
                    + "\"ANTHROPIC_API_KEY\", not the key itself");
            keyEnv = null;
        }
        String keyFile = text(o, "api_key_file", path, problems);
        if (keyEnv != null && keyFile != null) {
            problems.add(path + ": give api_key_env or api_key_file, not both");
        }
        if ((keyEnv != null || keyFile != null) && "bedrock".equals(provider)) {
            problems.add(path + ": bedrock signs requests with the AWS credentials of the environment (AWS_ACCESS_KEY_ID ..., "
                    + "or a profile); api_key_env and api_key_file do not apply");
        }
        JsonObject extra = KeysConfig.object(o, "settings", path, problems);
        if (extra != null) {
            extra.members().forEach((variable, v) -> {
                String at = path + ".settings." + variable;
                String covered = covering(variable);
                if (!SETTING.matcher(variable).matches()) {
                    problems.add(at + ": expected a setting's name in capitals, such as \"OPENAI_API\"");
                } else if (SECRET_SETTING.matcher(variable).matches()) {
                    problems.add(at + ": keys and secrets never go in this file; use the route's \"api_key_env\" or "
                            + "\"api_key_file\"");
                } else if (variable.equals("LLM_PROVIDER") || variable.equals("LLM_FALLBACK") || variable.startsWith("PARLEY_")) {
                    problems.add(at + ": not a route setting; " + switch (variable) {
                        case "LLM_PROVIDER" -> "use the route's \"provider\"";
                        case "LLM_FALLBACK" -> "use the route's \"fallback\", which names other routes";
                        default -> "the gateway's own settings are not per route";
                    });
                } else if (covered != null || (provider != null && variable.equals(baseVariable(provider)))) {
                    problems.add(at + ": use the route's \"" + (covered != null ? covered : "base_url") + "\" field");
                } else {
                    String value = scalar(v);
                    if (value == null) {
                        problems.add(at + ": expected a string, a number or true/false, got " + v.kind());
                    } else if (looksLikeKey(value)) {
                        problems.add(at + ": the value looks like an API key, which never goes in this file; use the route's "
                                + "\"api_key_env\" or \"api_key_file\"");
                    } else {
                        settings.put(variable, value);
                        fieldOf.put(variable, at);
                    }
                }
            });
        }
        List<Fallback> fallbacks = new ArrayList<>();
        JsonValue fb = o.get("fallback").orElse(JsonNull.INSTANCE);
        if (fb instanceof JsonArray a) {
            for (int i = 0; i < a.size(); i++) {
                String at = path + ".fallback[" + i + "]";
                if (a.values().get(i) instanceof JsonString s && !s.value().isBlank() && !s.value().startsWith("/")
                        && !s.value().endsWith("/")) {
                    int slash = s.value().indexOf('/');
                    String target = slash < 0 ? s.value() : s.value().substring(0, slash);
                    if (target.equals(name)) {
                        problems.add(at + ": a route cannot fall back to itself");
                    } else if (!names.contains(target)) {
                        problems.add(at + ": no route called \"" + target + "\"; a fallback names another route of this file");
                    } else {
                        fallbacks.add(new Fallback(target, slash < 0 ? null : s.value().substring(slash + 1), at));
                    }
                } else {
                    problems.add(at + ": expected the name of another route, or route/model");
                }
            }
        } else if (!(fb instanceof JsonNull)) {
            problems.add(path + ".fallback: expected an array of route names, such as [\"cheap\", \"local/llama3.2\"], got "
                    + fb.kind());
        }
        if (problems.size() > before || provider == null) {
            return null;
        }
        return new Spec(name, path, provider, Map.copyOf(settings), Map.copyOf(fieldOf), keyEnv, keyFile, List.copyOf(fallbacks));
    }

    /**
     * Reads a route's {@code circuit_breaker}: {@code failures} (required: it turns the breaker
     * on), {@code cool_down} and {@code probes}, each checked here so that every problem is
     * reported with the file's others.
     */
    private static void circuitBreaker(JsonObject o, String path, Map<String, String> settings, Map<String, String> fieldOf,
                                       List<String> problems) {
        JsonValue v = o.get("circuit_breaker").orElse(JsonNull.INSTANCE);
        String at = path + ".circuit_breaker";
        if (v instanceof JsonNull) {
            return;
        }
        if (!(v instanceof JsonObject c)) {
            problems.add(at + ": expected an object such as " + CIRCUIT_EXAMPLE + ", got " + v.kind());
            return;
        }
        KeysConfig.unknown(c, CIRCUIT.keySet(), at, problems);
        if (c.get("failures").orElse(JsonNull.INSTANCE) instanceof JsonNull) {
            problems.add(at + ".failures: missing; how many failures in a row open the circuit (1 to 1000), such as "
                    + CIRCUIT_EXAMPLE);
        }
        CIRCUIT.forEach((f, variable) -> setting(c, f, variable, at, settings, fieldOf, problems));
        whole(settings.get("LLM_CIRCUIT_BREAKER_FAILURES"), 1, 1000, at + ".failures", problems);
        whole(settings.get("LLM_CIRCUIT_BREAKER_PROBES"), 1, 100, at + ".probes", problems);
        String coolDown = settings.get("LLM_CIRCUIT_BREAKER_COOL_DOWN");
        if (coolDown != null) {
            Duration max = Duration.ofHours(24);
            try {
                Duration d = Durations.parse(coolDown, max);
                if (d.compareTo(Duration.ofMillis(1)) < 0 || d.compareTo(max) > 0) {
                    problems.add(at + ".cool_down: expected a duration from 1ms to 24h, got \"" + coolDown + "\"");
                }
            } catch (IllegalArgumentException e) {
                problems.add(at + ".cool_down: " + e.getMessage());
            }
        }
    }

    /** Reports {@code value} unless it is a whole number from {@code min} to {@code max}; null passes. */
    private static void whole(String value, int min, int max, String at, List<String> problems) {
        if (value == null) {
            return;
        }
        try {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) {
                return;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(at + ": expected a whole number from " + min + " to " + max + ", got " + value);
    }

    /** {@return the route field that sets {@code variable}, or null} */
    private static String covering(String variable) {
        for (Map.Entry<String, String> e : PLAIN.entrySet()) {
            if (e.getValue().equals(variable)) {
                return e.getKey();
            }
        }
        for (Map.Entry<String, String> e : LIMITS.entrySet()) {
            if (e.getValue().equals(variable)) {
                return "limits." + e.getKey();
            }
        }
        for (Map.Entry<String, String> e : CACHE.entrySet()) {
            if (e.getValue().equals(variable)) {
                return "cache." + e.getKey();
            }
        }
        for (Map.Entry<String, String> e : CIRCUIT.entrySet()) {
            if (e.getValue().equals(variable)) {
                return "circuit_breaker." + e.getKey();
            }
        }
        return variable.equals("ENABLE_CACHE") ? "cache" : null;
    }

    private static void setting(JsonObject o, String f, String variable, String path, Map<String, String> settings,
                                Map<String, String> fieldOf, List<String> problems) {
        JsonValue v = o.get(f).orElse(JsonNull.INSTANCE);
        if (v instanceof JsonNull) {
            return;
        }
        String value = scalar(v);
        if (value == null || value.isBlank()) {
            problems.add(path + "." + f + ": expected a string or a number, got " + (value == null ? v.kind() : "an empty string"));
        } else if (looksLikeKey(value)) {
            problems.add(path + "." + f + ": the value looks like an API key, which never goes in this file; use the route's "
                    + "\"api_key_env\" or \"api_key_file\"");
        } else {
            settings.put(variable, value);
            fieldOf.put(variable, path + "." + f);
        }
    }

    private static String text(JsonObject o, String f, String path, List<String> problems) {
        JsonValue v = o.get(f).orElse(JsonNull.INSTANCE);
        if (v instanceof JsonNull) {
            return null;
        }
        if (v instanceof JsonString s && !s.value().isBlank()) {
            if (looksLikeKey(s.value())) {
                problems.add(path + "." + f + ": the value looks like an API key, which never goes in this file; use "
                        + "\"api_key_env\" (the name of an environment variable holding it) or \"api_key_file\" (the path of a "
                        + "file holding it)");
                return null;
            }
            return s.value().strip();
        }
        problems.add(path + "." + f + ": expected a non-empty string" + (v instanceof JsonString ? "" : ", got " + v.kind()));
        return null;
    }

    /** {@return a string, number or boolean as setting text; null for anything else} */
    private static String scalar(JsonValue v) {
        if (v instanceof JsonString s) {
            return s.value().strip();
        }
        if (v instanceof JsonNumber || v instanceof JsonBoolean) {
            return Json.write(v);
        }
        return null;
    }

    /** {@return whether a value starts like a provider's key} */
    static boolean looksLikeKey(String value) {
        String v = value.strip();
        for (String prefix : KEY_PREFIXES) {
            if (v.startsWith(prefix) && v.length() >= prefix.length() + 12) {
                return true;
            }
        }
        return false;
    }

    /** {@return {@code parent.name}, or {@code parent["name"]} when the name holds a dot} */
    static String field(String parent, String name) {
        return name.indexOf('.') < 0 && name.indexOf('[') < 0 ? parent + "." + name : parent + "[\"" + name + "\"]";
    }

    /** {@return the setting that holds a provider's key} */
    static String keyVariable(String provider) {
        return switch (provider) {
            case "openai", "openai-compatible" -> "OPENAI_API_KEY";
            case "deepseek" -> "DEEPSEEK_API_KEY";
            case "anthropic" -> "ANTHROPIC_API_KEY";
            case "gemini" -> "GEMINI_API_KEY";
            case "ollama" -> "OLLAMA_API_KEY";
            case "azure-openai" -> "AZURE_OPENAI_API_KEY";
            default -> provider.toUpperCase(Locale.ROOT).replace('-', '_') + "_API_KEY";
        };
    }

    /** {@return the setting that holds a provider's base URL} */
    static String baseVariable(String provider) {
        return switch (provider) {
            case "openai", "openai-compatible" -> "OPENAI_BASE_URL";
            case "deepseek" -> "DEEPSEEK_BASE_URL";
            case "anthropic" -> "ANTHROPIC_BASE_URL";
            case "gemini" -> "GEMINI_BASE_URL";
            case "ollama" -> "OLLAMA_HOST";
            case "azure-openai" -> "AZURE_OPENAI_BASE_URL";
            case "bedrock" -> "BEDROCK_BASE_URL";
            default -> provider.toUpperCase(Locale.ROOT).replace('-', '_') + "_BASE_URL";
        };
    }

    /**
     * {@return the connection settings a route's provider reads, given its settings}: where
     * another route's settings, merged in for a fallback, could change it
     */
    private static Set<String> reads(String provider, Map<String, String> settings) {
        String key = keyVariable(provider);
        String base = baseVariable(provider);
        boolean ownKey = settings.containsKey(key) || settings.containsKey(key + "_FILE");
        return switch (provider) {
            // Without a key of its own, deepseek reads the generic OpenAI settings.
            case "deepseek" -> ownKey ? Set.of(key, key + "_FILE", base)
                    : Set.of(key, key + "_FILE", base, "OPENAI_API_KEY", "OPENAI_API_KEY_FILE", "OPENAI_BASE_URL", "OPENAI_MODEL");
            case "bedrock" -> Set.of(base);
            default -> Set.of(key, key + "_FILE", base);
        };
    }

    // ---- making the clients

    /**
     * Makes the clients of {@code specs}, keeping those of {@code previous} whose route has the
     * same name and settings.
     *
     * @param env the environment: api_key_env names a variable here; proxies and AWS settings come from it
     * @param previous the clients in use and their fingerprints, to keep what did not change
     * @param config the file, for its error messages
     * @throws dev.parley.ConfigurationException naming every route that cannot be made, with the
     *         field and line; the clients made before are closed
     */
    static Built build(Specs specs, Map<String, String> env, Built previous, KeysConfig config, CacheStore sharedCache) {
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, String>> settings = new LinkedHashMap<>();
        Map<String, Map<String, String>> fieldsOf = new HashMap<>();
        for (Spec s : specs.routes().values()) {
            Map<String, String> fieldOf = new HashMap<>(s.fieldOf());
            Map<String, String> m = own(s, env, fieldOf, problems);
            if (m != null) {
                settings.put(s.name(), m);
                fieldsOf.put(s.name(), fieldOf);
            }
        }
        Map<String, Llm> made = new LinkedHashMap<>();
        Map<String, String> fingerprints = new LinkedHashMap<>();
        List<Llm> fresh = new ArrayList<>();
        for (Spec s : specs.routes().values()) {
            Map<String, String> m = settings.get(s.name());
            if (m == null) {
                continue;
            }
            Map<String, String> full = withFallbacks(s, m, settings, specs, fieldsOf.get(s.name()), problems);
            if (full == null) {
                continue;
            }
            String fingerprint = fingerprint(full);
            Llm kept = previous == null ? null : previous.routes().get(s.name());
            if (kept != null && fingerprint.equals(previous.fingerprints().get(s.name()))) {
                made.put(s.name(), kept);
            } else {
                try {
                    Llm llm = SharedCache.apply(Llm.newBuilder().settings(full), full, sharedCache).build();
                    fresh.add(llm);
                    made.put(s.name(), llm);
                } catch (LlmException | IllegalArgumentException e) {
                    problems.add(translate(e.getMessage(), s, fieldsOf.get(s.name())));
                    continue;
                }
            }
            fingerprints.put(s.name(), fingerprint);
        }
        if (!problems.isEmpty()) {
            fresh.forEach(Llm::close);
            throw config.problems(problems);
        }
        return new Built(made, specs.defaultRoute() == null ? null : made.get(specs.defaultRoute()), fingerprints);
    }

    /** {@return a route's own settings, its key included; null when its key cannot be had} */
    private static Map<String, String> own(Spec s, Map<String, String> env, Map<String, String> fieldOf, List<String> problems) {
        Map<String, String> m = new HashMap<>();
        for (String name : INHERITED) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                m.put(name, v);
            }
        }
        m.putAll(s.settings());
        m.put("LLM_PROVIDER", s.provider());
        String keyVariable = keyVariable(s.provider());
        if (s.keyEnv() != null) {
            String key = env.get(s.keyEnv());
            if (key == null || key.isBlank()) {
                problems.add(s.path() + ".api_key_env: the environment variable " + s.keyEnv() + " is not set");
                return null;
            }
            m.put(keyVariable, key);
            fieldOf.put(keyVariable, s.path() + ".api_key_env");
        } else if (s.keyFile() != null) {
            m.put(keyVariable + "_FILE", s.keyFile());
            fieldOf.put(keyVariable + "_FILE", s.path() + ".api_key_file");
            fieldOf.put(keyVariable, s.path() + ".api_key_file");
        }
        return m;
    }

    /** {@return {@code own} with the connection settings of the route's fallbacks and LLM_FALLBACK; null on a conflict} */
    private static Map<String, String> withFallbacks(Spec s, Map<String, String> own, Map<String, Map<String, String>> all,
                                                     Specs specs, Map<String, String> fieldOf, List<String> problems) {
        if (s.fallbacks().isEmpty()) {
            return own;
        }
        Map<String, String> m = new HashMap<>(own);
        List<String> entries = new ArrayList<>();
        boolean ok = true;
        for (Fallback f : s.fallbacks()) {
            Spec target = specs.routes().get(f.route());
            Map<String, String> theirs = all.get(f.route());
            if (target == null || theirs == null) {
                ok = false; // reported with that route
                continue;
            }
            Set<String> primary = reads(s.provider(), own);
            for (String variable : reads(target.provider(), theirs)) {
                // The fallback reads what the merged settings hold: they must be its own, and
                // merging them must not change what this route (or an earlier fallback) reads.
                if (!Objects.equals(m.get(variable), theirs.get(variable))
                        && (m.get(variable) != null || primary.contains(variable))) {
                    problems.add(f.path() + ": route \"" + f.route() + "\" cannot be a fallback of this route: their providers "
                            + "(" + s.provider() + ", " + target.provider() + ") both read " + variable
                            + ", with different values; call that route from the client instead");
                    ok = false;
                    break;
                }
            }
            for (String variable : reads(target.provider(), theirs)) {
                if (theirs.get(variable) != null) {
                    m.put(variable, theirs.get(variable));
                    fieldOf.putIfAbsent(variable, f.path());
                }
            }
            String model = f.model() != null ? f.model() : theirs.get("LLM_MODEL");
            if (model == null && own.get("LLM_MODEL") != null) {
                problems.add(f.path() + ": route \"" + f.route() + "\" has no model; name one (\"" + f.route()
                        + "/MODEL\") or give that route a \"model\"");
                ok = false;
            }
            entries.add(target.provider() + (model == null ? "" : "/" + model));
        }
        if (!ok) {
            return null;
        }
        m.put("LLM_FALLBACK", String.join(",", entries));
        return m;
    }

    /** {@return a message from {@code Llm.Builder}, reworded with the route's field in place of the setting} */
    private static String translate(String message, Spec s, Map<String, String> fieldOf) {
        String m = message == null ? "cannot be made" : message;
        if (m.contains("needs an API key")) {
            return s.path() + ": the " + s.provider() + " provider needs an API key: give \"api_key_env\" (the name of an "
                    + "environment variable holding it) or \"api_key_file\" (the path of a file holding it)";
        }
        int colon = m.indexOf(": ");
        if (colon > 0) {
            String field = fieldOf.get(m.substring(0, colon));
            if (field != null) {
                return field + ": " + m.substring(colon + 2);
            }
        }
        return s.path() + ": " + m;
    }

    /**
     * {@return a digest of a route's settings, and of the files they name}: equal when nothing
     * about the client would change; never the settings themselves, which hold the key
     */
    private static String fingerprint(Map<String, String> settings) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, String> e : new TreeMap<>(settings).entrySet()) {
                d.update((e.getKey() + "=" + e.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
                if (e.getKey().endsWith("_FILE")) {
                    try {
                        d.update(Files.readAllBytes(Path.of(e.getValue())));
                    } catch (IOException | RuntimeException unreadable) {
                        d.update("\u0000unreadable".getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
