package dev.parley.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One message of an {@code application/vnd.amazon.eventstream} body, as {@link EventStreamDecoder}
 * frames it: its headers, in wire order, and its payload.
 *
 * <p>Header values keep their wire type: {@link Boolean}, {@link Byte}, {@link Short},
 * {@link Integer}, {@link Long}, {@code byte[]}, {@link String}, {@link java.time.Instant}
 * (timestamps) and {@link java.util.UUID}.
 *
 * <p>Immutable once built (the payload array is the decoder's own copy, handed over).
 *
 * @param headers the headers by name, in wire order; unmodifiable
 * @param payload the payload bytes
 */
public record EventStreamMessage(Map<String, Object> headers, byte[] payload) {

    /** Copies the headers into an unmodifiable map that keeps their order. */
    public EventStreamMessage {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(headers, "headers")));
        Objects.requireNonNull(payload, "payload");
    }

    /**
     * {@return the string header {@code name}, or null when it is absent or of another type}
     *
     * @param name such as {@code :event-type}
     */
    public String header(String name) {
        return headers.get(name) instanceof String s ? s : null;
    }

    /** {@return the payload as UTF-8 text} */
    public String payloadText() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EventStreamMessage m) || !Arrays.equals(payload, m.payload)
                || !headers.keySet().equals(m.headers.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> e : headers.entrySet()) {
            Object other = m.headers.get(e.getKey());
            if (e.getValue() instanceof byte[] a ? !(other instanceof byte[] b && Arrays.equals(a, b))
                    : !e.getValue().equals(other)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return headers.keySet().hashCode() * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "EventStreamMessage[headers=" + headers.keySet() + ", payload=" + payload.length + " bytes]";
    }
}
