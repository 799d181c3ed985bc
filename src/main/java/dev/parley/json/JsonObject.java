package dev.parley.json;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A JSON object: names mapped to values, in the order they were written.
 *
 * <p>Besides the {@link #members()} map, typed accessors serve code that reads provider
 * responses. The required ones ({@link #string(String)}, {@link #object(String)} …) fail with a
 * {@link JsonAccessException} whose message names the path, such as
 * {@code choices[0].message.content: expected string, got number}; the optional ones
 * ({@link #optString(String)} …) treat a missing member and JSON {@code null} alike, and still
 * fail when the member holds another kind of value.
 *
 * <p>Two objects are equal when they have equal members, in any order. Objects are immutable
 * and thread-safe; build one with {@link #newBuilder()} or {@link #of(Map)}.
 */
public final class JsonObject implements JsonValue {

    private static final String[] NO_KEYS = {};
    private static final JsonValue[] NO_VALUES = {};
    private static final JsonObject EMPTY = new JsonObject(NO_KEYS, NO_VALUES, false);
    /** Objects with more members than this get an index; smaller ones are scanned. */
    private static final int SCAN_LIMIT = 8;
    /**
     * The farthest a key may sit from its home slot in the hash index. At the index's load
     * factor (at most one half) ordinary keys stay within a few slots; past this, the object is
     * indexed by sorted keys instead.
     */
    private static final int MAX_PROBE = 64;

    final String[] keys;
    final JsonValue[] values;
    /**
     * Null for small objects. Else a hash table (see {@link #hashIndex}), whose length is a power
     * of two above the number of members; or, for objects whose keys defeat it, the member
     * positions sorted by key (see {@link #sortedIndex}), as many as the members. (One field for
     * both keeps objects as small as they were.)
     */
    private final int[] index;
    final int depth;

    // Where this object was parsed from; set once by the parser, read only for error messages.
    JsonValue parent;
    String parentKey;
    int parentIndex;

    /** Takes ownership of the arrays, whose keys must be distinct. */
    JsonObject(String[] keys, JsonValue[] values, boolean link) {
        this.keys = keys;
        this.values = values;
        int d = 0;
        for (int i = 0; i < values.length; i++) {
            JsonValue v = values[i];
            if (v instanceof JsonObject o) {
                d = Math.max(d, o.depth);
                if (link && o.parent == null) {
                    o.parent = this;
                    o.parentKey = keys[i];
                }
            } else if (v instanceof JsonArray a) {
                d = Math.max(d, a.depth);
                if (link && a.parent == null) {
                    a.parent = this;
                    a.parentKey = keys[i];
                }
            }
        }
        if (d >= MAX_DEPTH) {
            throw new IllegalArgumentException("JSON values may nest at most " + MAX_DEPTH + " deep");
        }
        this.depth = d + 1;
        int[] hashed = keys.length > SCAN_LIMIT ? hashIndex(keys) : null;
        this.index = hashed != null || keys.length <= SCAN_LIMIT ? hashed : sortedIndex(keys);
    }

    /**
     * {@return a hash table of member positions plus one (0 is an empty slot), or null when some
     * key would sit more than {@link #MAX_PROBE} slots past its home slot} Ordinary keys never do;
     * keys chosen to share a hash would make every lookup, and so building the table, walk long
     * chains.
     */
    private static int[] hashIndex(String[] keys) {
        int[] table = new int[Integer.highestOneBit(keys.length * 2 - 1) << 1];
        int mask = table.length - 1;
        for (int i = 0; i < keys.length; i++) {
            int slot = home(keys[i].hashCode(), mask);
            int probes = 0;
            while (table[slot] != 0) {
                if (++probes > MAX_PROBE) {
                    return null;
                }
                slot = (slot + 1) & mask;
            }
            table[slot] = i + 1;
        }
        return table;
    }

    /** {@return the member positions in the order of their keys, for a binary search} */
    private static int[] sortedIndex(String[] keys) {
        Integer[] order = new Integer[keys.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> keys[a].compareTo(keys[b]));
        int[] sorted = new int[order.length];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = order[i];
        }
        return sorted;
    }

    /**
     * {@return the slot where a key with hash {@code h} belongs, in a table of {@code mask + 1}
     * slots} The top bits of a multiplicative hash: keys such as {@code k1, k2, …}, whose
     * {@code String.hashCode}s are close together, spread over the table instead of filling one
     * run of slots.
     */
    private static int home(int h, int mask) {
        return (h * 0x9E3779B9) >>> Integer.numberOfLeadingZeros(mask);
    }

    /** {@return the empty object} */
    public static JsonObject of() {
        return EMPTY;
    }

    /**
     * {@return an object with the members of {@code members}, in its iteration order}
     *
     * @param members the members, by name
     */
    public static JsonObject of(Map<String, ? extends JsonValue> members) {
        Builder b = newBuilder();
        members.forEach(b::put);
        return b.build();
    }

    /**
     * {@return an object with one member}
     *
     * @param k1 the first member's name
     * @param v1 the first member's value
     */
    public static JsonObject of(String k1, JsonValue v1) {
        return newBuilder().put(k1, v1).build();
    }

    /**
     * {@return an object with two members; a repeated name keeps the later value}
     *
     * @param k1 the first member's name
     * @param v1 the first member's value
     * @param k2 the second member's name
     * @param v2 the second member's value
     */
    public static JsonObject of(String k1, JsonValue v1, String k2, JsonValue v2) {
        return newBuilder().put(k1, v1).put(k2, v2).build();
    }

    /** {@return a new, empty builder} */
    public static Builder newBuilder() {
        return new Builder();
    }

    @Override
    public String kind() {
        return "object";
    }

    /** {@return the number of members} */
    public int size() {
        return keys.length;
    }

    /** {@return whether there are no members} */
    public boolean isEmpty() {
        return keys.length == 0;
    }

    /**
     * {@return whether a member called {@code name} exists (it may be JSON null)}
     *
     * @param name the member's name
     */
    public boolean has(String name) {
        return find(name) >= 0;
    }

    /**
     * {@return the value of member {@code name}, if there is one}
     *
     * @param name the member's name
     */
    public Optional<JsonValue> get(String name) {
        return Optional.ofNullable(value(name));
    }

    /** Returns the member's value or null. */
    JsonValue value(String name) {
        int i = find(name);
        return i < 0 ? null : values[i];
    }

    private int find(String name) {
        String[] ks = keys;
        int[] table = index;
        if (table == null) {
            for (int i = 0; i < ks.length; i++) {
                if (ks[i].equals(name)) {
                    return i;
                }
            }
            return -1;
        }
        if (table.length == ks.length) {
            return binarySearch(name, null);
        }
        int mask = table.length - 1;
        int slot = home(name.hashCode(), mask);
        int e;
        // Every key sits within MAX_PROBE slots of its home slot, so a lookup stops there.
        for (int probes = 0; probes <= MAX_PROBE && (e = table[slot]) != 0; probes++) {
            if (ks[e - 1].equals(name)) {
                return e - 1;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /** Finds {@code name} among the sorted keys; counts comparisons in {@code steps[0]} if given. */
    private int binarySearch(String name, int[] steps) {
        int[] sorted = index;
        int lo = 0;
        int hi = sorted.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int i = sorted[mid];
            if (steps != null) {
                steps[0]++;
            }
            int c = keys[i].compareTo(name);
            if (c == 0) {
                return i;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    /** {@return whether this object is indexed by a hash table}; for tests */
    boolean hashIndexed() {
        return index != null && index.length != keys.length;
    }

    /** {@return how many keys a lookup of {@code name} compares with it}; for tests */
    int lookupSteps(String name) {
        if (index == null) {
            return keys.length;
        }
        if (index.length == keys.length) {
            int[] steps = new int[1];
            binarySearch(name, steps);
            return steps[0];
        }
        int mask = index.length - 1;
        int slot = home(name.hashCode(), mask);
        int steps = 0;
        int e;
        for (int probes = 0; probes <= MAX_PROBE && (e = index[slot]) != 0; probes++) {
            steps++;
            if (keys[e - 1].equals(name)) {
                return steps;
            }
            slot = (slot + 1) & mask;
        }
        return steps;
    }

    /** {@return the members as an unmodifiable map that iterates in document order} */
    public Map<String, JsonValue> members() {
        return new MembersView();
    }

    /**
     * {@return the string member {@code name}}
     *
     * @param name the member's name
     * @throws JsonAccessException if it is missing or not a string
     */
    public String string(String name) {
        return Access.require(value(name), JsonString.class, "string", this, name, -1).value();
    }

    /**
     * {@return the string member {@code name}, empty when missing or null}
     *
     * @param name the member's name
     * @throws JsonAccessException if it is another kind
     */
    public Optional<String> optString(String name) {
        JsonString s = Access.optional(value(name), JsonString.class, "string", this, name, -1);
        return s == null ? Optional.empty() : Optional.of(s.value());
    }

    /**
     * {@return the string member {@code name}, or {@code fallback} when missing or null}
     *
     * @param name the member's name
     * @param fallback the string to return when it is missing or null
     * @throws JsonAccessException if it is another kind
     */
    public String stringOr(String name, String fallback) {
        JsonString s = Access.optional(value(name), JsonString.class, "string", this, name, -1);
        return s == null ? fallback : s.value();
    }

    /**
     * {@return the number member {@code name}}
     *
     * @param name the member's name
     * @throws JsonAccessException if it is missing or not a number
     */
    public JsonNumber number(String name) {
        return Access.require(value(name), JsonNumber.class, "number", this, name, -1);
    }

    /**
     * {@return the integer member {@code name}}
     *
     * @param name the member's name
     * @throws JsonAccessException if missing, not a number, or not a long
     */
    public long longValue(String name) {
        return Access.toLong(number(name), this, name, -1);
    }

    /**
     * {@return the integer member {@code name}, empty when missing or null}
     *
     * @param name the member's name
     * @throws JsonAccessException if another kind or not a long
     */
    public OptionalLong optLong(String name) {
        JsonNumber n = Access.optional(value(name), JsonNumber.class, "number", this, name, -1);
        return n == null ? OptionalLong.empty() : OptionalLong.of(Access.toLong(n, this, name, -1));
    }

    /**
     * {@return the integer member {@code name}}
     *
     * @param name the member's name
     * @throws JsonAccessException if missing, not a number, or not an int
     */
    public int intValue(String name) {
        return Access.toInt(number(name), this, name, -1);
    }

    /**
     * {@return the integer member {@code name}, empty when missing or null}
     *
     * @param name the member's name
     * @throws JsonAccessException if another kind or not an int
     */
    public OptionalInt optInt(String name) {
        JsonNumber n = Access.optional(value(name), JsonNumber.class, "number", this, name, -1);
        return n == null ? OptionalInt.empty() : OptionalInt.of(Access.toInt(n, this, name, -1));
    }

    /**
     * {@return the number member {@code name} as a double}
     *
     * @param name the member's name
     * @throws JsonAccessException if missing, not a number, or too large
     */
    public double doubleValue(String name) {
        return Access.toDouble(number(name), this, name, -1);
    }

    /**
     * {@return the number member {@code name} as a double, empty when missing or null}
     *
     * @param name the member's name
     * @throws JsonAccessException if another kind
     */
    public OptionalDouble optDouble(String name) {
        JsonNumber n = Access.optional(value(name), JsonNumber.class, "number", this, name, -1);
        return n == null ? OptionalDouble.empty() : OptionalDouble.of(Access.toDouble(n, this, name, -1));
    }

    /**
     * {@return the boolean member {@code name}}
     *
     * @param name the member's name
     * @throws JsonAccessException if it is missing or not a boolean
     */
    public boolean booleanValue(String name) {
        return Access.require(value(name), JsonBoolean.class, "boolean", this, name, -1).value();
    }

    /**
     * {@return the boolean member {@code name}, empty when missing or null}
     *
     * @param name the member's name
     * @throws JsonAccessException if another kind
     */
    public Optional<Boolean> optBoolean(String name) {
        JsonBoolean b = Access.optional(value(name), JsonBoolean.class, "boolean", this, name, -1);
        return b == null ? Optional.empty() : Optional.of(b.value());
    }

    /**
     * {@return the object member {@code name}}
     *
     * @param name the member's name
     * @throws JsonAccessException if it is missing or not an object
     */
    public JsonObject object(String name) {
        return Access.require(value(name), JsonObject.class, "object", this, name, -1);
    }

    /**
     * {@return the object member {@code name}, empty when missing or null}
     *
     * @param name the member's name
     * @throws JsonAccessException if another kind
     */
    public Optional<JsonObject> optObject(String name) {
        return Optional.ofNullable(Access.optional(value(name), JsonObject.class, "object", this, name, -1));
    }

    /**
     * {@return the array member {@code name}}
     *
     * @param name the member's name
     * @throws JsonAccessException if it is missing or not an array
     */
    public JsonArray array(String name) {
        return Access.require(value(name), JsonArray.class, "array", this, name, -1);
    }

    /**
     * {@return the array member {@code name}, empty when missing or null}
     *
     * @param name the member's name
     * @throws JsonAccessException if another kind
     */
    public Optional<JsonArray> optArray(String name) {
        return Optional.ofNullable(Access.optional(value(name), JsonArray.class, "array", this, name, -1));
    }

    /** {@return a builder holding this object's members, to make a modified copy} */
    public Builder toBuilder() {
        Builder b = new Builder();
        for (int i = 0; i < keys.length; i++) {
            b.put(keys[i], values[i]);
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof JsonObject other) || other.keys.length != keys.length) {
            return false;
        }
        for (int i = 0; i < keys.length; i++) {
            JsonValue mine = values[i];
            JsonValue theirs = other.value(keys[i]);
            if (!mine.equals(theirs)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (int i = 0; i < keys.length; i++) {
            h += keys[i].hashCode() ^ values[i].hashCode();
        }
        return h;
    }

    /** {@return this object as compact JSON text} */
    @Override
    public String toString() {
        return Json.write(this);
    }

    /**
     * Builds a {@link JsonObject}. Putting a name again replaces its value and keeps its
     * position. A builder is not thread-safe; {@link #build()} takes a snapshot, so a builder
     * can go on being used after it.
     */
    public static final class Builder {

        private final LinkedHashMap<String, JsonValue> members = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Sets member {@code name} to {@code value}.
         *
         * @param name the member's name
         * @param value its new value
         * @return this builder
         */
        public Builder put(String name, JsonValue value) {
            members.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets member {@code name} to a string.
         *
         * @param name the member's name
         * @param value its new value
         * @return this builder
         */
        public Builder put(String name, String value) {
            return put(name, JsonString.of(value));
        }

        /**
         * Sets member {@code name} to an integer.
         *
         * @param name the member's name
         * @param value its new value
         * @return this builder
         */
        public Builder put(String name, long value) {
            return put(name, JsonNumber.of(value));
        }

        /**
         * Sets member {@code name} to a finite double.
         *
         * @param name the member's name
         * @param value its new value
         * @return this builder
         */
        public Builder put(String name, double value) {
            return put(name, JsonNumber.of(value));
        }

        /**
         * Sets member {@code name} to a boolean.
         *
         * @param name the member's name
         * @param value its new value
         * @return this builder
         */
        public Builder put(String name, boolean value) {
            return put(name, JsonBoolean.of(value));
        }

        /**
         * Removes member {@code name}, if present.
         *
         * @param name the member's name
         * @return this builder
         */
        public Builder remove(String name) {
            members.remove(name);
            return this;
        }

        /**
         * {@return whether member {@code name} has been put}
         *
         * @param name the member's name
         */
        public boolean has(String name) {
            return members.containsKey(name);
        }

        /**
         * {@return an object with the members put so far}
         *
         * @throws IllegalArgumentException if the object would nest deeper than {@link JsonValue#MAX_DEPTH}
         */
        public JsonObject build() {
            if (members.isEmpty()) {
                return EMPTY;
            }
            return new JsonObject(members.keySet().toArray(NO_KEYS), members.values().toArray(NO_VALUES), false);
        }
    }

    private final class MembersView extends AbstractMap<String, JsonValue> {

        @Override
        public int size() {
            return keys.length;
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String s && find(s) >= 0;
        }

        @Override
        public JsonValue get(Object key) {
            return key instanceof String s ? value(s) : null;
        }

        @Override
        public Set<Entry<String, JsonValue>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public int size() {
                    return keys.length;
                }

                @Override
                public Iterator<Entry<String, JsonValue>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < keys.length;
                        }

                        @Override
                        public Entry<String, JsonValue> next() {
                            if (next >= keys.length) {
                                throw new NoSuchElementException();
                            }
                            int i = next++;
                            return new SimpleImmutableEntry<>(keys[i], values[i]);
                        }
                    };
                }
            };
        }
    }

    static JsonObject empty() {
        return EMPTY;
    }

}
