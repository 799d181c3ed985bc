package dev.parley.internal;

import java.time.Duration;
import java.util.Map;

import dev.parley.Llm;
import dev.parley.cache.CachePolicy;
import dev.parley.cache.CacheStore;

/**
 * A gateway route's response cache on a store shared by every gateway instance (Redis), in place
 * of the cache its settings would make in this process: used for the routes {@code parley serve}
 * makes from the environment and for the routes of a configuration file, so that both follow one
 * rule. Stateless.
 */
public final class SharedCache {

    private SharedCache() {
    }

    /**
     * Gives {@code llm} a cache on {@code store} when {@code settings} turn caching on
     * ({@code ENABLE_CACHE}), expiring after their {@code CACHE_TTL}; {@code CACHE_DIR} and
     * {@code CACHE_MAX_ENTRIES} do not apply to a shared store. Malformed values are left for
     * {@link Llm.Builder#settings} to report.
     *
     * @param llm the route's builder, its settings already given
     * @param settings the route's settings
     * @param store the shared store, or null for none (nothing changes)
     * @return {@code llm}
     */
    public static Llm.Builder apply(Llm.Builder llm, Map<String, String> settings, CacheStore store) {
        if (store == null || !on(settings.get("ENABLE_CACHE"))) {
            return llm;
        }
        CachePolicy.Builder cache = CachePolicy.newBuilder().store(store);
        String ttl = settings.get("CACHE_TTL");
        if (ttl != null && !ttl.isBlank()) {
            cache.expireAfterWrite(Durations.parse(ttl, Duration.ofDays(3650)));
        }
        return llm.cache(cache.build());
    }

    private static boolean on(String v) {
        return v != null && Boolean.TRUE.equals(Flags.parse(v));
    }
}
