package dev.parley.json;

/**
 * The checks behind the typed accessors of {@link JsonObject} and {@link JsonArray}. A member is
 * named by {@code key}, an element by {@code index} (with {@code key == null}); the path is only
 * rendered when a check fails.
 */
final class Access {

    private Access() {
    }

    static <T extends JsonValue> T require(JsonValue v, Class<T> type, String kind,
                                           JsonValue container, String key, int index) {
        if (type.isInstance(v)) {
            return type.cast(v);
        }
        throw new JsonAccessException(path(container, key, index),
                v == null ? "missing, expected " + kind : "expected " + kind + ", got " + v.kind());
    }

    /** {@return {@code v} as a {@code T}, or null when it is absent or JSON null} */
    static <T extends JsonValue> T optional(JsonValue v, Class<T> type, String kind,
                                            JsonValue container, String key, int index) {
        if (v == null || v == JsonNull.INSTANCE) {
            return null;
        }
        return require(v, type, kind, container, key, index);
    }

    static long toLong(JsonNumber n, JsonValue container, String key, int index) {
        try {
            return n.longValue();
        } catch (ArithmeticException e) {
            throw new JsonAccessException(path(container, key, index), e.getMessage(), e);
        }
    }

    static int toInt(JsonNumber n, JsonValue container, String key, int index) {
        try {
            return n.intValue();
        } catch (ArithmeticException e) {
            throw new JsonAccessException(path(container, key, index), e.getMessage(), e);
        }
    }

    static double toDouble(JsonNumber n, JsonValue container, String key, int index) {
        try {
            return n.doubleValue();
        } catch (ArithmeticException e) {
            throw new JsonAccessException(path(container, key, index), e.getMessage(), e);
        }
    }

    static String path(JsonValue container, String key, int index) {
        return key != null ? Paths.member(container, key) : Paths.element(container, index);
    }
}
