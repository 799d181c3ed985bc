package dev.parley.schema;

/**
 * Thrown when a JSON value does not fit the Java type asked for: a missing property, a string
 * where a number belongs, a number out of range, an unknown enum constant, or a value the
 * record's own constructor rejects. The message names the place and the reason, such as
 * {@code $.items[2].price: expected a number, got a string}, in words that can be sent back to
 * the model that wrote the JSON.
 */
public final class JsonBindException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Where the value is, such as {@code $.items[2].price}. */
    private final String path;
    /** What is wrong with it. */
    private final String reason;

    /**
     * Creates an exception.
     *
     * @param path   where the value is, such as {@code $.items[2].price}; {@code $} is the whole document
     * @param reason what is wrong with it, such as {@code expected a number, got a string}
     */
    public JsonBindException(String path, String reason) {
        super(path + ": " + reason);
        this.path = path;
        this.reason = reason;
    }

    /** {@return where the value is, such as {@code $.items[2].price}; {@code $} is the whole document} */
    public String path() {
        return path;
    }

    /** {@return what is wrong with the value, such as {@code expected a number, got a string}} */
    public String reason() {
        return reason;
    }
}
