package dev.parley.internal.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

import dev.parley.cache.CacheEntry;
import dev.parley.cache.CacheStore;

/**
 * A {@link CacheStore} on Redis, shared by every instance that uses it: one string per entry
 * under {@code parley:cache:<key>}, written with {@code SET ... PX} so that Redis drops it after
 * the cache TTL (default one day; the policy's own expiry still applies on read).
 *
 * <p>Value format, version 1: the 4 ASCII bytes {@code PRC1}, the write time as epoch seconds
 * (8 bytes, big-endian) and nanoseconds (4 bytes), then the JSON. An entry larger than the
 * configured maximum (default 4 MiB) is not stored and is counted in {@link #evictionCount()};
 * a value that is not in this format is a miss, counted in {@link #unreadableCount()}.
 *
 * <p>Fails open: while Redis cannot be reached (or refuses a command), a read is a miss and a
 * write is dropped, each counted in the shared state's health as a cache failure; no call waits
 * longer than the command timeout. Thread-safe.
 */
public final class RedisCacheStore implements CacheStore {

    private static final byte[] MAGIC = "PRC1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + 8 + 4;
    private static final Pattern KEY = Pattern.compile("[0-9A-Za-z_-]{1,128}");

    private final SharedState state;
    private final String prefix;
    private final LongAdder oversize = new LongAdder();
    private final LongAdder unreadable = new LongAdder();

    RedisCacheStore(SharedState state) {
        this.state = state;
        this.prefix = state.settings().prefix + "cache:";
    }

    private String redisKey(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("key: expected 1 to 128 letters, digits, '_' or '-'");
        }
        return prefix + key;
    }

    @Override
    public Optional<CacheEntry> get(String key) {
        String k = redisKey(key);
        Object v;
        try {
            v = state.client().call("GET", k);
        } catch (RedisException e) {
            fail(e);
            return Optional.empty();
        }
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof byte[] b) || b.length < HEADER || !Arrays.equals(b, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            unreadable.increment();
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(b, MAGIC.length, 12);
        long seconds = in.getLong();
        int nanos = in.getInt();
        try {
            return Optional.of(new CacheEntry(Arrays.copyOfRange(b, HEADER, b.length), Instant.ofEpochSecond(seconds, nanos)));
        } catch (RuntimeException e) {
            unreadable.increment();
            return Optional.empty();
        }
    }

    @Override
    public void put(String key, CacheEntry entry) {
        String k = redisKey(key);
        byte[] json = entry.json();
        if (json.length > state.settings().maxValueBytes - HEADER) {
            oversize.increment();
            return;
        }
        ByteBuffer out = ByteBuffer.allocate(HEADER + json.length);
        out.put(MAGIC).putLong(entry.writtenAt().getEpochSecond()).putInt(entry.writtenAt().getNano()).put(json);
        try {
            state.client().call("SET", k, out.array(), "PX", state.settings().cacheTtl.toMillis());
        } catch (RedisException e) {
            fail(e);
        }
    }

    @Override
    public void remove(String key) {
        try {
            state.client().call("UNLINK", redisKey(key));
        } catch (RedisException e) {
            fail(e);
        }
    }

    /** Removes every cache entry (the keys under the cache prefix, found with {@code SCAN}). */
    @Override
    public void clear() {
        try {
            scan(keys -> {
                if (!keys.isEmpty()) {
                    List<Object> command = new ArrayList<>(keys.size() + 1);
                    command.add("UNLINK");
                    command.addAll(keys);
                    state.client().call(command.toArray());
                }
            });
        } catch (RedisException e) {
            fail(e);
        }
    }

    /** {@return the number of cache entries (counted with {@code SCAN}); 0 while Redis is down} */
    @Override
    public long size() {
        long[] n = {0};
        try {
            scan(keys -> n[0] += keys.size());
        } catch (RedisException e) {
            fail(e);
            return 0;
        }
        return n[0];
    }

    private void scan(java.util.function.Consumer<List<Object>> batch) {
        String cursor = "0";
        do {
            List<Object> reply = RedisClient.list(state.client().call("SCAN", cursor, "MATCH", prefix + "*", "COUNT", 1000));
            cursor = new String((byte[]) reply.get(0), StandardCharsets.US_ASCII);
            batch.accept(RedisClient.list(reply.get(1)));
        } while (!cursor.equals("0"));
    }

    private void fail(RedisException e) {
        state.cacheFailures.increment();
        state.recordFailure(e);
    }

    /** {@return entries not stored because they were larger than the maximum value size} */
    @Override
    public long evictionCount() {
        return oversize.sum();
    }

    @Override
    public long unreadableCount() {
        return unreadable.sum();
    }

    @Override
    public String toString() {
        return "RedisCacheStore[" + state.settings().address() + "]";
    }
}
