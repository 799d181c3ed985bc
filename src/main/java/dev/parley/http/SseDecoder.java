package dev.parley.http;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An incremental Server-Sent Events decoder that follows the WHATWG HTML "event stream
 * interpretation" rules.
 *
 * <p>Bytes may arrive in chunks split at any position: line ends are LF, CR or CRLF (also when the
 * CR and the LF arrive in different chunks), a leading UTF-8 byte order mark is skipped once, and a
 * multi-byte UTF-8 character split across chunks decodes correctly because text is decoded only
 * once a whole line or event is buffered. Invalid UTF-8 becomes U+FFFD. Every dispatched event goes
 * to the event sink; every comment line ({@code : keep-alive}, {@code : ping}) goes to the comment
 * sink with the colon and one following space removed. Comments are not events.
 *
 * <p>{@code id} and {@code retry} fields change stream state, which every later
 * {@link SseEvent} reports. An event whose data buffer is empty is not dispatched, but its event
 * type is reset. At the end of input an incomplete event is discarded, as the specification says;
 * {@link #finish()} reports whether that happened so the caller can fail with "stream interrupted".
 *
 * <p>Memory is bounded: an event larger than the maximum size fails with
 * {@link StreamFormatException} instead of growing without bound. The size checked is the
 * event's data so far (each data line's value and a line feed) plus the whole line being read
 * (its field name and value, or a comment, without the line end), so the outcome is the same
 * wherever the input is split into chunks.
 *
 * <p>Not thread-safe: use from one thread at a time, with happens-before between calls (as a
 * Reactive Streams subscriber gets). An exception thrown by a sink propagates out of
 * {@code decode}, and the decoder must not be used afterwards.
 */
public final class SseDecoder implements FrameDecoder {

    /** The default maximum size of one event, in bytes: 16 MiB. */
    public static final int DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024;

    private static final byte LF = '\n';
    private static final byte CR = '\r';
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final int INITIAL_CAPACITY = 256;
    private static final int RETAINED_CAPACITY = 64 * 1024;
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long LFS = 0x0A0A0A0A0A0A0A0AL;
    private static final long CRS = 0x0D0D0D0D0D0D0D0DL;

    private final Consumer<? super SseEvent> events;
    private final Consumer<? super String> comments;
    private final int maxEventSize;

    /** Bytes of a line that started in an earlier chunk and has not ended yet. */
    private byte[] line = new byte[INITIAL_CAPACITY];
    private int lineLength;
    /** The data buffer, each data line followed by LF. */
    private byte[] data = new byte[INITIAL_CAPACITY];
    private int dataLength;
    /** The event type buffer; null when empty. */
    private String eventType;
    /** The last event type decoded, reused while streams repeat the same type. */
    private String typeCache;
    private String lastEventId = "";
    private long retryMillis = -1;
    /** A CR ended the previous chunk: an LF at the start of the next one belongs to it. */
    private boolean skipLf;
    /** How many bytes of a leading BOM have been matched; -1 once the start has been handled. */
    private int bomMatched;
    /** A field line arrived since the last blank line. */
    private boolean eventPending;

    /**
     * Creates a decoder with the default maximum event size.
     *
     * @param events receives each dispatched event
     * @param comments receives the text of each comment line, or {@code null} to ignore comments
     *     (they are then not even decoded)
     */
    public SseDecoder(Consumer<? super SseEvent> events, Consumer<? super String> comments) {
        this(events, comments, DEFAULT_MAX_EVENT_SIZE);
    }

    /**
     * Creates a decoder.
     *
     * @param events receives each dispatched event
     * @param comments receives the text of each comment line, or {@code null} to ignore comments
     * @param maxEventSize the largest event, in bytes, that the decoder buffers
     * @throws IllegalArgumentException if {@code maxEventSize} is not positive
     */
    public SseDecoder(
            Consumer<? super SseEvent> events, Consumer<? super String> comments, int maxEventSize) {
        this.events = Objects.requireNonNull(events, "events");
        this.comments = comments;
        if (maxEventSize <= 0) {
            throw new IllegalArgumentException("maxEventSize must be positive: " + maxEventSize);
        }
        this.maxEventSize = maxEventSize;
    }

    /**
     * Decodes {@code length} bytes of {@code bytes} starting at {@code offset}. The array is not
     * retained.
     *
     * @param bytes the array holding the next bytes of the stream
     * @param offset where the bytes start
     * @param length how many bytes to decode
     * @throws StreamFormatException if an event exceeds the maximum size
     * @throws IndexOutOfBoundsException if the range is outside the array
     */
    @Override
    public void decode(byte[] bytes, int offset, int length) throws StreamFormatException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        int end = offset + length;
        int i = offset;
        if (bomMatched >= 0) {
            while (i < end && bomMatched < BOM.length && bytes[i] == BOM[bomMatched]) {
                bomMatched++;
                i++;
            }
            if (bomMatched == BOM.length) {
                bomMatched = -1;
            } else if (i == end) {
                return; // still possibly a BOM: wait for more bytes
            } else {
                int matched = bomMatched;
                bomMatched = -1;
                // The bytes were not a BOM after all: they are the start of the first line.
                scan(BOM, 0, matched);
            }
        }
        scan(bytes, i, end);
    }

    /**
     * Signals the end of the input. Any incomplete event is discarded, as the specification
     * requires. The decoder is reset, so it could decode a new stream afterwards (the last event ID
     * and retry time are kept, as for a reconnection).
     *
     * @return {@code true} if the stream ended in the middle of an event: a field line arrived
     *     after the last blank line, or a partial line other than a comment was pending
     */
    @Override
    public boolean finish() {
        boolean partialLine = lineLength > 0 && line[0] != ':';
        boolean partialBom = bomMatched > 0;
        boolean interrupted = eventPending || partialLine || partialBom;
        lineLength = 0;
        dataLength = 0;
        eventType = null;
        eventPending = false;
        skipLf = false;
        bomMatched = 0;
        return interrupted;
    }

    /**
     * Returns the stream's last event ID: the value of the most recent valid {@code id} field.
     *
     * @return the last event ID, or {@code ""} if none was received
     */
    public String lastEventId() {
        return lastEventId;
    }

    /**
     * Returns the stream's reconnection time: the value of the most recent valid {@code retry}
     * field.
     *
     * @return the reconnection time in milliseconds, or {@code -1} if none was received
     */
    public long retryMillis() {
        return retryMillis;
    }

    private void scan(byte[] bytes, int from, int end) throws StreamFormatException {
        int i = from;
        if (skipLf && i < end) {
            skipLf = false;
            if (bytes[i] == LF) {
                i++;
            }
        }
        int start = i;
        while (i < end) {
            int eol = indexOfLineEnd(bytes, i, end);
            if (eol < 0) {
                break;
            }
            if (lineLength == 0) {
                // The same bound as appendLine puts on a line that arrives in pieces.
                checkSize((long) dataLength + (eol - start));
                processLine(bytes, start, eol - start);
            } else {
                appendLine(bytes, start, eol - start);
                int n = lineLength;
                lineLength = 0;
                processLine(line, 0, n);
            }
            i = eol + 1;
            if (bytes[eol] == CR) {
                if (i < end) {
                    if (bytes[i] == LF) {
                        i++;
                    }
                } else {
                    skipLf = true;
                }
            }
            start = i;
        }
        if (start < end) {
            appendLine(bytes, start, end - start);
        }
    }

    /** Returns the index of the first CR or LF in {@code [from, to)}, or -1. */
    private static int indexOfLineEnd(byte[] bytes, int from, int to) {
        int i = from;
        // Eight bytes at a time: a byte of v is LF or CR iff the same byte of v ^ LFS or v ^ CRS is
        // zero. (x - ONES) & ~x & HIGHS has its lowest set bit in the lowest zero byte of x.
        for (int limit = to - Long.BYTES; i <= limit; i += Long.BYTES) {
            long v = (long) LONGS.get(bytes, i);
            long lf = v ^ LFS;
            long cr = v ^ CRS;
            long found = ((lf - ONES) & ~lf | (cr - ONES) & ~cr) & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            byte b = bytes[i];
            if (b == LF || b == CR) {
                return i;
            }
        }
        return -1;
    }

    private void appendLine(byte[] bytes, int offset, int length) throws StreamFormatException {
        int needed = lineLength + length;
        checkSize((long) needed + dataLength);
        if (needed > line.length) {
            line = Arrays.copyOf(line, grow(line.length, needed));
        }
        System.arraycopy(bytes, offset, line, lineLength, length);
        lineLength = needed;
    }

    private void checkSize(long size) throws StreamFormatException {
        if (size > maxEventSize) {
            throw new StreamFormatException(
                    "SSE event larger than the maximum of " + maxEventSize + " bytes");
        }
    }

    private int grow(int current, int needed) {
        long doubled = Math.max((long) current * 2, needed);
        return (int) Math.min(doubled, Math.max(needed, maxEventSize));
    }

    private void processLine(byte[] b, int offset, int length) throws StreamFormatException {
        if (length == 0) {
            dispatch();
            return;
        }
        if (b[offset] == ':') {
            if (comments != null) {
                int start = offset + 1;
                int end = offset + length;
                if (start < end && b[start] == ' ') {
                    start++;
                }
                comments.accept(new String(b, start, end - start, StandardCharsets.UTF_8));
            }
            return;
        }
        eventPending = true;
        int end = offset + length;
        int colon = offset;
        while (colon < end && b[colon] != ':') {
            colon++;
        }
        int nameLength = colon - offset;
        int valueStart = colon < end ? colon + 1 : end;
        if (valueStart < end && b[valueStart] == ' ') {
            valueStart++;
        }
        int valueLength = end - valueStart;
        switch (nameLength) {
            case 4 -> {
                if (is(b, offset, 'd', 'a', 't', 'a')) {
                    appendData(b, valueStart, valueLength);
                }
            }
            case 5 -> {
                if (is(b, offset, 'e', 'v', 'e', 'n', 't')) {
                    eventType = valueLength == 0
                            ? null
                            : (typeCache = text(typeCache, b, valueStart, valueLength));
                } else if (is(b, offset, 'r', 'e', 't', 'r', 'y')) {
                    retry(b, valueStart, valueLength);
                }
            }
            case 2 -> {
                if (b[offset] == 'i' && b[offset + 1] == 'd') {
                    for (int i = valueStart; i < end; i++) {
                        if (b[i] == 0) {
                            return; // an id containing NUL is ignored
                        }
                    }
                    lastEventId = text(lastEventId, b, valueStart, valueLength);
                }
            }
            default -> {
                // Unknown fields are ignored.
            }
        }
    }

    private static boolean is(byte[] b, int offset, char c0, char c1, char c2, char c3) {
        return b[offset] == c0 && b[offset + 1] == c1 && b[offset + 2] == c2 && b[offset + 3] == c3;
    }

    private static boolean is(byte[] b, int offset, char c0, char c1, char c2, char c3, char c4) {
        return is(b, offset, c0, c1, c2, c3) && b[offset + 4] == c4;
    }

    /** Decodes UTF-8, reusing {@code previous} when it already holds the same ASCII text. */
    private static String text(String previous, byte[] b, int offset, int length) {
        if (previous != null && previous.length() == length) {
            boolean same = true;
            for (int i = 0; i < length; i++) {
                char c = previous.charAt(i);
                if (c >= 0x80 || b[offset + i] != (byte) c) {
                    same = false;
                    break;
                }
            }
            if (same) {
                return previous;
            }
        }
        return new String(b, offset, length, StandardCharsets.UTF_8);
    }

    private void retry(byte[] b, int offset, int length) {
        if (length == 0) {
            return;
        }
        long value = 0;
        for (int i = offset; i < offset + length; i++) {
            int digit = b[i] - '0';
            if (digit < 0 || digit > 9) {
                return; // not only ASCII digits: ignored
            }
            if (value > (Long.MAX_VALUE - digit) / 10) {
                return; // does not fit in a long: ignored rather than wrapped
            }
            value = value * 10 + digit;
        }
        retryMillis = value;
    }

    private void appendData(byte[] b, int offset, int length) throws StreamFormatException {
        int needed = dataLength + length + 1;
        checkSize((long) needed + lineLength);
        if (needed > data.length) {
            data = Arrays.copyOf(data, grow(data.length, needed));
        }
        System.arraycopy(b, offset, data, dataLength, length);
        data[needed - 1] = LF;
        dataLength = needed;
    }

    private void dispatch() {
        eventPending = false;
        if (dataLength == 0) {
            eventType = null;
            return;
        }
        byte[] text = SseEvent.copy(data, dataLength - 1); // decoded only if someone asks for the string
        String type = eventType == null ? SseEvent.DEFAULT_TYPE : eventType;
        dataLength = 0;
        eventType = null;
        if (data.length > RETAINED_CAPACITY) {
            data = new byte[INITIAL_CAPACITY];
        }
        if (line.length > RETAINED_CAPACITY) {
            line = new byte[INITIAL_CAPACITY];
        }
        events.accept(new SseEvent(type, text, lastEventId, retryMillis));
    }
}
