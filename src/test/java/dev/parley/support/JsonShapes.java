package dev.parley.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Set;
import java.util.TreeSet;

import dev.parley.json.JsonArray;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/**
 * Compares the shape of two JSON values: the same member names at every level and the same
 * kinds of values (null matches anything, since OpenAI's fields are nullable), arrays by their
 * first element. Values themselves are not compared.
 */
public final class JsonShapes {

    private JsonShapes() {
    }

    /**
     * Asserts that {@code actual} has the shape of {@code expected}.
     *
     * @param missing dotted paths (such as "system_fingerprint") that {@code actual} may lack
     * @param extra   dotted paths that {@code actual} may have beyond {@code expected}
     */
    public static void assertSameShape(JsonValue expected, JsonValue actual, Set<String> missing, Set<String> extra) {
        compare(expected, actual, "", missing, extra);
    }

    private static void compare(JsonValue e, JsonValue a, String path, Set<String> missing, Set<String> extra) {
        if (e instanceof JsonNull || a instanceof JsonNull) {
            return;
        }
        if (!e.kind().equals(a.kind())) {
            fail(where(path) + ": expected " + e.kind() + ", got " + a.kind() + " (" + a + ")");
        }
        if (e instanceof JsonObject eo && a instanceof JsonObject ao) {
            Set<String> expectedKeys = new TreeSet<>();
            for (String k : eo.members().keySet()) {
                if (!missing.contains(join(path, k))) {
                    expectedKeys.add(k);
                }
            }
            Set<String> actualKeys = new TreeSet<>();
            for (String k : ao.members().keySet()) {
                if (eo.has(k) ? !missing.contains(join(path, k)) : !extra.contains(join(path, k))) {
                    actualKeys.add(k);
                }
            }
            assertEquals(expectedKeys, actualKeys, "members of " + where(path));
            for (String k : expectedKeys) {
                compare(eo.get(k).orElseThrow(), ao.get(k).orElseThrow(), join(path, k), missing, extra);
            }
        } else if (e instanceof JsonArray ea && a instanceof JsonArray aa && !ea.isEmpty() && !aa.isEmpty()) {
            compare(ea.get(0), aa.get(0), path + "[]", missing, extra);
        }
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String where(String path) {
        return path.isEmpty() ? "the root" : path;
    }
}
