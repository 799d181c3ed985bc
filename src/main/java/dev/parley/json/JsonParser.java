package dev.parley.json;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A strict RFC 8259 JSON parser with limits.
 *
 * <p>{@link Json#parse(byte[])} and friends use {@linkplain #defaults() the defaults}; build a
 * parser to change them:
 * {@snippet :
 * JsonParser parser = JsonParser.newBuilder()
 *         .maxDepth(64)                 // objects and arrays nested at most 64 deep
 *         .maxInputSize(1 << 20)        // at most 1 MiB of input
 *         .maxMembers(1000)             // at most 1,000 members in any one object
 *         .rejectDuplicateKeys(true)    // {"a":1,"a":2} is an error
 *         .build();
 * JsonValue v = parser.parse(bytes);
 * }
 *
 * <p>What it accepts: exactly the JSON text of RFC 8259, in UTF-8 for byte input, with one
 * leniency: a leading byte order mark (U+FEFF) is skipped. What it rejects, always with a
 * {@link JsonParseException}: anything else, including invalid UTF-8 (overlong forms, encoded
 * surrogates, code points above U+10FFFF, truncated sequences), unpaired surrogates written as
 * escapes or present in character input, input nested deeper than {@link #maxDepth()}, and
 * input longer than {@link #maxInputSize()}. Deep input never causes a
 * {@code StackOverflowError}: the parser does not recurse.
 *
 * <p>Duplicate keys: by default the last value wins and keeps the position of the first
 * occurrence, as in JavaScript's {@code JSON.parse}; with {@link Builder#rejectDuplicateKeys}
 * they are an error.
 *
 * <p>A parser is immutable and thread-safe.
 */
public final class JsonParser {

    /** The default nesting limit: {@value}. */
    public static final int DEFAULT_MAX_DEPTH = 1000;
    /** The default input size limit, in bytes (or chars, for character input): {@value} (128 MiB). */
    public static final int DEFAULT_MAX_INPUT_SIZE = 128 << 20;

    /**
     * The default limit on the members of one object: {@value}. Provider bodies have objects of
     * a few dozen members at most (long lists, such as embeddings, are arrays).
     */
    public static final int DEFAULT_MAX_MEMBERS = 100_000;

    private static final JsonParser DEFAULTS =
            new JsonParser(DEFAULT_MAX_DEPTH, DEFAULT_MAX_INPUT_SIZE, DEFAULT_MAX_MEMBERS, false);

    private final int maxDepth;
    private final int maxInputSize;
    private final int maxMembers;
    private final boolean rejectDuplicateKeys;

    private JsonParser(int maxDepth, int maxInputSize, int maxMembers, boolean rejectDuplicateKeys) {
        this.maxDepth = maxDepth;
        this.maxInputSize = maxInputSize;
        this.maxMembers = maxMembers;
        this.rejectDuplicateKeys = rejectDuplicateKeys;
    }

    /** {@return the parser with the default limits, which {@link Json} uses} */
    public static JsonParser defaults() {
        return DEFAULTS;
    }

    /** {@return a builder that starts from the defaults} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /** {@return the deepest nesting of objects and arrays accepted} */
    public int maxDepth() {
        return maxDepth;
    }

    /** {@return the longest input accepted, in bytes for byte input and chars for character input} */
    public int maxInputSize() {
        return maxInputSize;
    }

    /** {@return the most members accepted in one object, a repeated key counting each time} */
    public int maxMembers() {
        return maxMembers;
    }

    /** {@return whether a repeated key in an object is an error rather than last-wins} */
    public boolean rejectDuplicateKeys() {
        return rejectDuplicateKeys;
    }

    /**
     * Parses UTF-8 JSON text.
     *
     * @param utf8 the text; not modified, and not retained after the call
     * @return the value
     * @throws JsonParseException if the input is not acceptable JSON
     */
    public JsonValue parse(byte[] utf8) {
        return parse(utf8, 0, utf8.length);
    }

    /**
     * Parses UTF-8 JSON text from part of an array.
     *
     * @param utf8   holds the text
     * @param offset where the text starts
     * @param length how many bytes it has
     * @return the value
     * @throws JsonParseException if the input is not acceptable JSON; offsets in it count from {@code offset}
     */
    public JsonValue parse(byte[] utf8, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, utf8.length);
        if (length > maxInputSize) {
            throw ByteParser.error(utf8, offset, offset + maxInputSize,
                    "input is larger than the limit of " + maxInputSize + " bytes");
        }
        return ByteParser.parse(utf8, offset, offset + length, maxDepth, maxMembers, rejectDuplicateKeys);
    }

    /**
     * Parses JSON text held in characters.
     *
     * @param text the text
     * @return the value
     * @throws JsonParseException if the input is not acceptable JSON; offsets in it count chars
     */
    public JsonValue parse(CharSequence text) {
        int n = text.length();
        if (n > maxInputSize) {
            throw charError(text, maxInputSize, "input is larger than the limit of " + maxInputSize + " characters");
        }
        String s = text.toString();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw charError(s, i, String.format("unpaired surrogate U+%04X", (int) c));
                }
            }
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        try {
            return ByteParser.parse(utf8, 0, utf8.length, maxDepth, maxMembers, rejectDuplicateKeys);
        } catch (JsonParseException e) {
            if (utf8.length == n) {
                throw e;
            }
            int charOffset = new String(utf8, 0, (int) e.offset(), StandardCharsets.UTF_8).length();
            throw charError(s, charOffset, e.reason());
        }
    }

    /**
     * Reads UTF-8 JSON text to its end and parses it. The stream is not closed.
     *
     * @param in the stream
     * @return the value
     * @throws JsonParseException if the input is not acceptable JSON or is longer than {@link #maxInputSize()}
     * @throws IOException        if reading fails
     */
    public JsonValue parse(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(maxInputSize);
        if (bytes.length == maxInputSize && in.read() != -1) {
            throw ByteParser.error(bytes, 0, maxInputSize,
                    "input is larger than the limit of " + maxInputSize + " bytes");
        }
        return parse(bytes);
    }

    private static JsonParseException charError(CharSequence s, int offset, String reason) {
        long line = 1;
        long column = 1;
        for (int i = 0; i < offset; i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                line++;
                column = 1;
            } else if (!Character.isLowSurrogate(c)) {
                column++;
            }
        }
        return new JsonParseException(reason, offset, line, column);
    }

    /**
     * Configures a {@link JsonParser}. Not thread-safe; {@link #build()} takes a snapshot.
     */
    public static final class Builder {

        private int maxDepth = DEFAULT_MAX_DEPTH;
        private int maxInputSize = DEFAULT_MAX_INPUT_SIZE;
        private int maxMembers = DEFAULT_MAX_MEMBERS;
        private boolean rejectDuplicateKeys;

        private Builder() {
        }

        /**
         * Sets how deep objects and arrays may nest. Default {@value #DEFAULT_MAX_DEPTH}.
         *
         * @param maxDepth from 1 to {@link JsonValue#MAX_DEPTH}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxDepth(int maxDepth) {
            if (maxDepth < 1 || maxDepth > JsonValue.MAX_DEPTH) {
                throw new IllegalArgumentException("maxDepth must be from 1 to " + JsonValue.MAX_DEPTH + ", got " + maxDepth);
            }
            this.maxDepth = maxDepth;
            return this;
        }

        /**
         * Sets the longest input accepted, in bytes (chars for character input). Default 128 MiB.
         *
         * @param maxInputSize at least 1
         * @return this builder
         * @throws IllegalArgumentException if less than 1
         */
        public Builder maxInputSize(int maxInputSize) {
            if (maxInputSize < 1) {
                throw new IllegalArgumentException("maxInputSize must be at least 1, got " + maxInputSize);
            }
            this.maxInputSize = maxInputSize;
            return this;
        }

        /**
         * Sets the most members one object may have; a repeated key counts each time it
         * appears. Default {@value #DEFAULT_MAX_MEMBERS}. Arrays have no such limit.
         *
         * @param maxMembers at least 1
         * @return this builder
         * @throws IllegalArgumentException if less than 1
         */
        public Builder maxMembers(int maxMembers) {
            if (maxMembers < 1) {
                throw new IllegalArgumentException("maxMembers must be at least 1, got " + maxMembers);
            }
            this.maxMembers = maxMembers;
            return this;
        }

        /**
         * Sets whether a key repeated within one object is an error. Default {@code false}: the
         * last value wins.
         *
         * @param reject true to reject duplicates
         * @return this builder
         */
        public Builder rejectDuplicateKeys(boolean reject) {
            this.rejectDuplicateKeys = reject;
            return this;
        }

        /** {@return a parser with these settings} */
        public JsonParser build() {
            return new JsonParser(maxDepth, maxInputSize, maxMembers, rejectDuplicateKeys);
        }
    }
}
