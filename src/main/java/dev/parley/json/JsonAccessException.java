package dev.parley.json;

/**
 * Thrown by the typed accessors of {@link JsonObject}, {@link JsonArray} and {@link JsonNumber}
 * when a value is missing, of another kind than asked for, or does not fit the Java type asked
 * for. The message starts with the path of the value in the document it was parsed from, for
 * example {@code "choices[0].delta.content: expected string, got number"}.
 */
public final class JsonAccessException extends JsonException {

    private static final long serialVersionUID = 1L;

    /**
     * Where the value is, such as {@code choices[0].delta.content}.
     */
    private final String path;

    /**
     * Creates an exception.
     *
     * @param path    where the value is, such as {@code choices[0].delta.content}
     * @param problem what is wrong with it, such as {@code expected string, got number}
     */
    public JsonAccessException(String path, String problem) {
        super(path.isEmpty() ? problem : path + ": " + problem);
        this.path = path;
    }

    JsonAccessException(String path, String problem, Throwable cause) {
        super(path.isEmpty() ? problem : path + ": " + problem, cause);
        this.path = path;
    }

    /** {@return the path of the value, such as {@code choices[0].delta.content}, or "" for the root} */
    public String path() {
        return path;
    }
}
