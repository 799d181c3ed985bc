package dev.parley.cache;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a {@link CachePolicy} keeps its entries: in memory by default, in a directory that
 * survives restarts with {@link #directory(Path)}, or in a store a team shares (implement this
 * interface over Redis, a database ...).
 *
 * {@snippet :
 * CachePolicy cache = CachePolicy.newBuilder()
 *         .store(CacheStore.directory(Path.of("/var/cache/parley")))
 *         .expireAfterWrite(Duration.ofDays(1))
 *         .build();
 * }
 *
 * <p>Keys are 64 lowercase hex digits (a SHA-256 hash of the request), so they fit in file
 * names and URLs; the entries hold no request text. The policy handles expiry: a store returns
 * what it holds and may drop entries whenever it likes (to respect its own bounds).
 *
 * <p>Implementations must be thread-safe. A store should not throw: a cache that fails should
 * behave as a cache that misses. (The policy treats a {@code RuntimeException} from a store as a
 * miss and logs it, without failing the call.)
 */
public interface CacheStore {

    /**
     * {@return the entry stored under {@code key}, or empty if there is none or it cannot be read}
     *
     * @param key the key
     */
    Optional<CacheEntry> get(String key);

    /**
     * Stores {@code entry} under {@code key}, replacing any entry there.
     *
     * @param key   the key
     * @param entry the entry
     */
    void put(String key, CacheEntry entry);

    /**
     * Removes the entry under {@code key}, if there is one.
     *
     * @param key the key
     */
    void remove(String key);

    /** Removes every entry. */
    void clear();

    /** {@return the number of entries held} */
    long size();

    /** {@return how many entries this store dropped to stay within its bounds; 0 for a store without bounds} */
    default long evictionCount() {
        return 0;
    }

    /** {@return how many stored entries could not be read (corrupt, truncated or foreign) and were skipped} */
    default long unreadableCount() {
        return 0;
    }

    /**
     * {@return a store in memory that keeps at most {@code maximumSize} entries and about
     * {@code maximumBytes} bytes, dropping the least recently used entries first}
     *
     * @param maximumSize  the most entries, from 1 to 1,000,000,000
     * @param maximumBytes the most bytes, from 1024 to 2<sup>40</sup> (1 TiB); an entry
     *                     larger than this is not stored
     * @throws IllegalArgumentException if a bound is out of range
     */
    static CacheStore inMemory(long maximumSize, long maximumBytes) {
        return new MemoryCacheStore(CachePolicy.checkMaximumSize(maximumSize),
                CachePolicy.checkMaximumBytes(maximumBytes));
    }

    /**
     * {@return a store that keeps one file per entry in {@code directory}, which survives
     * restarts}. The directory is created if needed. Files are written to a temporary file and
     * moved into place atomically, so a reader never sees half an entry; a file that is corrupt,
     * truncated, of another format version or not a cache file is skipped, counted in
     * {@link #unreadableCount()} and reported to the {@link System.Logger} named
     * {@code dev.parley.cache} at {@code WARNING} (naming the file, never its content). The store
     * has no size bound: expired entries are deleted when they are next read.
     *
     * @param directory the directory
     * @throws dev.parley.ConfigurationException if the directory cannot be created
     */
    static CacheStore directory(Path directory) {
        return new DirectoryCacheStore(directory, DirectoryCacheStore.LOG);
    }
}
