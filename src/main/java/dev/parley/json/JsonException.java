package dev.parley.json;

/**
 * The base of the JSON codec's exceptions: {@link JsonParseException} for text that is not
 * acceptable JSON, {@link JsonAccessException} for JSON of an unexpected shape.
 */
public sealed class JsonException extends RuntimeException permits JsonParseException, JsonAccessException {

    private static final long serialVersionUID = 1L;

    JsonException(String message) {
        super(message);
    }

    JsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
