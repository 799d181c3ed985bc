package dev.parley.cache;

/**
 * A snapshot of a {@link CachePolicy}'s counters since it was built, from
 * {@link CachePolicy#stats()}. Immutable.
 *
 * {@snippet :
 * CacheStats s = cache.stats();
 * System.out.printf("hit rate %.1f%%, %d evictions%n", 100 * s.hitRate(), s.evictionCount());
 * }
 *
 * @param hitCount         calls answered without calling the provider: from the store, or by
 *                         sharing the result of an identical call in flight
 * @param missCount        calls not answered from the cache: each called the provider, or waited
 *                         for an identical call that failed or outlasted its deadline
 * @param coalescedCount   calls that waited for an identical call already in flight, looking up
 *                         the cache or calling the provider (counted in the hits or misses too)
 * @param bypassCount      calls that skipped the cache because the call switched it off
 * @param loadFailureCount calls to the provider that failed (failures are not cached)
 * @param evictionCount    entries dropped because they expired, or to keep the store in its bounds
 * @param unreadableCount  stored entries that could not be read (corrupt, truncated or foreign)
 *                         and were skipped
 */
public record CacheStats(long hitCount, long missCount, long coalescedCount, long bypassCount,
                         long loadFailureCount, long evictionCount, long unreadableCount) {

    /** Validates that no count is negative. */
    public CacheStats {
        if (hitCount < 0 || missCount < 0 || coalescedCount < 0 || bypassCount < 0 || loadFailureCount < 0
                || evictionCount < 0 || unreadableCount < 0) {
            throw new IllegalArgumentException("cache stats: counts must not be negative");
        }
    }

    /** {@return the calls that used the cache: hits plus misses (not the bypasses)} */
    public long requestCount() {
        return hitCount + missCount;
    }

    /** {@return the share of {@link #requestCount()} that hit, 0 to 1; 1 when there were no requests} */
    public double hitRate() {
        long requests = requestCount();
        return requests == 0 ? 1.0 : (double) hitCount / requests;
    }

    /** {@return the share of {@link #requestCount()} that missed, 0 to 1; 0 when there were no requests} */
    public double missRate() {
        long requests = requestCount();
        return requests == 0 ? 0.0 : (double) missCount / requests;
    }
}
