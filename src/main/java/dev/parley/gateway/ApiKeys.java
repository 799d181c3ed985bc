package dev.parley.gateway;

import java.security.MessageDigest;
import java.util.Collection;
import java.util.Locale;

/**
 * The client keys the gateway accepts, kept only as SHA-256 digests.
 *
 * <p>A presented key is hashed and compared with every stored digest using
 * {@link MessageDigest#isEqual}, without stopping at a match: the time taken depends neither on
 * how much of a key matches nor on its length (digests have a fixed length), nor on which key
 * matched. The presented key is compared exactly, nothing trimmed. The keys themselves are not kept, so they cannot be logged or echoed. Immutable and
 * thread-safe.
 */
final class ApiKeys {

    private static final String BEARER = "bearer ";

    private final byte[][] digests;

    private ApiKeys(byte[][] digests) {
        this.digests = digests;
    }

    /**
     * {@return the keys, as digests}
     *
     * @throws IllegalArgumentException if a key is blank or holds whitespace (which a header cannot carry intact)
     */
    static ApiKeys of(Collection<String> keys) {
        byte[][] d = new byte[keys.size()][];
        int i = 0;
        for (String k : keys) {
            if (k == null || k.isEmpty() || k.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("apiKeys: keys must be non-empty and hold no whitespace");
            }
            d[i++] = digest(k);
        }
        return new ApiKeys(d);
    }

    /** {@return whether any key is required} */
    boolean enabled() {
        return digests.length > 0;
    }

    /** {@return how many keys are accepted} */
    int count() {
        return digests.length;
    }

    /** {@return whether the {@code Authorization} header value carries an accepted bearer key} */
    boolean accepts(String authorization) {
        String key = bearer(authorization);
        if (key == null) {
            return false;
        }
        byte[] presented = digest(key);
        boolean match = false;
        for (byte[] d : digests) {
            match |= MessageDigest.isEqual(d, presented);
        }
        return match;
    }

    /** {@return the key an {@code Authorization} header carries as {@code Bearer <key>}, or null} */
    static String bearer(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return null;
        }
        // The exact bytes after "Bearer ": no trimming, so a key with a control character or a
        // space around it is not the key (an HTTP server already strips the header's own spaces).
        return authorization.substring(BEARER.length());
    }

    private static byte[] digest(String key) {
        return KeysConfig.digest(key);
    }

    @Override
    public String toString() {
        return "ApiKeys[" + digests.length + " keys]";
    }
}
