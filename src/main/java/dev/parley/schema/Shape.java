package dev.parley.schema;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a Java type is as JSON: the one classification that {@link JsonSchema} and
 * {@link JsonBinder} share, so that every type the schema describes is a type the binder builds.
 *
 * @param kind    the JSON shape
 * @param type    the class (for a list, map or optional: {@code List}, {@code Map}, {@code Optional})
 * @param element the element, value or content type of a list, map or optional; null otherwise
 */
record Shape(Kind kind, Class<?> type, Type element) {

    /** The name of the property that says which record of a sealed interface an object is. */
    static final String DISCRIMINATOR = "type";

    /** The JSON shapes. */
    enum Kind { STRING, BOOLEAN, INTEGER, NUMBER, ENUM, LIST, MAP, OPTIONAL, RECORD, SEALED }

    /**
     * {@return the shape of {@code type}}
     *
     * @throws IllegalArgumentException for a type with no JSON shape, naming it
     */
    static Shape of(Type type) {
        if (type instanceof WildcardType w) {
            return of(w.getUpperBounds()[0]);
        }
        if (type instanceof TypeVariable<?> || type instanceof GenericArrayType) {
            throw unsupported(type, "give record components concrete types (no type variables or arrays)");
        }
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (raw == List.class) {
                return new Shape(Kind.LIST, raw, args[0]);
            }
            if (raw == Optional.class) {
                return new Shape(Kind.OPTIONAL, raw, args[0]);
            }
            if (raw == Map.class) {
                Type key = args[0] instanceof WildcardType w ? w.getUpperBounds()[0] : args[0];
                if (key != String.class) {
                    throw unsupported(type, "map keys must be String");
                }
                return new Shape(Kind.MAP, raw, args[1]);
            }
            if (raw.isRecord()) {
                throw unsupported(type, "generic records are not supported; give the component a concrete record");
            }
            throw unsupported(type, null);
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class) {
            return new Shape(Kind.STRING, c, null);
        }
        if (c == boolean.class || c == Boolean.class) {
            return new Shape(Kind.BOOLEAN, c, null);
        }
        if (c == int.class || c == Integer.class || c == long.class || c == Long.class || c == short.class
                || c == Short.class || c == byte.class || c == Byte.class || c == BigInteger.class) {
            return new Shape(Kind.INTEGER, c, null);
        }
        if (c == double.class || c == Double.class || c == float.class || c == Float.class || c == BigDecimal.class) {
            return new Shape(Kind.NUMBER, c, null);
        }
        if (c.isEnum()) {
            return new Shape(Kind.ENUM, c, null);
        }
        if (c.isRecord()) {
            if (c.getTypeParameters().length > 0) {
                throw unsupported(type, "generic records are not supported; give the component a concrete record");
            }
            return new Shape(Kind.RECORD, c, null);
        }
        if (c.isInterface() && c.isSealed()) {
            return new Shape(Kind.SEALED, c, null);
        }
        if (c == List.class || c == Map.class || c == Optional.class) {
            throw unsupported(type, "give its type arguments, such as List<String>");
        }
        throw unsupported(type, null);
    }

    /**
     * {@return the records a sealed interface permits, sealed sub-interfaces flattened, in declaration order}
     *
     * @param sealed a sealed interface
     * @throws IllegalArgumentException if a permitted class is neither a record nor a sealed
     *         interface, or two records share a simple name
     */
    static List<Class<?>> variants(Class<?> sealed) {
        List<Class<?>> out = new ArrayList<>();
        collect(sealed, sealed, out);
        for (int i = 0; i < out.size(); i++) {
            for (int j = i + 1; j < out.size(); j++) {
                if (out.get(i).getSimpleName().equals(out.get(j).getSimpleName())) {
                    throw new IllegalArgumentException(sealed.getName() + ": two records are named "
                            + out.get(i).getSimpleName() + "; the \"" + DISCRIMINATOR
                            + "\" property tells them apart by simple name, so rename one");
                }
            }
        }
        return out;
    }

    private static void collect(Class<?> root, Class<?> sealed, List<Class<?>> out) {
        for (Class<?> c : sealed.getPermittedSubclasses()) {
            if (c.isRecord()) {
                for (RecordComponent rc : c.getRecordComponents()) {
                    if (rc.getName().equals(DISCRIMINATOR)) {
                        throw new IllegalArgumentException(c.getName() + ": a record of the sealed interface "
                                + root.getName() + " cannot have a component named \"" + DISCRIMINATOR
                                + "\"; that property names the record");
                    }
                }
                out.add(c);
            } else if (c.isInterface() && c.isSealed()) {
                collect(root, c, out);
            } else {
                throw new IllegalArgumentException(root.getName() + ": every class a sealed interface permits"
                        + " must be a record or a sealed interface; " + c.getName() + " is not");
            }
        }
    }

    private static IllegalArgumentException unsupported(Type type, String hint) {
        return new IllegalArgumentException("no JSON schema for the type " + type.getTypeName()
                + (hint == null ? "; use records, enums, String, numbers, booleans, List, Map<String, T>,"
                        + " Optional or sealed interfaces of records" : ": " + hint));
    }
}
