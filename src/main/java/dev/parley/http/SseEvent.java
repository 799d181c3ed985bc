package dev.parley.http;

import java.util.Objects;

/**
 * One dispatched Server-Sent Event.
 *
 * <p>Records are immutable and safe to share between threads.
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
 */
public record SseEvent(String type, String data, String lastEventId, long retryMillis) {

    /** The event type used when an event has no {@code event:} field. */
    public static final String DEFAULT_TYPE = "message";

    /**
     * Validates the components.
     *
     * @throws NullPointerException if {@code type}, {@code data} or {@code lastEventId} is null
     */
    public SseEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(lastEventId, "lastEventId");
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
}
