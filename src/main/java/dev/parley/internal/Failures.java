package dev.parley.internal;

/** Describes exceptions for people: what went wrong, never a Java class name. */
public final class Failures {

    private Failures() {
    }

    /**
     * {@return the exception's message, or a plain description when it has none} For an error
     * message that a user reads; the exception itself goes along as the cause, for a stack trace.
     *
     * @param t what was thrown
     */
    public static String describe(Throwable t) {
        String message = t.getMessage();
        if (message != null && !message.isBlank()) {
            return message;
        }
        if (t instanceof java.io.IOException) {
            return "an input or output error, with no detail";
        }
        if (t instanceof NullPointerException) {
            return "a missing value, with no detail (a bug)";
        }
        return "an internal error, with no detail (a bug)";
    }
}
