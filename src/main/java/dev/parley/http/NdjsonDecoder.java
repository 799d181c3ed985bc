package dev.parley.http;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An incremental newline-delimited JSON framer, as Ollama streams: splits byte chunks into lines.
 *
 * <p>Lines end with LF; a CR before the LF is removed too. Blank lines (nothing but spaces, tabs and
 * CRs) are skipped. Each other line goes to the sink as a new {@code byte[]} of exactly the line's
 * length, without its line end, ready for a JSON parser. At {@link #finish()} a final line without
 * a line end is still delivered if it is not blank. The bytes are not decoded or validated here.
 *
 * <p>Memory is bounded: a line longer than the maximum size fails with
 * {@link StreamFormatException}.
 *
 * <p>Not thread-safe: use from one thread at a time, with happens-before between calls. An
 * exception thrown by the sink propagates out of {@code decode}, and the decoder must not be used
 * afterwards.
 */
public final class NdjsonDecoder implements FrameDecoder {

    /** The default maximum size of one line, in bytes: 16 MiB. */
    public static final int DEFAULT_MAX_LINE_SIZE = 16 * 1024 * 1024;

    private static final int INITIAL_CAPACITY = 256;
    private static final int RETAINED_CAPACITY = 64 * 1024;

    private final Consumer<? super byte[]> lines;
    private final int maxLineSize;
    private byte[] line = new byte[INITIAL_CAPACITY];
    private int lineLength;

    /**
     * Creates a decoder with the default maximum line size.
     *
     * @param lines receives each non-blank line
     */
    public NdjsonDecoder(Consumer<? super byte[]> lines) {
        this(lines, DEFAULT_MAX_LINE_SIZE);
    }

    /**
     * Creates a decoder.
     *
     * @param lines receives each non-blank line
     * @param maxLineSize the longest line, in bytes (without its line end), that is accepted
     * @throws IllegalArgumentException if {@code maxLineSize} is not positive
     */
    public NdjsonDecoder(Consumer<? super byte[]> lines, int maxLineSize) {
        this.lines = Objects.requireNonNull(lines, "lines");
        if (maxLineSize <= 0) {
            throw new IllegalArgumentException("maxLineSize must be positive: " + maxLineSize);
        }
        this.maxLineSize = maxLineSize;
    }

    /**
     * Decodes {@code length} bytes of {@code bytes} starting at {@code offset}. The array is not
     * retained.
     *
     * @param bytes the array holding the next bytes of the stream
     * @param offset where the bytes start
     * @param length how many bytes to decode
     * @throws StreamFormatException if a line exceeds the maximum size
     * @throws IndexOutOfBoundsException if the range is outside the array
     */
    @Override
    public void decode(byte[] bytes, int offset, int length) throws StreamFormatException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        int end = offset + length;
        int start = offset;
        for (int i = offset; i < end; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            if (lineLength == 0) {
                emit(bytes, start, i - start);
            } else {
                append(bytes, start, i - start);
                int n = lineLength;
                lineLength = 0;
                emit(line, 0, n);
                if (line.length > RETAINED_CAPACITY) {
                    line = new byte[INITIAL_CAPACITY];
                }
            }
            start = i + 1;
        }
        if (start < end) {
            append(bytes, start, end - start);
        }
    }

    /**
     * Signals the end of the input, delivering a final line that had no line end if it is not
     * blank. The decoder is reset.
     *
     * @return always {@code false}: NDJSON never discards a partial frame (a truncated final line
     *     is delivered, and a JSON parser will reject it)
     * @throws StreamFormatException if the final line exceeds the maximum size
     */
    @Override
    public boolean finish() throws StreamFormatException {
        int n = lineLength;
        lineLength = 0;
        if (n > 0) {
            emit(line, 0, n);
        }
        return false;
    }

    private void append(byte[] bytes, int offset, int length) throws StreamFormatException {
        int needed = lineLength + length;
        checkSize(needed);
        if (needed > line.length) {
            long doubled = Math.max((long) line.length * 2, needed);
            line = Arrays.copyOf(line, (int) Math.min(doubled, (long) maxLineSize + 1));
        }
        System.arraycopy(bytes, offset, line, lineLength, length);
        lineLength = needed;
    }

    private void checkSize(int length) throws StreamFormatException {
        // One byte of slack for the CR of a CRLF line end, which is not part of the line.
        if (length > maxLineSize + 1L) {
            throw new StreamFormatException(
                    "NDJSON line longer than the maximum of " + maxLineSize + " bytes");
        }
    }

    private void emit(byte[] bytes, int offset, int length) throws StreamFormatException {
        int end = trimCr(bytes, offset, offset + length);
        if (end - offset > maxLineSize) {
            throw new StreamFormatException(
                    "NDJSON line longer than the maximum of " + maxLineSize + " bytes");
        }
        deliver(bytes, offset, end);
    }

    private static int trimCr(byte[] bytes, int offset, int end) {
        return end > offset && bytes[end - 1] == '\r' ? end - 1 : end;
    }

    private void deliver(byte[] bytes, int offset, int end) {
        for (int i = offset; i < end; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                lines.accept(Arrays.copyOfRange(bytes, offset, end));
                return;
            }
        }
    }
}
