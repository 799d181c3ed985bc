package dev.parley.json;

import java.util.Objects;

/**
 * A JSON string.
 *
 * <p>Two strings are equal when their values are equal. Immutable and thread-safe.
 */
public final class JsonString implements JsonValue {

    private static final JsonString EMPTY = new JsonString("");

    private final String value;

    private JsonString(String value) {
        this.value = value;
    }

    /**
     * {@return a JSON string holding {@code value}}
     *
     * @param value the text; any Java string may be held, but one with an unpaired surrogate
     *              cannot be written as JSON and makes {@link Json#write(JsonValue)} fail
     */
    public static JsonString of(String value) {
        Objects.requireNonNull(value, "value");
        return value.isEmpty() ? EMPTY : new JsonString(value);
    }

    /** {@return the string's value, unescaped} */
    public String value() {
        return value;
    }

    @Override
    public String kind() {
        return "string";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonString s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    /** {@return this string as a quoted, escaped JSON string literal} */
    @Override
    public String toString() {
        return Json.write(this);
    }
}
