package dev.parley.gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The header fields of a request or an answer of the {@linkplain GatewayServer gateway's server}:
 * names are case-insensitive, written with the first letter upper-case and the rest lower-case
 * ({@code content-type} becomes {@code Content-type}), each with its values in order. The gateway
 * keeps its own type rather than {@code com.sun.net.httpserver.Headers} so that it does not need
 * the {@code jdk.httpserver} module.
 *
 * <p>Not thread-safe: one request's thread uses it.
 */
final class Headers {

    private final Map<String, List<String>> fields = new HashMap<>(32);

    /** Adds {@code value} after the values of {@code name} already there. */
    void add(String name, String value) {
        fields.computeIfAbsent(normalize(name), n -> new ArrayList<>(1)).add(value);
    }

    /** Makes {@code value} the only value of {@code name}. */
    void set(String name, String value) {
        List<String> one = new ArrayList<>(1);
        one.add(value);
        fields.put(normalize(name), one);
    }

    /** Removes every value of {@code name}. */
    void remove(String name) {
        fields.remove(normalize(name));
    }

    /** {@return the values of {@code name}, or null if it has none} */
    List<String> get(String name) {
        return fields.get(normalize(name));
    }

    /** {@return the first value of {@code name}, or null if it has none} */
    String getFirst(String name) {
        List<String> values = get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** {@return the values of {@code name}, or {@code otherwise} if it has none} */
    List<String> getOrDefault(String name, List<String> otherwise) {
        List<String> values = get(name);
        return values == null ? otherwise : values;
    }

    /** Gives each name, as normalized, and its values to {@code action}. */
    void forEach(BiConsumer<String, List<String>> action) {
        fields.forEach(action);
    }

    private static String normalize(String name) {
        char[] c = name.toCharArray();
        if (c.length > 0 && c[0] >= 'a' && c[0] <= 'z') {
            c[0] = (char) (c[0] - ('a' - 'A'));
        }
        for (int i = 1; i < c.length; i++) {
            if (c[i] >= 'A' && c[i] <= 'Z') {
                c[i] = (char) (c[i] + ('a' - 'A'));
            }
        }
        return new String(c);
    }
}
