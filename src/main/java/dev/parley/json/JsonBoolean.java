package dev.parley.json;

/**
 * The JSON literals {@code true} and {@code false}. There are exactly two instances.
 */
public final class JsonBoolean implements JsonValue {

    /** JSON {@code true}. */
    public static final JsonBoolean TRUE = new JsonBoolean(true);
    /** JSON {@code false}. */
    public static final JsonBoolean FALSE = new JsonBoolean(false);

    private final boolean value;

    private JsonBoolean(boolean value) {
        this.value = value;
    }

    /**
     * {@return the JSON boolean for {@code value}}
     *
     * @param value the boolean
     */
    public static JsonBoolean of(boolean value) {
        return value ? TRUE : FALSE;
    }

    /** {@return this boolean as a Java {@code boolean}} */
    public boolean value() {
        return value;
    }

    @Override
    public String kind() {
        return "boolean";
    }

    @Override
    public String toString() {
        return value ? "true" : "false";
    }
}
