package dev.parley.schema;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.parley.json.JsonArray;
import dev.parley.json.JsonBoolean;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Builds Java values from JSON, for the types {@link JsonSchema} describes: records through their
 * canonical constructor, enums by constant name, numbers with range checks (a number too large
 * for an {@code int} is an error, never a wrapped value), {@code List}, {@code Map<String, T>}
 * (from an object, or from the {@code [{"key": ..., "value": ...}]} entries the schema asks for),
 * {@code Optional} (a null or missing property is empty) and sealed interfaces of records (chosen
 * by the {@code "type"} property).
 *
 * {@snippet :
 * record Item(String name, int quantity) {}
 * Item item = JsonBinder.bind(Json.parse("{\"name\":\"tea\",\"quantity\":2}"), Item.class);
 * }
 *
 * <p>Properties the type does not have are ignored. Lists and maps come back unmodifiable.
 *
 * <p><b>Access.</b> The binder calls the record's canonical constructor by reflection. A public
 * record in a package the application's module exports (or any record on the class path) needs
 * nothing more. A record that is not public, or sits in a package the module does not export,
 * needs the package opened to Parley: {@code opens com.example.answers to dev.parley;}. Without
 * it the binder fails with an {@link IllegalStateException} that says so.
 *
 * <p>The class is stateless and thread-safe.
 */
public final class JsonBinder {

    /** Deeper values than this are refused, so a recursive record cannot exhaust the stack. */
    static final int MAX_DEPTH = 200;

    private JsonBinder() {
    }

    /**
     * {@return {@code json} as a {@code type}}
     *
     * @param json the JSON value
     * @param type the class to build, such as {@code Answer.class}
     * @param <T>  the type built
     * @throws JsonBindException if the JSON does not fit the type; the message names the place
     * @throws IllegalArgumentException if the type has no JSON form (see {@link JsonSchema})
     * @throws IllegalStateException if Parley may not call the record's constructor (see above)
     */
    public static <T> T bind(JsonValue json, Class<T> type) {
        Objects.requireNonNull(type, "type");
        @SuppressWarnings("unchecked")
        T value = (T) box(type).cast(bind(json, (Type) type));
        return value;
    }

    /**
     * {@return {@code json} as a value of a generic {@code type}, such as {@code List<Answer>}}
     *
     * @param json the JSON value
     * @param type the type to build, such as the generic type of a record component
     * @throws JsonBindException if the JSON does not fit the type; the message names the place
     * @throws IllegalArgumentException if the type has no JSON form (see {@link JsonSchema})
     * @throws IllegalStateException if Parley may not call a record's constructor (see above)
     */
    public static Object bind(JsonValue json, Type type) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(type, "type");
        return value(json, type, new StringBuilder("$"), 0);
    }

    /**
     * {@return {@code value} as JSON}: the reverse of {@link #bind}, for the same types (records
     * as objects of their components, with the {@code "type"} property for a variant of a sealed
     * interface; enums by constant name; {@code Optional} as its value or null; lists as arrays;
     * maps as objects). A tool's typed result is written this way.
     *
     * @param value the value; null gives JSON null
     * @throws IllegalArgumentException if a value's class has no JSON form, or the value nests
     *                                  deeper than 200 levels (a cycle)
     * @throws IllegalStateException if Parley may not read a record's components (see above)
     */
    public static JsonValue toJson(Object value) {
        return write(value, 0);
    }

    private static JsonValue write(Object value, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("the value nests deeper than " + MAX_DEPTH + " levels; is there a cycle?");
        }
        return switch (value) {
            case null -> JsonNull.INSTANCE;
            case JsonValue v -> v;
            case String s -> JsonString.of(s);
            case Boolean b -> JsonBoolean.of(b);
            case Integer n -> JsonNumber.of(n.longValue());
            case Long n -> JsonNumber.of(n);
            case Short n -> JsonNumber.of(n.longValue());
            case Byte n -> JsonNumber.of(n.longValue());
            case BigInteger n -> JsonNumber.of(n);
            case BigDecimal n -> JsonNumber.of(n);
            case Double n -> JsonNumber.of(n);
            case Float n -> JsonNumber.of(n.doubleValue());
            case Enum<?> e -> JsonString.of(e.name());
            case Optional<?> o -> o.isPresent() ? write(o.get(), depth + 1) : JsonNull.INSTANCE;
            case List<?> list -> {
                List<JsonValue> out = new ArrayList<>(list.size());
                for (Object item : list) {
                    out.add(write(item, depth + 1));
                }
                yield JsonArray.of(out);
            }
            case Map<?, ?> map -> {
                LinkedHashMap<String, JsonValue> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    out.put(String.valueOf(e.getKey()), write(e.getValue(), depth + 1));
                }
                yield JsonObject.of(out);
            }
            case Record r -> writeRecord(r, depth);
            default -> throw new IllegalArgumentException(value.getClass().getName()
                    + " has no JSON form: use records, enums, strings, numbers, booleans, lists, maps and optionals");
        };
    }

    private static JsonValue writeRecord(Record record, int depth) {
        Class<?> type = record.getClass();
        LinkedHashMap<String, JsonValue> out = new LinkedHashMap<>();
        for (Class<?> i : type.getInterfaces()) {
            if (i.isSealed()) {
                out.put(Shape.DISCRIMINATOR, JsonString.of(type.getSimpleName()));
                break;
            }
        }
        for (RecordComponent rc : type.getRecordComponents()) {
            Object v;
            try {
                v = rc.getAccessor().invoke(record);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("Parley may not read the record " + type.getName()
                        + ": make it public in a package the module exports, or open the package to dev.parley", e);
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("the accessor " + rc.getName() + "() of " + type.getName() + " failed: "
                        + e.getCause(), e.getCause());
            }
            out.put(rc.getName(), write(v, depth + 1));
        }
        return JsonObject.of(out);
    }

    private static Object value(JsonValue json, Type type, StringBuilder path, int depth) {
        if (depth > MAX_DEPTH) {
            throw fail(path, "nested deeper than " + MAX_DEPTH + " levels");
        }
        Shape shape = Shape.of(type);
        if (shape.kind() == Shape.Kind.OPTIONAL) {
            return json instanceof JsonNull ? Optional.empty()
                    : Optional.of(value(json, shape.element(), path, depth + 1));
        }
        if (json instanceof JsonNull) {
            throw fail(path, "expected " + expected(shape) + ", got null");
        }
        return switch (shape.kind()) {
            case STRING -> json instanceof JsonString s ? s.value() : mismatch(path, shape, json);
            case BOOLEAN -> json instanceof JsonBoolean b ? b.value() : mismatch(path, shape, json);
            case INTEGER, NUMBER -> json instanceof JsonNumber n ? number(n, shape.type(), path) : mismatch(path, shape, json);
            case ENUM -> json instanceof JsonString s ? constant(s.value(), shape.type(), path) : mismatch(path, shape, json);
            case LIST -> json instanceof JsonArray a ? list(a, shape.element(), path, depth) : mismatch(path, shape, json);
            case MAP -> map(json, shape, path, depth);
            case RECORD -> json instanceof JsonObject o ? record(o, shape.type(), path, depth) : mismatch(path, shape, json);
            case SEALED -> json instanceof JsonObject o ? variant(o, shape.type(), path, depth) : mismatch(path, shape, json);
            case OPTIONAL -> throw new AssertionError();
        };
    }

    private static Object number(JsonNumber n, Class<?> type, StringBuilder path) {
        try {
            if (type == int.class || type == Integer.class) {
                return n.intValue();
            }
            if (type == long.class || type == Long.class) {
                return n.longValue();
            }
            if (type == short.class || type == Short.class) {
                return (short) inRange(n, Short.MIN_VALUE, Short.MAX_VALUE, path);
            }
            if (type == byte.class || type == Byte.class) {
                return (byte) inRange(n, Byte.MIN_VALUE, Byte.MAX_VALUE, path);
            }
            if (type == BigInteger.class) {
                return n.bigIntegerValue();
            }
            if (type == BigDecimal.class) {
                return n.bigDecimalValue();
            }
            double d = n.doubleValue();
            if (type == float.class || type == Float.class) {
                if (Math.abs(d) > Float.MAX_VALUE) {
                    throw fail(path, "the number " + n + " is too large for a float");
                }
                return (float) d;
            }
            return d;
        } catch (ArithmeticException e) {
            String range = type == int.class || type == Integer.class
                    ? " between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE
                    : type == long.class || type == Long.class ? " between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE : "";
            throw fail(path, (type == double.class || type == Double.class || type == float.class || type == Float.class
                    || type == BigDecimal.class ? "expected a number" : "expected a whole number" + range)
                    + ", got " + abbreviate(n.toString()));
        }
    }

    private static long inRange(JsonNumber n, long min, long max, StringBuilder path) {
        long v = n.longValue();
        if (v < min || v > max) {
            throw fail(path, "expected a whole number between " + min + " and " + max + ", got " + n);
        }
        return v;
    }

    private static Object constant(String name, Class<?> type, StringBuilder path) {
        for (Object c : type.getEnumConstants()) {
            if (((Enum<?>) c).name().equals(name)) {
                return c;
            }
        }
        List<String> names = new ArrayList<>();
        for (Object c : type.getEnumConstants()) {
            names.add('"' + ((Enum<?>) c).name() + '"');
        }
        throw fail(path, "expected one of " + String.join(", ", names) + ", got \"" + abbreviate(name) + '"');
    }

    private static List<Object> list(JsonArray array, Type element, StringBuilder path, int depth) {
        List<Object> out = new ArrayList<>(array.size());
        int mark = path.length();
        for (int i = 0; i < array.size(); i++) {
            path.append('[').append(i).append(']');
            out.add(value(array.get(i), element, path, depth + 1));
            path.setLength(mark);
        }
        return Collections.unmodifiableList(out);
    }

    private static Map<String, Object> map(JsonValue json, Shape shape, StringBuilder path, int depth) {
        Map<String, Object> out = new LinkedHashMap<>();
        int mark = path.length();
        if (json instanceof JsonObject o) {
            for (Map.Entry<String, JsonValue> e : o.members().entrySet()) {
                member(path, e.getKey());
                out.put(e.getKey(), value(e.getValue(), shape.element(), path, depth + 1));
                path.setLength(mark);
            }
        } else if (json instanceof JsonArray entries) {
            for (int i = 0; i < entries.size(); i++) {
                path.append('[').append(i).append(']');
                if (!(entries.get(i) instanceof JsonObject entry)) {
                    throw fail(path, "expected an object with \"key\" and \"value\", got " + kind(entries.get(i)));
                }
                JsonValue key = entry.get("key").orElse(null);
                if (!(key instanceof JsonString k)) {
                    path.append(".key");
                    throw fail(path, key == null ? "missing" : "expected a string, got " + kind(key));
                }
                if (out.containsKey(k.value())) {
                    path.append(".key");
                    throw fail(path, "the key \"" + abbreviate(k.value()) + "\" appears twice");
                }
                path.append(".value");
                out.put(k.value(), value(entry.get("value").orElse(JsonNull.INSTANCE), shape.element(), path, depth + 1));
                path.setLength(mark);
            }
        } else {
            return mismatch(path, shape, json);
        }
        return Collections.unmodifiableMap(out);
    }

    private static Object record(JsonObject json, Class<?> type, StringBuilder path, int depth) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        int mark = path.length();
        for (int i = 0; i < components.length; i++) {
            RecordComponent rc = components[i];
            types[i] = rc.getType();
            member(path, rc.getName());
            JsonValue v = json.get(rc.getName()).orElse(null);
            if (v == null && rc.getType() != Optional.class) {
                throw fail(path, "missing");
            }
            args[i] = value(v == null ? JsonNull.INSTANCE : v, rc.getGenericType(), path, depth + 1);
            path.setLength(mark);
        }
        return construct(type, types, args, path);
    }

    private static Object variant(JsonObject json, Class<?> sealed, StringBuilder path, int depth) {
        List<Class<?>> variants = Shape.variants(sealed);
        int mark = path.length();
        member(path, Shape.DISCRIMINATOR);
        JsonValue name = json.get(Shape.DISCRIMINATOR).orElse(null);
        List<String> names = new ArrayList<>();
        for (Class<?> v : variants) {
            if (name instanceof JsonString s && s.value().equals(v.getSimpleName())) {
                path.setLength(mark);
                return record(json, v, path, depth);
            }
            names.add('"' + v.getSimpleName() + '"');
        }
        String got = name == null ? "nothing" : name instanceof JsonString s ? '"' + abbreviate(s.value()) + '"' : kind(name);
        throw fail(path, "expected one of " + String.join(", ", names) + ", got " + got);
    }

    private static Object construct(Class<?> type, Class<?>[] types, Object[] args, StringBuilder path) {
        Constructor<?> constructor;
        try {
            constructor = type.getDeclaredConstructor(types);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("the record " + type.getName() + " has no canonical constructor", e);
        }
        try {
            return constructor.newInstance(args);
        } catch (IllegalAccessException e) {
            if (constructor.trySetAccessible()) {
                try {
                    return constructor.newInstance(args);
                } catch (ReflectiveOperationException again) {
                    return rejected(type, again, path);
                }
            }
            throw new IllegalStateException("Parley may not call the constructor of the record " + type.getName()
                    + ": make the record and its constructor public in a package the module exports, or open"
                    + " the package to Parley (opens " + type.getPackageName() + " to dev.parley;)", e);
        } catch (ReflectiveOperationException e) {
            return rejected(type, e, path);
        }
    }

    private static Object rejected(Class<?> type, ReflectiveOperationException e, StringBuilder path) {
        if (e instanceof InvocationTargetException ite && ite.getCause() instanceof RuntimeException cause) {
            String why = cause.getMessage();
            throw fail(path, "rejected by " + type.getSimpleName() + (why == null || why.isBlank() ? "" : ": " + why));
        }
        throw new IllegalStateException("could not build the record " + type.getName(), e);
    }

    private static void member(StringBuilder path, String name) {
        if (isIdentifier(name)) {
            path.append('.').append(name);
        } else {
            path.append("[\"").append(abbreviate(name).replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
        }
    }

    private static boolean isIdentifier(String name) {
        if (name.isEmpty() || !Character.isJavaIdentifierStart(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            if (!Character.isJavaIdentifierPart(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static <X> X mismatch(StringBuilder path, Shape shape, JsonValue json) {
        throw fail(path, "expected " + expected(shape) + ", got " + kind(json));
    }

    private static String expected(Shape shape) {
        return switch (shape.kind()) {
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case INTEGER -> "a whole number";
            case NUMBER -> "a number";
            case ENUM -> "a string (one of the allowed values)";
            case LIST -> "an array";
            case MAP -> "an object or an array of {\"key\", \"value\"} entries";
            case RECORD, SEALED -> "an object";
            case OPTIONAL -> "a value or null";
        };
    }

    private static String kind(JsonValue v) {
        return switch (v) {
            case JsonObject o -> "an object";
            case JsonArray a -> "an array";
            case JsonString s -> "a string";
            case JsonNumber n -> "a number";
            case JsonBoolean b -> "a boolean";
            case JsonNull n -> "null";
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static JsonBindException fail(StringBuilder path, String reason) {
        return new JsonBindException(path.toString(), reason);
    }

    private static Class<?> box(Class<?> c) {
        if (!c.isPrimitive()) {
            return c;
        }
        return switch (c.getName()) {
            case "int" -> Integer.class;
            case "long" -> Long.class;
            case "double" -> Double.class;
            case "float" -> Float.class;
            case "boolean" -> Boolean.class;
            case "short" -> Short.class;
            case "byte" -> Byte.class;
            default -> c;
        };
    }
}
