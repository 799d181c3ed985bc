package dev.parley.schema;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * Writes the JSON Schema of a Java type, in the form that OpenAI's strict structured outputs
 * accept, which the other providers accept too.
 *
 * {@snippet :
 * record Answer(String city, @Description("degrees Celsius") double temperature, Optional<String> note) {}
 *
 * JsonObject schema = JsonSchema.of(Answer.class);
 * // {"type":"object","properties":{"city":{"type":"string"},
 * //   "temperature":{"type":"number","description":"degrees Celsius"},
 * //   "note":{"type":["string","null"]}},
 * //  "required":["city","temperature","note"],"additionalProperties":false}
 * }
 *
 * <p>How each type is written:
 * <ul>
 * <li>a record: an object with a property per component, every property required and no others
 *     ({@code "additionalProperties": false});</li>
 * <li>{@code String}: a string; {@code boolean}: a boolean; {@code int}, {@code long},
 *     {@code short}, {@code byte}, {@code BigInteger}: an integer; {@code double}, {@code float},
 *     {@code BigDecimal}: a number (boxed types alike);</li>
 * <li>an enum: a string with its constants' names as the {@code enum};</li>
 * <li>{@code List<T>}: an array of {@code T};</li>
 * <li>{@code Optional<T>}: {@code T} or null, and still required, as strict mode asks
 *     ({@code "type": ["string", "null"]}, or {@code anyOf} with {@code {"type": "null"}});</li>
 * <li>{@code Map<String, T>}: an array of {@code {"key": ..., "value": ...}} entries, because strict
 *     mode allows no object with open-ended keys ({@link JsonBinder} also takes a plain object);</li>
 * <li>a sealed interface of records: {@code anyOf} the records, each with a {@code "type"}
 *     property whose only value is the record's simple name;</li>
 * <li>a record that contains itself (a tree, a linked list): defined once in {@code $defs} and
 *     referred to with {@code $ref} ({@code "#"} for the root).</li>
 * </ul>
 * A {@link Description} on a record, an enum or a record component becomes the schema's
 * {@code description}, except on a {@code $ref}.
 *
 * <p>The class is stateless and thread-safe. Reading a record's components needs no access
 * rights, so writing a schema works for any record on the class path or module path.
 */
public final class JsonSchema {

    private static final JsonString OBJECT = JsonString.of("object");

    private final Set<Class<?>> recursive;
    private final Class<?> root;
    private final Map<Class<?>, String> defNames = new HashMap<>();
    private final Map<String, JsonObject> defs = new LinkedHashMap<>();

    private JsonSchema(Class<?> root, Set<Class<?>> recursive) {
        this.root = root;
        this.recursive = recursive;
    }

    /**
     * {@return the JSON Schema of {@code type}}
     *
     * @param type a class such as {@code Answer.class}, or a parameterized type such as the
     *             generic type of a {@code List<Answer>} field
     * @throws IllegalArgumentException if the type, or a type inside it, has no JSON form (a
     *         generic record, an array, a map with non-String keys, a class that is not a record);
     *         the message names it
     */
    public static JsonObject of(Type type) {
        Objects.requireNonNull(type, "type");
        Set<Class<?>> recursive = new HashSet<>();
        findRecursive(type, new ArrayList<>(), recursive);
        Shape shape = Shape.of(type);
        Class<?> root = shape.kind() == Shape.Kind.RECORD || shape.kind() == Shape.Kind.SEALED ? shape.type() : null;
        JsonSchema writer = new JsonSchema(root, recursive);
        JsonObject body = writer.inline(type, null);
        if (writer.defs.isEmpty()) {
            return body;
        }
        return body.toBuilder().put("$defs", JsonObject.of(writer.defs)).build();
    }

    /** Marks each record or sealed interface reached again from inside itself. */
    private static void findRecursive(Type type, List<Class<?>> path, Set<Class<?>> recursive) {
        Shape shape = Shape.of(type);
        switch (shape.kind()) {
            case LIST, MAP, OPTIONAL -> findRecursive(shape.element(), path, recursive);
            case RECORD, SEALED -> {
                Class<?> c = shape.type();
                if (path.contains(c)) {
                    recursive.add(c);
                    return;
                }
                path.add(c);
                if (shape.kind() == Shape.Kind.RECORD) {
                    for (RecordComponent rc : c.getRecordComponents()) {
                        findRecursive(rc.getGenericType(), path, recursive);
                    }
                } else {
                    for (Class<?> v : Shape.variants(c)) {
                        findRecursive(v, path, recursive);
                    }
                }
                path.remove(path.size() - 1);
            }
            default -> {
                // scalars and enums contain nothing
            }
        }
    }

    /** The schema of a type where it is used: a $ref for a recursive type, the body otherwise. */
    private JsonObject schema(Type type, AnnotatedElement described) {
        Shape shape = Shape.of(type);
        Class<?> c = shape.type();
        if ((shape.kind() == Shape.Kind.RECORD || shape.kind() == Shape.Kind.SEALED) && recursive.contains(c)) {
            if (c == root) {
                return JsonObject.of("$ref", JsonString.of("#"));
            }
            String name = defNames.get(c);
            if (name == null) {
                name = defName(c);
                defNames.put(c, name);
                defs.put(name, JsonObject.of()); // placeholder: keeps the order and stops the recursion
                defs.put(name, inline(type, null));
            }
            return JsonObject.of("$ref", JsonString.of("#/$defs/" + name));
        }
        return inline(type, described);
    }

    private String defName(Class<?> c) {
        String name = c.getSimpleName();
        for (int i = 2; defs.containsKey(name); i++) {
            name = c.getSimpleName() + i;
        }
        return name;
    }

    /** The body of a type's schema, with the description of the component (or else the type). */
    private JsonObject inline(Type type, AnnotatedElement described) {
        Shape shape = Shape.of(type);
        String description = description(described, shape.type());
        JsonObject.Builder b = JsonObject.newBuilder();
        switch (shape.kind()) {
            case STRING -> b.put("type", "string");
            case BOOLEAN -> b.put("type", "boolean");
            case INTEGER -> b.put("type", "integer");
            case NUMBER -> b.put("type", "number");
            case ENUM -> {
                JsonArray.Builder names = JsonArray.newBuilder();
                for (Object constant : shape.type().getEnumConstants()) {
                    names.add(JsonString.of(((Enum<?>) constant).name()));
                }
                b.put("type", "string").put("enum", names.build());
            }
            case LIST -> b.put("type", "array").put("items", schema(shape.element(), null));
            case MAP -> b.put("type", "array").put("items", object(List.of(
                    Map.entry("key", JsonObject.of("type", JsonString.of("string"))),
                    Map.entry("value", schema(shape.element(), null)))).build());
            case OPTIONAL -> {
                if (Shape.of(shape.element()).kind() == Shape.Kind.OPTIONAL) {
                    throw new IllegalArgumentException("no JSON schema for the type " + type.getTypeName()
                            + ": an Optional of an Optional has no JSON form");
                }
                return nullable(schema(shape.element(), described), description);
            }
            case RECORD -> b = record(shape.type(), null);
            case SEALED -> {
                JsonArray.Builder any = JsonArray.newBuilder();
                for (Class<?> v : Shape.variants(shape.type())) {
                    any.add(record(v, v.getSimpleName()).build());
                }
                b.put("anyOf", any.build());
            }
        }
        if (description != null) {
            b.put("description", description);
        }
        return b.build();
    }

    private JsonObject.Builder record(Class<?> c, String discriminator) {
        List<Map.Entry<String, JsonObject>> properties = new ArrayList<>();
        if (discriminator != null) {
            properties.add(Map.entry(Shape.DISCRIMINATOR, JsonObject.newBuilder().put("type", "string")
                    .put("enum", JsonArray.of(JsonString.of(discriminator))).build()));
        }
        for (RecordComponent rc : c.getRecordComponents()) {
            properties.add(Map.entry(rc.getName(), schema(rc.getGenericType(), rc)));
        }
        JsonObject.Builder b = object(properties);
        if (discriminator != null) {
            Description d = c.getAnnotation(Description.class);
            if (d != null) {
                b.put("description", d.value());
            }
        }
        return b;
    }

    private static JsonObject.Builder object(List<Map.Entry<String, JsonObject>> properties) {
        JsonObject.Builder props = JsonObject.newBuilder();
        JsonArray.Builder required = JsonArray.newBuilder();
        for (Map.Entry<String, JsonObject> p : properties) {
            props.put(p.getKey(), p.getValue());
            required.add(JsonString.of(p.getKey()));
        }
        return JsonObject.newBuilder().put("type", OBJECT).put("properties", props.build())
                .put("required", required.build()).put("additionalProperties", false);
    }

    /** {@code T} or null: a type list where the schema is a plain type, {@code anyOf} otherwise. */
    private static JsonObject nullable(JsonObject schema, String description) {
        JsonValue type = schema.get("type").orElse(null);
        if (type instanceof JsonString t && !schema.has("enum") && !OBJECT.equals(t)) {
            return schema.toBuilder().put("type", JsonArray.of(t, JsonString.of("null"))).build();
        }
        JsonObject inner = schema;
        if (description != null && schema.has("description")) {
            inner = schema.toBuilder().remove("description").build();
        }
        JsonObject.Builder b = JsonObject.newBuilder()
                .put("anyOf", JsonArray.of(inner, JsonObject.of("type", JsonString.of("null"))));
        if (description != null) {
            b.put("description", description);
        }
        return b.build();
    }

    private static String description(AnnotatedElement described, Class<?> type) {
        Description d = described == null ? null : described.getAnnotation(Description.class);
        if (d == null && (type.isRecord() || type.isEnum() || type.isSealed())) {
            d = type.getAnnotation(Description.class);
        }
        return d == null ? null : d.value();
    }
}
