package dev.parley.json;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A JSON array: an ordered list of values.
 *
 * <p>Typed accessors such as {@link #object(int)} fail with a {@link JsonAccessException} whose
 * message names the path, such as {@code choices[1]: expected object, got string}. Two arrays
 * are equal when they hold equal values in the same order. Arrays are immutable and
 * thread-safe; build one with {@link #of(JsonValue...)}, {@link #of(List)} or {@link #newBuilder()}.
 */
public final class JsonArray implements JsonValue {

    private static final JsonValue[] NO_VALUES = {};
    private static final JsonArray EMPTY = new JsonArray(NO_VALUES, false);

    final JsonValue[] values;
    final int depth;

    // Where this array was parsed from; set once by the parser, read only for error messages.
    JsonValue parent;
    String parentKey;
    int parentIndex;

    /** Takes ownership of {@code values}. */
    JsonArray(JsonValue[] values, boolean link) {
        this.values = values;
        int d = 0;
        for (int i = 0; i < values.length; i++) {
            JsonValue v = values[i];
            if (v instanceof JsonObject o) {
                d = Math.max(d, o.depth);
                if (link && o.parent == null) {
                    o.parent = this;
                    o.parentIndex = i;
                }
            } else if (v instanceof JsonArray a) {
                d = Math.max(d, a.depth);
                if (link && a.parent == null) {
                    a.parent = this;
                    a.parentIndex = i;
                }
            }
        }
        if (d >= MAX_DEPTH) {
            throw new IllegalArgumentException("JSON values may nest at most " + MAX_DEPTH + " deep");
        }
        this.depth = d + 1;
    }

    /**
     * {@return an array of the given values}
     *
     * @param values the elements, in order
     */
    public static JsonArray of(JsonValue... values) {
        return values.length == 0 ? EMPTY : new JsonArray(checked(values.clone()), false);
    }

    /**
     * {@return an array of the values in {@code values}}
     *
     * @param values the elements, in order
     */
    public static JsonArray of(List<? extends JsonValue> values) {
        return values.isEmpty() ? EMPTY : new JsonArray(checked(values.toArray(NO_VALUES)), false);
    }

    /**
     * {@return an array of JSON strings}
     *
     * @param strings the strings, in order
     */
    public static JsonArray ofStrings(List<String> strings) {
        JsonValue[] values = new JsonValue[strings.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = JsonString.of(strings.get(i));
        }
        return values.length == 0 ? EMPTY : new JsonArray(values, false);
    }

    /** {@return a new, empty builder} */
    public static Builder newBuilder() {
        return new Builder();
    }

    private static JsonValue[] checked(JsonValue[] values) {
        for (int i = 0; i < values.length; i++) {
            Objects.requireNonNull(values[i], "values[" + i + "]");
        }
        return values;
    }

    @Override
    public String kind() {
        return "array";
    }

    /** {@return the number of elements} */
    public int size() {
        return values.length;
    }

    /** {@return whether there are no elements} */
    public boolean isEmpty() {
        return values.length == 0;
    }

    /** {@return the elements as an unmodifiable list} */
    public List<JsonValue> values() {
        return new ValuesView();
    }

    /**
     * {@return element {@code index}}
     *
     * @param index the element's index, from 0
     * @throws JsonAccessException if {@code index} is out of range
     */
    public JsonValue get(int index) {
        if (index < 0 || index >= values.length) {
            throw new JsonAccessException(Paths.element(this, index),
                    "index out of range for an array of " + values.length);
        }
        return values[index];
    }

    /**
     * {@return the string at {@code index}}
     *
     * @param index the element's index, from 0
     * @throws JsonAccessException if out of range or not a string
     */
    public String string(int index) {
        return Access.require(get(index), JsonString.class, "string", this, null, index).value();
    }

    /**
     * {@return the number at {@code index}}
     *
     * @param index the element's index, from 0
     * @throws JsonAccessException if out of range or not a number
     */
    public JsonNumber number(int index) {
        return Access.require(get(index), JsonNumber.class, "number", this, null, index);
    }

    /**
     * {@return the integer at {@code index}}
     *
     * @param index the element's index, from 0
     * @throws JsonAccessException if out of range, not a number, or not a long
     */
    public long longValue(int index) {
        return Access.toLong(number(index), this, null, index);
    }

    /**
     * {@return the number at {@code index} as a double}
     *
     * @param index the element's index, from 0
     * @throws JsonAccessException if out of range, not a number, or too large
     */
    public double doubleValue(int index) {
        return Access.toDouble(number(index), this, null, index);
    }

    /**
     * {@return the object at {@code index}}
     *
     * @param index the element's index, from 0
     * @throws JsonAccessException if out of range or not an object
     */
    public JsonObject object(int index) {
        return Access.require(get(index), JsonObject.class, "object", this, null, index);
    }

    /**
     * {@return the array at {@code index}}
     *
     * @param index the element's index, from 0
     * @throws JsonAccessException if out of range or not an array
     */
    public JsonArray array(int index) {
        return Access.require(get(index), JsonArray.class, "array", this, null, index);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof JsonArray a && Arrays.equals(values, a.values));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    /** {@return this array as compact JSON text} */
    @Override
    public String toString() {
        return Json.write(this);
    }

    static JsonArray empty() {
        return EMPTY;
    }

    /** Builds a {@link JsonArray}. Not thread-safe; {@link #build()} takes a snapshot. */
    public static final class Builder {

        private final ArrayList<JsonValue> values = new ArrayList<>();

        private Builder() {
        }

        /**
         * Appends {@code value}.
         *
         * @param value the value to append
         * @return this builder
         */
        public Builder add(JsonValue value) {
            values.add(Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Appends a string.
         *
         * @param value the value to append
         * @return this builder
         */
        public Builder add(String value) {
            return add(JsonString.of(value));
        }

        /**
         * Appends an integer.
         *
         * @param value the value to append
         * @return this builder
         */
        public Builder add(long value) {
            return add(JsonNumber.of(value));
        }

        /**
         * Appends a finite double.
         *
         * @param value the value to append
         * @return this builder
         */
        public Builder add(double value) {
            return add(JsonNumber.of(value));
        }

        /**
         * Appends a boolean.
         *
         * @param value the value to append
         * @return this builder
         */
        public Builder add(boolean value) {
            return add(JsonBoolean.of(value));
        }

        /**
         * {@return an array of the values added so far}
         *
         * @throws IllegalArgumentException if the array would nest deeper than {@link JsonValue#MAX_DEPTH}
         */
        public JsonArray build() {
            return values.isEmpty() ? EMPTY : new JsonArray(values.toArray(NO_VALUES), false);
        }
    }

    private final class ValuesView extends AbstractList<JsonValue> implements RandomAccess {

        @Override
        public JsonValue get(int index) {
            return values[index];
        }

        @Override
        public int size() {
            return values.length;
        }
    }
}
