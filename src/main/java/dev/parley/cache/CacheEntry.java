package dev.parley.cache;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One cached response as a {@link CacheStore} holds it: the response serialized as UTF-8 JSON,
 * and when it was written (for expiry).
 *
 * <p>The JSON is Parley's own serialization of the response (not the provider's body, which is
 * kept inside it); stores treat it as opaque bytes. The array is shared, not copied, to keep
 * large responses cheap: treat it as read-only.
 *
 * {@snippet :
 * CacheEntry entry = new CacheEntry(json, Instant.now());
 * store.put(key, entry);
 * }
 *
 * @param json      the serialized response; not null
 * @param writtenAt when the entry was written; not null
 */
public record CacheEntry(byte[] json, Instant writtenAt) {

    /** Validates the entry. */
    public CacheEntry {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(writtenAt, "writtenAt");
    }

    /** {@return the approximate memory the entry takes for {@code key}, in bytes} */
    long weight(String key) {
        return json.length + 2L * key.length() + 64;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CacheEntry e && e.writtenAt.equals(writtenAt) && Arrays.equals(e.json, json);
    }

    @Override
    public int hashCode() {
        return 31 * writtenAt.hashCode() + Arrays.hashCode(json);
    }

    @Override
    public String toString() {
        return "CacheEntry[json=" + json.length + " bytes, writtenAt=" + writtenAt + "]";
    }
}
