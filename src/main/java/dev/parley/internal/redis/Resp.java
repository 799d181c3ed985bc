package dev.parley.internal.redis;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Redis protocol, RESP2: commands out as arrays of bulk strings, replies in as Java values.
 *
 * <p>A reply is read as: a simple string as {@link String}; an error as a {@link RedisException}
 * of kind {@code REPLY} (returned, not thrown, so one failed command of a pipeline does not hide
 * the others' replies); an integer as {@link Long}; a bulk string as {@code byte[]}; an array as
 * {@code List<Object>}; a null bulk string or null array as {@code null}.
 *
 * <p>Bounded against a hostile or broken server: a line (simple string, error, integer, length)
 * is at most {@value #MAX_LINE} bytes, a bulk string at most the reader's {@code maxBulk} (and
 * memory grows only with the bytes that actually arrive), an array at most {@value #MAX_ARRAY}
 * elements, arrays nest at most {@value #MAX_DEPTH} deep. Anything else is a
 * {@link ProtocolException}, after which the connection must be dropped.
 */
final class Resp {

    static final int MAX_LINE = 64 * 1024;
    static final int MAX_ARRAY = 1 << 20;
    static final int MAX_DEPTH = 8;

    /** A reply that breaks the protocol or a bound; the connection cannot be trusted after it. */
    static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }

    private Resp() {
    }

    /** Writes one command: each argument a bulk string ({@code byte[]} as is, anything else as its UTF-8 text). */
    static void write(OutputStream out, Object... args) throws IOException {
        out.write('*');
        out.write(ascii(args.length));
        out.write(CRLF);
        for (Object a : args) {
            byte[] b = a instanceof byte[] bytes ? bytes : String.valueOf(a).getBytes(StandardCharsets.UTF_8);
            out.write('$');
            out.write(ascii(b.length));
            out.write(CRLF);
            out.write(b);
            out.write(CRLF);
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};

    private static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * {@return the next reply on {@code in}}
     *
     * @param maxBulk the longest bulk string accepted, in bytes
     * @throws ProtocolException if the reply breaks the protocol or a bound
     * @throws IOException       if the stream fails or ends
     */
    static Object read(InputStream in, int maxBulk) throws IOException {
        return read(in, maxBulk, 0);
    }

    private static Object read(InputStream in, int maxBulk, int depth) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed by the server");
        }
        switch (type) {
            case '+':
                return line(in);
            case '-':
                return RedisException.reply(line(in));
            case ':':
                return number(line(in));
            case '$': {
                long n = number(line(in));
                if (n == -1) {
                    return null;
                }
                if (n < 0 || n > maxBulk) {
                    throw new ProtocolException("bulk string of " + n + " bytes (at most " + maxBulk + ")");
                }
                byte[] b = in.readNBytes((int) n);
                if (b.length < n) {
                    throw new EOFException("connection closed inside a bulk string");
                }
                crlf(in);
                return b;
            }
            case '*': {
                long n = number(line(in));
                if (n == -1) {
                    return null;
                }
                if (n < 0 || n > MAX_ARRAY) {
                    throw new ProtocolException("array of " + n + " elements (at most " + MAX_ARRAY + ")");
                }
                if (depth >= MAX_DEPTH) {
                    throw new ProtocolException("arrays nested more than " + MAX_DEPTH + " deep");
                }
                List<Object> list = new ArrayList<>((int) Math.min(n, 64));
                for (long i = 0; i < n; i++) {
                    list.add(read(in, maxBulk, depth + 1));
                }
                return list;
            }
            default:
                throw new ProtocolException("unexpected reply type byte " + type);
        }
    }

    private static void crlf(InputStream in) throws IOException {
        int cr = in.read();
        int lf = in.read();
        if (cr < 0 || lf < 0) {
            throw new EOFException("connection closed inside a reply");
        }
        if (cr != '\r' || lf != '\n') {
            throw new ProtocolException("bulk string not followed by CRLF");
        }
    }

    /** Reads a line up to CRLF, as text; bare CR or LF inside is refused. */
    private static String line(InputStream in) throws IOException {
        byte[] buf = new byte[64];
        int n = 0;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed inside a reply");
            }
            if (c == '\r') {
                if (in.read() != '\n') {
                    throw new ProtocolException("CR not followed by LF");
                }
                return new String(buf, 0, n, StandardCharsets.UTF_8);
            }
            if (c == '\n') {
                throw new ProtocolException("LF without CR");
            }
            if (n == MAX_LINE) {
                throw new ProtocolException("line longer than " + MAX_LINE + " bytes");
            }
            if (n == buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.min(MAX_LINE, n * 2));
            }
            buf[n++] = (byte) c;
        }
    }

    private static long number(String s) throws ProtocolException {
        boolean ok = !s.isEmpty() && s.length() <= 20;
        for (int i = 0; ok && i < s.length(); i++) {
            char c = s.charAt(i);
            ok = (c >= '0' && c <= '9') || (i == 0 && c == '-' && s.length() > 1);
        }
        if (ok) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                // falls through
            }
        }
        throw new ProtocolException("a length or integer that is not a 64-bit integer");
    }
}
