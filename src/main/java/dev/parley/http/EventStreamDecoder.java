package dev.parley.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * An incremental decoder of the AWS event-stream binary framing
 * ({@code application/vnd.amazon.eventstream}), as Amazon Bedrock streams: splits byte chunks
 * into {@link EventStreamMessage}s.
 *
 * <p>Each message is a 12-byte prelude (total length and headers length, both big-endian
 * unsigned 32-bit, then the CRC32 of those 8 bytes), the headers, the payload, and the CRC32
 * of everything before it. Both checksums are verified; the prelude's as soon as its 12 bytes
 * are in, so that a corrupted length is never trusted to size a buffer. A header is a 1-byte
 * name length, the UTF-8 name, a 1-byte type and a value: 0 true, 1 false, 2 byte, 3 short,
 * 4 int, 5 long, 6 byte array and 7 string (each with a 2-byte length), 8 timestamp
 * (milliseconds since the epoch), 9 UUID.
 *
 * <p>Fails with {@link StreamFormatException} (and must not be used afterwards) for a checksum
 * that does not match, a message shorter than 16 bytes or longer than the maximum, a headers
 * length past the message, a malformed or repeated header, an unknown header type, or a name or
 * string that is not UTF-8. A body that ends in the middle of a message is reported by
 * {@link #finish()}.
 *
 * <p>Not thread-safe: use from one thread at a time, with happens-before between calls.
 */
public final class EventStreamDecoder implements FrameDecoder {

    /** The default largest message, in bytes: 16 MiB, as AWS limits them. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

    private static final int PRELUDE = 12;
    private static final int MIN_MESSAGE = PRELUDE + 4;
    private static final int INITIAL_CAPACITY = 1024;
    private static final int RETAINED_CAPACITY = 64 * 1024;

    private final Consumer<? super EventStreamMessage> messages;
    private final int maxMessageSize;
    private byte[] buffer = new byte[INITIAL_CAPACITY];
    private int length;
    /** The total length of the message being read, once its prelude was checked; else -1. */
    private int expected = -1;

    /**
     * Creates a decoder with the default maximum message size.
     *
     * @param messages receives each message
     */
    public EventStreamDecoder(Consumer<? super EventStreamMessage> messages) {
        this(messages, DEFAULT_MAX_MESSAGE_SIZE);
    }

    /**
     * Creates a decoder.
     *
     * @param messages       receives each message
     * @param maxMessageSize the longest message accepted, in bytes, prelude and checksum included
     * @throws IllegalArgumentException if {@code maxMessageSize} is less than 16
     */
    public EventStreamDecoder(Consumer<? super EventStreamMessage> messages, int maxMessageSize) {
        this.messages = Objects.requireNonNull(messages, "messages");
        if (maxMessageSize < MIN_MESSAGE) {
            throw new IllegalArgumentException("maxMessageSize must be at least " + MIN_MESSAGE + ": " + maxMessageSize);
        }
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * Decodes {@code count} bytes of {@code bytes} starting at {@code offset}, delivering every
     * message they complete. The array is not retained.
     *
     * @param bytes  the array holding the next bytes of the stream
     * @param offset where the bytes start
     * @param count  how many bytes to decode
     * @throws StreamFormatException if a message is malformed or too long
     * @throws IndexOutOfBoundsException if the range is outside the array
     */
    @Override
    public void decode(byte[] bytes, int offset, int count) throws StreamFormatException {
        Objects.checkFromIndexSize(offset, count, bytes.length);
        int at = offset;
        int end = offset + count;
        while (at < end) {
            // Take only what the current message still needs, so the buffer never holds more than one.
            int need = (expected < 0 ? PRELUDE : expected) - length;
            int n = Math.min(need, end - at);
            append(bytes, at, n);
            at += n;
            if (length < PRELUDE) {
                continue;
            }
            if (expected < 0) {
                expected = prelude();
                if (length < expected) {
                    continue;
                }
            }
            if (length == expected) {
                deliver();
            }
        }
    }

    /**
     * Signals the end of the input. The decoder is reset.
     *
     * @return whether the stream ended in the middle of a message, whose bytes were discarded
     */
    @Override
    public boolean finish() {
        boolean cut = length > 0;
        length = 0;
        expected = -1;
        return cut;
    }

    /** {@return the total length announced by a complete, checked prelude} */
    private int prelude() throws StreamFormatException {
        long total = uint32(0);
        long headers = uint32(4);
        if (crc(0, 8) != uint32(8)) {
            throw new StreamFormatException("event stream: the prelude checksum does not match (the message lengths are"
                    + " corrupt)");
        }
        if (total < MIN_MESSAGE || total > maxMessageSize) {
            throw new StreamFormatException("event stream: a message of " + total + " bytes, outside the accepted "
                    + MIN_MESSAGE + " to " + maxMessageSize);
        }
        if (headers > total - MIN_MESSAGE) {
            throw new StreamFormatException("event stream: " + headers + " bytes of headers do not fit in a message of "
                    + total + " bytes");
        }
        return (int) total;
    }

    private void deliver() throws StreamFormatException {
        int total = expected;
        if (crc(0, total - 4) != uint32(total - 4)) {
            throw new StreamFormatException("event stream: the message checksum does not match (the message is corrupt)");
        }
        int headersEnd = PRELUDE + (int) uint32(4);
        Map<String, Object> headers = headers(PRELUDE, headersEnd);
        byte[] payload = Arrays.copyOfRange(buffer, headersEnd, total - 4);
        length = 0;
        expected = -1;
        if (buffer.length > RETAINED_CAPACITY) {
            buffer = new byte[INITIAL_CAPACITY];
        }
        messages.accept(new EventStreamMessage(headers, payload));
    }

    private Map<String, Object> headers(int from, int end) throws StreamFormatException {
        Map<String, Object> headers = new LinkedHashMap<>();
        int at = from;
        while (at < end) {
            int nameLength = buffer[at++] & 0xFF;
            if (nameLength == 0 || at + nameLength + 1 > end) {
                throw malformed("a header name runs past the headers");
            }
            String name = utf8(at, nameLength);
            at += nameLength;
            int type = buffer[at++];
            Object value;
            int size = switch (type) {
                case 0, 1 -> 0;
                case 2 -> 1;
                case 3 -> 2;
                case 4 -> 4;
                case 5, 8 -> 8;
                case 6, 7 -> {
                    if (at + 2 > end) {
                        throw malformed("header " + name + " runs past the headers");
                    }
                    int n = (buffer[at] & 0xFF) << 8 | buffer[at + 1] & 0xFF;
                    at += 2;
                    yield n;
                }
                case 9 -> 16;
                default -> throw malformed("header " + name + " has the unknown type " + type);
            };
            if (at + size > end) {
                throw malformed("header " + name + " runs past the headers");
            }
            ByteBuffer b = ByteBuffer.wrap(buffer, at, size);
            value = switch (type) {
                case 0 -> Boolean.TRUE;
                case 1 -> Boolean.FALSE;
                case 2 -> b.get();
                case 3 -> b.getShort();
                case 4 -> b.getInt();
                case 5 -> b.getLong();
                case 6 -> Arrays.copyOfRange(buffer, at, at + size);
                case 7 -> utf8(at, size);
                case 8 -> Instant.ofEpochMilli(b.getLong());
                default -> new UUID(b.getLong(), b.getLong());
            };
            at += size;
            if (headers.put(name, value) != null) {
                throw malformed("header " + name + " appears twice");
            }
        }
        return headers;
    }

    private String utf8(int at, int n) throws StreamFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(buffer, at, n)).toString();
        } catch (CharacterCodingException e) {
            throw malformed("a header name or string is not UTF-8");
        }
    }

    private static StreamFormatException malformed(String what) {
        return new StreamFormatException("event stream: malformed headers: " + what);
    }

    private long crc(int from, int n) {
        CRC32 crc = new CRC32();
        crc.update(buffer, from, n);
        return crc.getValue();
    }

    private long uint32(int at) {
        return (buffer[at] & 0xFFL) << 24 | (buffer[at + 1] & 0xFFL) << 16 | (buffer[at + 2] & 0xFFL) << 8
                | buffer[at + 3] & 0xFFL;
    }

    private void append(byte[] bytes, int offset, int n) {
        int needed = length + n;
        if (needed > buffer.length) {
            int target = Math.max(needed, expected > 0 ? expected : buffer.length * 2);
            buffer = Arrays.copyOf(buffer, target);
        }
        System.arraycopy(bytes, offset, buffer, length, n);
        length = needed;
    }
}
