package dev.parley.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

import dev.parley.json.Json;
import dev.parley.json.JsonException;
import dev.parley.json.JsonValue;

/**
 * One dispatched Server-Sent Event.
 *
 * <p>An event made by {@link SseDecoder} keeps its data as the UTF-8 bytes it arrived in, and
 * makes the {@link #data()} string only when asked: {@link #parseJson()} reads the bytes
 * directly, so a JSON event costs no string of its data and no re-encoding of it.
 *
 * <p>Immutable and safe to share between threads. Equal when type, data, last event ID and retry
 * value are equal.
 */
public final class SseEvent {

    /** The event type used when an event has no {@code event:} field. */
    public static final String DEFAULT_TYPE = "message";

    private final String type;
    private final String lastEventId;
    private final long retryMillis;
    /** The data as UTF-8, or null for an event made from a string. */
    private final byte[] utf8;
    /** The data; made from {@link #utf8} on first use (racy but idempotent: strings are immutable). */
    private String data;

    /**
     * Creates an event.
     *
     * @param type the event type: the last {@code event:} field of the event, or {@code "message"}
     *     when there was none (or it was empty)
     * @param data the values of the event's {@code data} fields joined with {@code "\n"}; empty only
     *     if the event had a single {@code data} field with an empty value (events without any
     *     {@code data} field are not dispatched)
     * @param lastEventId the stream's last event ID at dispatch time (the most recent {@code id:}
     *     field, which persists across events), or {@code ""} if none was received
     * @param retryMillis the stream's reconnection time from the most recent valid {@code retry:}
     *     field, or {@code -1} if none was received
     * @throws NullPointerException if {@code type}, {@code data} or {@code lastEventId} is null
     */
    public SseEvent(String type, String data, String lastEventId, long retryMillis) {
        this.type = Objects.requireNonNull(type, "type");
        this.data = Objects.requireNonNull(data, "data");
        this.lastEventId = Objects.requireNonNull(lastEventId, "lastEventId");
        this.retryMillis = retryMillis;
        this.utf8 = null;
    }

    /** An event whose data is {@code utf8}, owned by the event from now on. */
    SseEvent(String type, byte[] utf8, String lastEventId, long retryMillis) {
        this.type = type;
        this.utf8 = utf8;
        this.lastEventId = lastEventId;
        this.retryMillis = retryMillis;
    }

    /**
     * Creates a {@code "message"} event with the given data, no ID and no retry value.
     *
     * @param data the event data
     * @return the event
     */
    public static SseEvent of(String data) {
        return new SseEvent(DEFAULT_TYPE, data, "", -1);
    }

    /**
     * Creates an event with the given type and data, no ID and no retry value.
     *
     * @param type the event type
     * @param data the event data
     * @return the event
     */
    public static SseEvent of(String type, String data) {
        return new SseEvent(type, data, "", -1);
    }

    /** {@return the event type} */
    public String type() {
        return type;
    }

    /** {@return the data: the {@code data} fields joined with {@code "\n"}, decoded as UTF-8} */
    public String data() {
        String d = data;
        if (d == null) {
            data = d = new String(utf8, StandardCharsets.UTF_8);
        }
        return d;
    }

    /** {@return the last event ID at dispatch time, or ""} */
    public String lastEventId() {
        return lastEventId;
    }

    /** {@return the reconnection time in milliseconds, or -1} */
    public long retryMillis() {
        return retryMillis;
    }

    /**
     * {@return whether the data has fewer than {@code chars} characters}; decodes it only when
     * its byte length cannot tell (a UTF-8 character takes one to three bytes per {@code char})
     */
    public boolean dataShorterThan(int chars) {
        if (utf8 == null) {
            return data.length() < chars;
        }
        if (utf8.length < chars) {
            return true;
        }
        if (utf8.length >= 3L * chars) {
            return false;
        }
        return data().length() < chars;
    }

        /**
     * {@return the data's UTF-8 bytes as they arrived, or null for an event made from a string}
     * The array is the event's own: read it, never change it.
     */
    public byte[] utf8() {
        return utf8;
    }

/**
     * {@return the data parsed as JSON}, the same value as {@code Json.parse(data())}: from the
     * UTF-8 bytes when the event has them (the usual case), without making the string
     *
     * @throws JsonException if the data is not JSON
     */
    public JsonValue parseJson() {
        if (utf8 == null) {
            return Json.parse(data);
        }
        try {
            return Json.parse(utf8);
        } catch (JsonException e) {
            // Malformed UTF-8 decodes to U+FFFD in data(): parse that, as before, or fail as before.
            return Json.parse(data());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SseEvent e && type.equals(e.type) && data().equals(e.data())
                && lastEventId.equals(e.lastEventId) && retryMillis == e.retryMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, data(), lastEventId, retryMillis);
    }

    @Override
    public String toString() {
        return "SseEvent[type=" + type + ", data=" + data() + ", lastEventId=" + lastEventId
                + ", retryMillis=" + retryMillis + "]";
    }

    static byte[] copy(byte[] b, int length) {
        return Arrays.copyOf(b, length);
    }
}
