package dev.parley.json;

import java.util.ArrayDeque;

/** Renders the path of a value in the document it was parsed from, for error messages. */
final class Paths {

    private Paths() {
    }

    /** {@return the path of {@code container}, "" for a root or a value built in code} */
    static String of(JsonValue container) {
        ArrayDeque<String> parts = new ArrayDeque<>();
        JsonValue current = container;
        while (current != null) {
            JsonValue parent;
            String key;
            int index;
            if (current instanceof JsonObject o) {
                parent = o.parent;
                key = o.parentKey;
                index = o.parentIndex;
            } else if (current instanceof JsonArray a) {
                parent = a.parent;
                key = a.parentKey;
                index = a.parentIndex;
            } else {
                break;
            }
            if (parent == null) {
                break;
            }
            parts.addFirst(key != null ? member(key) : "[" + index + "]");
            current = parent;
        }
        StringBuilder sb = new StringBuilder();
        for (String part : parts) {
            sb.append(part);
        }
        return stripDot(sb.toString());
    }

    /** {@return the path of member {@code key} of {@code container}} */
    static String member(JsonValue container, String key) {
        return stripDot(of(container) + member(key));
    }

    /** {@return the path of element {@code index} of {@code container}} */
    static String element(JsonValue container, int index) {
        return of(container) + "[" + index + "]";
    }

    private static String stripDot(String path) {
        return path.startsWith(".") ? path.substring(1) : path;
    }

    private static String member(String key) {
        boolean plain = !key.isEmpty();
        for (int i = 0; i < key.length() && plain; i++) {
            char c = key.charAt(i);
            plain = c == '_' || c == '-' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9' && i > 0);
        }
        return plain ? "." + key : "[" + JsonString.of(key) + "]";
    }
}
