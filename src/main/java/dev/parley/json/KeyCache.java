package dev.parley.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Shares the {@code String}s of object keys between parses, so that the keys every response
 * repeats ({@code "role"}, {@code "content"}, {@code "index"} …) are not decoded and allocated
 * again each time.
 *
 * <p>A fixed table of {@value #SIZE} slots, indexed by a hash of the key's bytes: a slot holds
 * the last key that hashed to it, and a new key replaces it. So the cache never grows, and
 * holds at most {@value #SIZE} keys of at most {@value #MAX_LENGTH} chars.
 *
 * <p>Thread-safe without locks: slots are read and written racily, which is safe because an
 * {@link Entry} is immutable and safely published (its fields are final), and because a hit is
 * always checked against all the key's bytes; a lost update only costs a miss.
 */
final class KeyCache {

    /** Slots in the table; a power of two. */
    static final int SIZE = 1024;
    /** Longer keys are not cached. */
    static final int MAX_LENGTH = 32;

    private static final int SHIFT = 64 - Integer.numberOfTrailingZeros(SIZE);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final Entry[] TABLE = new Entry[SIZE];

    /**
     * A cached key. {@code head} and {@code tail} are its first and last 8 bytes, read
     * little-endian (zero-padded when shorter than 8), which cover a key of up to 16 bytes;
     * {@code bytes} holds a longer key's bytes.
     */
    private record Entry(String key, long head, long tail, byte[] bytes) {
    }

    private KeyCache() {
    }

    /** {@return the key held by {@code buf[from, from + length)}, plain ASCII bytes, 0 < length} */
    static String key(byte[] buf, int from, int length) {
        if (length > MAX_LENGTH) {
            return new String(buf, from, length, StandardCharsets.ISO_8859_1);
        }
        long head;
        long tail;
        if (length >= 8) {
            head = (long) LONGS.get(buf, from);
            tail = (long) LONGS.get(buf, from + length - 8);
        } else {
            // Read 8 bytes when the array has them, and keep the key's.
            head = from + 8 <= buf.length
                    ? (long) LONGS.get(buf, from) & ((1L << (length << 3)) - 1)
                    : shortHead(buf, from, length);
            tail = 0;
        }
        long h = (head * 0x9E3779B97F4A7C15L) ^ (tail * 0xC2B2AE3D27D4EB4FL) ^ length;
        int slot = (int) ((h ^ (h >>> 29)) * 0x9E3779B97F4A7C15L >>> SHIFT);
        Entry e = TABLE[slot];
        if (e != null && e.head == head && e.tail == tail && e.key.length() == length
                && (length <= 16 || Arrays.equals(e.bytes, 0, length, buf, from, from + length))) {
            return e.key;
        }
        String key = new String(buf, from, length, StandardCharsets.ISO_8859_1);
        TABLE[slot] = new Entry(key, head, tail, length <= 16 ? null : Arrays.copyOfRange(buf, from, from + length));
        return key;
    }

    /** {@return the bytes of a key shorter than 8 near the end of the array, little-endian} */
    private static long shortHead(byte[] buf, int from, int length) {
        long v = 0;
        for (int i = length - 1; i >= 0; i--) {
            v = (v << 8) | (buf[from + i] & 0xFF);
        }
        return v;
    }

    /** {@return the key cached in {@code slot}, or null}; for tests */
    static String cached(int slot) {
        Entry e = TABLE[slot];
        return e == null ? null : e.key;
    }
}
