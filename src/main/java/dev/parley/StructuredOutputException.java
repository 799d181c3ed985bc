package dev.parley;

/**
 * Thrown when the model's answer cannot be made into the type asked for: it is not JSON, it does
 * not fit the type (after any repair turns), it was cut off at the token limit, the model
 * refused, or it called a tool instead of answering. The message says where and why, such as
 * {@code $.items[2].price: expected a number, got a string}; {@link #text()} is the last answer.
 */
public final class StructuredOutputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The text of the last answer. */
    private final String text;
    /** Where in the answer the problem is, such as {@code $.items[2].price}; {@code $} for the whole. */
    private final String path;
    /** What is wrong. */
    private final String reason;
    /** How many requests were made. */
    private final int attempts;

    /**
     * Creates an exception.
     *
     * @param text     the text of the last answer
     * @param path     where the problem is, such as {@code $.items[2].price}; {@code $} for the whole answer
     * @param reason   what is wrong, such as {@code expected a number, got a string}
     * @param attempts how many requests were made
     * @param cause    the parse or binding error, or null
     */
    public StructuredOutputException(String text, String path, String reason, int attempts, Throwable cause) {
        super("the answer does not fit the type" + (attempts > 1 ? " after " + attempts + " attempts" : "")
                + ": " + path + ": " + reason, cause);
        this.text = text == null ? "" : text;
        this.path = path;
        this.reason = reason;
        this.attempts = attempts;
    }

    /** {@return the text of the last answer} */
    public String text() {
        return text;
    }

    /** {@return where in the answer the problem is, such as {@code $.items[2].price}; {@code $} for the whole} */
    public String path() {
        return path;
    }

    /** {@return what is wrong, such as {@code expected a number, got a string}} */
    public String reason() {
        return reason;
    }

    /** {@return how many requests were made, repair turns included} */
    public int attempts() {
        return attempts;
    }
}
