package dev.parley.json;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads and writes JSON (RFC 8259).
 *
 * {@snippet :
 * JsonObject body = (JsonObject) Json.parse(bytes);
 * String id = body.string("id");
 * String content = body.array("choices").object(0).object("message").stringOr("content", "");
 *
 * byte[] request = Json.writeBytes(JsonObject.newBuilder().put("model", "gpt-4o-mini").build());
 * }
 *
 * <p>The parse methods use {@link JsonParser#defaults()}: nesting up to
 * {@value JsonParser#DEFAULT_MAX_DEPTH} deep, input up to 128 MiB, objects of up to
 * {@value JsonParser#DEFAULT_MAX_MEMBERS} members, duplicate keys last-wins.
 * Build a {@link JsonParser} for other limits. All methods are thread-safe.
 */
public final class Json {

    private Json() {
    }

    /**
     * Parses UTF-8 JSON text. HTTP bodies arrive as bytes: parse them with this method rather
     * than decoding them to a {@code String} first.
     *
     * @param utf8 the text
     * @return the value
     * @throws JsonParseException if the input is not acceptable JSON
     */
    public static JsonValue parse(byte[] utf8) {
        return JsonParser.defaults().parse(utf8);
    }

    /**
     * Parses JSON text held in characters.
     *
     * @param text the text
     * @return the value
     * @throws JsonParseException if the input is not acceptable JSON
     */
    public static JsonValue parse(CharSequence text) {
        return JsonParser.defaults().parse(text);
    }

    /**
     * Reads UTF-8 JSON text to the end of the stream and parses it; the stream is not closed.
     *
     * @param in the stream
     * @return the value
     * @throws JsonParseException if the input is not acceptable JSON
     * @throws IOException        if reading fails
     */
    public static JsonValue parse(InputStream in) throws IOException {
        return JsonParser.defaults().parse(in);
    }

    /**
     * Writes a value as compact JSON text, which {@link #parse(CharSequence)} reads back to an
     * equal value. Characters are escaped as RFC 8259 requires ({@code "}, {@code \}, and
     * control characters); everything else is written as is.
     *
     * @param value the value
     * @return the text
     * @throws IllegalArgumentException if a string holds an unpaired surrogate, which has no UTF-8 form
     */
    public static String write(JsonValue value) {
        JsonWriter w = new JsonWriter(256);
        w.write(value);
        return w.toString();
    }

    /**
     * Writes a value as compact UTF-8 JSON, ready to send as an HTTP body.
     *
     * @param value the value
     * @return the UTF-8 bytes
     * @throws IllegalArgumentException if a string holds an unpaired surrogate, which has no UTF-8 form
     */
    public static byte[] writeBytes(JsonValue value) {
        return JsonWriter.bytes(value);
    }
}
