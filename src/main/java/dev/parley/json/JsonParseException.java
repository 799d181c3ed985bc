package dev.parley.json;

/**
 * Thrown when input is not JSON the parser accepts: a syntax error, invalid UTF-8, an unpaired
 * surrogate, input nested deeper or larger than the parser's limits, or a duplicate key when
 * the parser rejects them.
 *
 * <p>The message reads like {@code "expected ',' or '}' at line 3, column 14 (offset 57)"}.
 * Offsets count bytes for byte input and {@code char}s for character input; lines and columns
 * start at 1, and a column counts characters.
 */
public final class JsonParseException extends JsonException {

    private static final long serialVersionUID = 1L;

    /** What is wrong with the input. */
    private final String reason;
    /**
     * The offset of the error: in bytes for byte input, in {@code char}s for character input.
     */
    private final long offset;
    /** The line of the error, from 1. */
    private final long line;
    /** The column of the error in characters, from 1. */
    private final long column;

    /**
     * Creates an exception.
     *
     * @param reason a short description of what is wrong, without the position
     * @param offset the position of the problem in the input, from 0
     * @param line   the line of the problem, from 1
     * @param column the column of the problem, from 1
     */
    public JsonParseException(String reason, long offset, long line, long column) {
        super(reason + " at line " + line + ", column " + column + " (offset " + offset + ")");
        this.reason = reason;
        this.offset = offset;
        this.line = line;
        this.column = column;
    }

    /** {@return what is wrong, without the position} */
    public String reason() {
        return reason;
    }

    /** {@return where the problem is, from 0: bytes for byte input, chars for character input} */
    public long offset() {
        return offset;
    }

    /** {@return the line of the problem, from 1} */
    public long line() {
        return line;
    }

    /** {@return the column of the problem, from 1, in characters} */
    public long column() {
        return column;
    }
}
