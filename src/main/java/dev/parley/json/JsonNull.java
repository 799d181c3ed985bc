package dev.parley.json;

/**
 * The JSON literal {@code null}. There is a single instance, {@link #INSTANCE}.
 */
public final class JsonNull implements JsonValue {

    /** The only {@code JsonNull}. */
    public static final JsonNull INSTANCE = new JsonNull();

    private JsonNull() {
    }

    /** {@return the JSON null value} */
    public static JsonNull of() {
        return INSTANCE;
    }

    @Override
    public String kind() {
        return "null";
    }

    @Override
    public String toString() {
        return "null";
    }
}
