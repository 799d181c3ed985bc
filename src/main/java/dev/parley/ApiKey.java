package dev.parley;

import java.util.Objects;

/**
 * An API key, kept out of logs: {@link #toString()} never shows it, and error messages that
 * echo it are scrubbed with {@link #redact(String)}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ApiKey {

    private final String value;

    private ApiKey(String value) {
        this.value = value;
    }

    /**
     * {@return a key}
     *
     * @param value the key as the provider issued it
     * @throws IllegalArgumentException if it is blank or holds a line break or other control
     *                                  character (it would corrupt the HTTP headers)
     */
    public static ApiKey of(String value) {
        Objects.requireNonNull(value, "value");
        String v = value.strip();
        if (v.isEmpty()) {
            throw new IllegalArgumentException("API key is empty");
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                throw new IllegalArgumentException("API key holds a control character at position " + i
                        + "; check how it was read (a stray line break?)");
            }
        }
        return new ApiKey(v);
    }

    /** {@return the key itself, for the one place that must send it: the request header} */
    public String value() {
        return value;
    }

    /**
     * {@return {@code text} with every occurrence of this key replaced by {@code [redacted]}; null for null}
     *
     * @param text the text to clean, may be null
     */
    public String redact(String text) {
        return text == null ? null : text.replace(value, "[redacted]");
    }

    /** {@return "ApiKey[redacted]"; never the key} */
    @Override
    public String toString() {
        return "ApiKey[redacted]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiKey k && java.security.MessageDigest.isEqual(
                k.value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
