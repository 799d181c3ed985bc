package dev.parley.json;

/**
 * An immutable JSON value: an object, an array, a string, a number, a boolean or null.
 *
 * <p>The family is sealed so that code can switch over it exhaustively:
 * {@snippet :
 * String describe(JsonValue v) {
 *     return switch (v) {
 *         case JsonObject o -> "object of " + o.size();
 *         case JsonArray a -> "array of " + a.size();
 *         case JsonString s -> "string " + s.value();
 *         case JsonNumber n -> "number " + n;
 *         case JsonBoolean b -> "boolean " + b.value();
 *         case JsonNull n -> "null";
 *     };
 * }
 * }
 *
 * <p>{@code toString()} of every value is its compact JSON text, as written by
 * {@link Json#write(JsonValue)}. All values are immutable and safe to share between threads.
 */
public sealed interface JsonValue permits JsonObject, JsonArray, JsonString, JsonNumber, JsonBoolean, JsonNull {

    /** The deepest nesting of objects and arrays that any JSON value may have: {@value}. */
    int MAX_DEPTH = 4096;

    /** {@return the kind of this value, as used in error messages: "object", "array", "string", "number", "boolean" or "null"} */
    String kind();
}
