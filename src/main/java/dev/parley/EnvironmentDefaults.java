package dev.parley;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.parley.cache.CachePolicy;
import dev.parley.cache.CacheStore;
import dev.parley.cost.CostPolicy;
import dev.parley.limit.RateLimitPolicy;
import dev.parley.retry.RetryPolicy;
import dev.parley.route.CircuitBreaker;
import dev.parley.timeout.TimeoutPolicy;

/**
 * What the settings (environment variables, system properties or a map) say about an
 * {@link Llm}, parsed and checked at once. Each value is null when its variables are unset;
 * {@link Llm.Builder} uses a value only where no setter gave one, so explicit code always wins.
 * The policies are builders, checked already, that {@code Llm.Builder.build()} finishes with its
 * ticker.
 */
record EnvironmentDefaults(String providerName, Integer maxTokens, Double temperature, Duration timeout,
                           CostPolicy cost, Boolean logContent, RetryPolicy.Builder retry, TimeoutPolicy.Builder timeouts,
                           Duration connectTimeout, CachePolicy.Builder cache, RateLimitPolicy.Builder rateLimit,
                           CircuitBreaker.Builder circuitBreaker, List<Fallback> fallbacks) {

    static final EnvironmentDefaults NONE = new EnvironmentDefaults(null, null, null, null, null, null, null, null,
            null, null, null, null, List.of());

    /** A fallback named in {@code LLM_FALLBACK}: a provider and, optionally, a model. */
    record Fallback(String provider, String model) {
    }

    /** Parses every setting Parley reads. @throws ConfigurationException naming the first bad variable */
    static EnvironmentDefaults parse(Settings s) {
        String provider = s.get("LLM_PROVIDER");
        Double budget = s.decimal("LLM_BUDGET_USD", 1e-9, 1e12);
        String log = s.get("LLM_LOG_CONTENT");
        return new EnvironmentDefaults(
                provider == null ? null : provider.toLowerCase(Locale.ROOT),
                s.integer("MAX_TOKENS", 1, 10_000_000),
                s.decimal("TEMPERATURE", 0, 2),
                s.duration("LLM_TIMEOUT", Duration.ofDays(1)),
                budget == null ? null : CostPolicy.newBuilder().budget(budget).build(),
                log == null ? null : s.bool("LLM_LOG_CONTENT", false),
                retry(s),
                timeouts(s),
                s.duration("LLM_CONNECT_TIMEOUT", Duration.ofMinutes(10)),
                cache(s),
                rateLimit(s),
                circuitBreaker(s),
                fallbacks(s));
    }

    private static RetryPolicy.Builder retry(Settings s) {
        Integer retries = s.integer("LLM_MAX_RETRIES", 0, 10);
        return retries == null ? null : RetryPolicy.newBuilder().maxAttempts(retries + 1);
    }

    private static TimeoutPolicy.Builder timeouts(Settings s) {
        Duration attempt = s.duration("LLM_ATTEMPT_TIMEOUT", Duration.ofDays(1));
        Duration first = s.duration("LLM_FIRST_CHUNK_TIMEOUT", Duration.ofDays(1));
        Duration idle = s.duration("LLM_IDLE_TIMEOUT", Duration.ofDays(1));
        if (attempt == null && first == null && idle == null) {
            return null;
        }
        TimeoutPolicy.Builder b = TimeoutPolicy.newBuilder();
        if (attempt != null) {
            b.attemptTimeout(attempt);
        }
        if (first != null) {
            b.firstChunkTimeout(first);
        }
        if (idle != null) {
            b.idleTimeout(idle);
        }
        return b;
    }

    private static CachePolicy.Builder cache(Settings s) {
        Duration ttl = s.duration("CACHE_TTL", Duration.ofDays(3650));
        Integer maxEntries = s.integer("CACHE_MAX_ENTRIES", 1, 1_000_000_000);
        String dir = s.get("CACHE_DIR");
        if (!s.bool("ENABLE_CACHE", false)) {
            return null;
        }
        CachePolicy.Builder b = CachePolicy.newBuilder();
        if (ttl != null) {
            b.expireAfterWrite(ttl);
        }
        if (dir != null) {
            try {
                b.store(CacheStore.directory(Path.of(dir)));
            } catch (RuntimeException e) {
                throw Settings.config("CACHE_DIR", "cannot use " + dir + " as the cache directory (" + e.getMessage() + ")");
            }
        } else if (maxEntries != null) {
            b.maximumSize(maxEntries);
        }
        return b;
    }

    private static RateLimitPolicy.Builder rateLimit(Settings s) {
        Integer rpm = s.integer("MAX_REQUESTS_PER_MINUTE", 1, 1_000_000);
        Integer tpm = s.integer("MAX_TOKENS_PER_MINUTE", 1, 1_000_000_000);
        Integer concurrent = s.integer("MAX_CONCURRENT_REQUESTS", 1, 100_000);
        if (rpm == null && tpm == null && concurrent == null) {
            return null;
        }
        RateLimitPolicy.Builder b = RateLimitPolicy.newBuilder();
        if (rpm != null) {
            b.requestsPerWindow(rpm, Duration.ofMinutes(1));
        }
        if (tpm != null) {
            b.tokensPerWindow(tpm, Duration.ofMinutes(1));
        }
        if (concurrent != null) {
            b.maxConcurrent(concurrent);
        }
        return b;
    }

    /**
     * {@return the circuit breaker the settings ask for, or null}: {@code LLM_CIRCUIT_BREAKER_FAILURES}
     * turns one on; the cool-down and the probes alone are an error, so that a breaker is never
     * half-configured by mistake
     */
    private static CircuitBreaker.Builder circuitBreaker(Settings s) {
        Integer failures = s.integer("LLM_CIRCUIT_BREAKER_FAILURES", 1, 1000);
        Duration coolDown = s.duration("LLM_CIRCUIT_BREAKER_COOL_DOWN", Duration.ofHours(24));
        Integer probes = s.integer("LLM_CIRCUIT_BREAKER_PROBES", 1, 100);
        if (failures == null) {
            if (coolDown != null || probes != null) {
                throw Settings.config("LLM_CIRCUIT_BREAKER_FAILURES", "missing: it turns the circuit breaker on (how many "
                        + "failures in a row open the circuit, such as 5); "
                        + (coolDown != null ? "LLM_CIRCUIT_BREAKER_COOL_DOWN" : "LLM_CIRCUIT_BREAKER_PROBES") + " alone does not");
            }
            return null;
        }
        CircuitBreaker.Builder b = CircuitBreaker.newBuilder().failureThreshold(failures);
        if (coolDown != null) {
            if (coolDown.compareTo(Duration.ofMillis(1)) < 0) {
                throw Settings.config("LLM_CIRCUIT_BREAKER_COOL_DOWN", "expected at least 1ms, got " + s.get("LLM_CIRCUIT_BREAKER_COOL_DOWN"));
            }
            b.coolDown(coolDown);
        }
        if (probes != null) {
            b.halfOpenProbes(probes);
        }
        return b;
    }

    private static List<Fallback> fallbacks(Settings s) {
        String value = s.get("LLM_FALLBACK");
        List<Fallback> out = new ArrayList<>();
        if (value != null) {
            for (String entry : value.split(",")) {
                String e = entry.strip();
                if (e.isEmpty()) {
                    continue;
                }
                int slash = e.indexOf('/');
                String provider = (slash < 0 ? e : e.substring(0, slash)).strip().toLowerCase(Locale.ROOT);
                String model = slash < 0 ? null : e.substring(slash + 1).strip();
                if (provider.isEmpty() || (model != null && model.isEmpty())) {
                    throw Settings.config("LLM_FALLBACK", "expected provider or provider/model entries separated by commas, "
                            + "such as anthropic/claude-sonnet-4-5,ollama; got \"" + value + "\"");
                }
                out.add(new Fallback(provider, model));
            }
        }
        return List.copyOf(out);
    }
}
