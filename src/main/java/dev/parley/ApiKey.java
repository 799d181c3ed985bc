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
     * @param value the key as the provider issued it; surrounding white space (a key file's
     *              trailing line break) is trimmed
     * @throws IllegalArgumentException if it is blank or holds a character that cannot be sent
     *                                  in an HTTP header: anything but printable ASCII, such as
     *                                  a line break, a space, a typographic quote or a zero-width
     *                                  space from a copy-paste. The message gives the position
     *                                  and the kind of the character, never the key.
     */
    public static ApiKey of(String value) {
        Objects.requireNonNull(value, "value");
        String v = value.strip();
        if (v.isEmpty()) {
            throw new IllegalArgumentException("the API key is empty");
        }
        int position = 1;
        for (int i = 0; i < v.length(); position++) {
            int c = v.codePointAt(i);
            if (c < 0x21 || c > 0x7E) {
                throw new IllegalArgumentException("the API key cannot be sent in an HTTP header: character " + position
                        + " is " + describe(c) + "; a key is printable ASCII, so check how it was copied or read");
            }
            i += Character.charCount(c);
        }
        return new ApiKey(v);
    }

    private static String describe(int c) {
        String code = String.format("U+%04X", c);
        return switch (c) {
            case ' ' -> "a space";
            case 0x2018, 0x2019, 0x201C, 0x201D -> code + " (a typographic quote)";
            case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF -> code + " (an invisible zero-width character)";
            case 0x2028, 0x2029, 0x0A, 0x0D -> code + " (a line break)";
            case 0xA0 -> code + " (a no-break space)";
            default -> code + (c < 0x20 || (c >= 0x7F && c <= 0x9F) ? " (a control character)" : " (not ASCII)");
        };
    }

    /** {@return the key itself, for the one place that must send it: the request header} */
    public String value() {
        return value;
    }

    /**
     * Keys at least this long are replaced wherever they occur: a string that long does not turn
     * up in a message by chance. A shorter key (a local proxy's token, a test's "x") is replaced
     * only where it stands alone, not next to a letter or digit, so that "ConnectException"
     * with the key "x" neither prints as "ConnectE[redacted]ception" nor shows where the key is.
     */
    static final int MIN_EMBEDDED = 8;

    /**
     * {@return {@code text} with this key replaced by {@code [redacted]}; null for null}: every
     * occurrence of a key of 8 characters or more, and every occurrence of a shorter key that
     * is not part of a longer word or number.
     *
     * @param text a message that may echo the key
     */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        if (value.length() >= MIN_EMBEDDED) {
            return text.replace(value, "[redacted]");
        }
        StringBuilder sb = null;
        int from = 0;
        for (int at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
            int end = at + value.length();
            boolean alone = (at == 0 || !Character.isLetterOrDigit(text.charAt(at - 1)))
                    && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end)));
            if (alone && at >= from) {
                if (sb == null) {
                    sb = new StringBuilder(text.length());
                }
                sb.append(text, from, at).append("[redacted]");
                from = end;
            }
        }
        return sb == null ? text : sb.append(text, from, text.length()).toString();
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
