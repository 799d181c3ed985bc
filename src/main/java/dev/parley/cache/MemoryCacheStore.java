package dev.parley.cache;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory {@link CacheStore}: a map in access order under a lock, which drops the least
 * recently used entries when there are more than {@code maximumSize} of them or they weigh more
 * than {@code maximumBytes}. Thread-safe; the lock is a {@link ReentrantLock}, held only for
 * map operations, so it does not pin virtual threads.
 */
final class MemoryCacheStore implements CacheStore {

    private final long maximumSize;
    private final long maximumBytes;
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private final LinkedHashMap<String, CacheEntry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long evictions;

    MemoryCacheStore(long maximumSize, long maximumBytes) {
        this.maximumSize = maximumSize;
        this.maximumBytes = maximumBytes;
    }

    @Override
    public Optional<CacheEntry> get(String key) {
        lock.lock();
        try {
            return Optional.ofNullable(entries.get(key));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void put(String key, CacheEntry entry) {
        long weight = entry.weight(key);
        lock.lock();
        try {
            CacheEntry old = entries.remove(key);
            if (old != null) {
                bytes -= old.weight(key);
            }
            if (weight > maximumBytes) {
                return; // would evict everything and still not fit
            }
            entries.put(key, entry);
            bytes += weight;
            Iterator<Map.Entry<String, CacheEntry>> eldest = entries.entrySet().iterator();
            while (entries.size() > maximumSize || bytes > maximumBytes) {
                Map.Entry<String, CacheEntry> e = eldest.next();
                bytes -= e.getValue().weight(e.getKey());
                eldest.remove();
                evictions++;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void remove(String key) {
        lock.lock();
        try {
            CacheEntry old = entries.remove(key);
            if (old != null) {
                bytes -= old.weight(key);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void clear() {
        lock.lock();
        try {
            entries.clear();
            bytes = 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    /** {@return the approximate bytes held} */
    long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long evictionCount() {
        lock.lock();
        try {
            return evictions;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "CacheStore.inMemory(" + maximumSize + " entries, " + maximumBytes + " bytes)";
    }
}
