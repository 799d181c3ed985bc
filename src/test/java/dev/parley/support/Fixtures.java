package dev.parley.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import dev.parley.json.Json;
import dev.parley.json.JsonValue;

/**
 * Reads the provider fixtures copied from {@code ../shared/fixtures} into
 * {@code src/test/resources/fixtures} (see the README there for each file's source).
 */
public final class Fixtures {

    private Fixtures() {
    }

    /** {@return the bytes of fixture {@code path}, such as "openai/chat_basic.response.json"} */
    public static byte[] bytes(String path) {
        byte[] b = bytesOrNull(path);
        if (b == null) {
            throw new IllegalArgumentException("no fixture " + path);
        }
        return b;
    }

    /** {@return the fixture as UTF-8 text} */
    public static String text(String path) {
        return new String(bytes(path), StandardCharsets.UTF_8);
    }

    /** {@return the fixture parsed as JSON} */
    public static JsonValue json(String path) {
        return Json.parse(bytes(path));
    }

    static byte[] bytesOrNull(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
