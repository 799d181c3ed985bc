package dev.parley.internal.redis;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.parley.support.Fuzz;

/**
 * The RESP reader against what a hostile or broken server could send: every input gives a value
 * or an {@link IOException} (end of stream, or a protocol failure), never another exception, a
 * stack overflow or an allocation larger than what arrived.
 */
class RespFuzzTest {

    private static final long[] REGRESSIONS = {};
    private static final String[] TOKENS = {"+", "-", ":", "$", "*", "_", "%", "OK", "ERR x", "0", "1", "2", "-1", "-2",
        "3", "99999999999999999999", "9223372036854775807", "\r\n", "\r\n", "\r\n", "\r", "\n", "abc", " ", "\u00e9"};

    private static Object read(byte[] in) throws IOException {
        return Resp.read(new ByteArrayInputStream(in), 1 << 16);
    }

    private static Object read(String in) throws IOException {
        return read(in.getBytes(US_ASCII));
    }

    @Test
    void everyType_isRead() throws IOException {
        assertEquals("OK", read("+OK\r\n"));
        RedisException e = assertInstanceOf(RedisException.class, read("-ERR wrong\r\n"));
        assertEquals("ERR wrong", e.getMessage());
        assertEquals("ERR", e.code());
        assertEquals(-42L, read(":-42\r\n"));
        assertArrayEquals(new byte[] {'a', '\r', '\n'}, (byte[]) read("$3\r\na\r\n\r\n"));
        assertArrayEquals(new byte[0], (byte[]) read("$0\r\n\r\n"));
        assertNull(read("$-1\r\n"));
        assertNull(read("*-1\r\n"));
        assertEquals(List.of(1L, List.of("x"), List.of()), read("*3\r\n:1\r\n*1\r\n+x\r\n*0\r\n"));
    }

    @Test
    void written_commands_areReadBackAsArraysOfBulkStrings() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Resp.write(out, "SET", "k\r\n", new byte[] {0, 1}, 42);
        List<?> l = (List<?>) read(out.toByteArray());
        assertEquals(4, l.size());
        assertArrayEquals("k\r\n".getBytes(US_ASCII), (byte[]) l.get(1));
        assertArrayEquals(new byte[] {0, 1}, (byte[]) l.get(2));
        assertArrayEquals("42".getBytes(US_ASCII), (byte[]) l.get(3));
    }

    @Test
    void bounds_refuseWhatCouldExhaustMemoryOrStack() {
        assertThrows(Resp.ProtocolException.class, () -> read("$65537\r\n"));
        assertThrows(Resp.ProtocolException.class, () -> read("*" + (Resp.MAX_ARRAY + 1) + "\r\n"));
        assertThrows(Resp.ProtocolException.class, () -> read("*1\r\n".repeat(100_000)));
        assertThrows(Resp.ProtocolException.class, () -> read("+" + "x".repeat(Resp.MAX_LINE + 1) + "\r\n"));
        assertThrows(Resp.ProtocolException.class, () -> read(":12a\r\n"));
        assertThrows(Resp.ProtocolException.class, () -> read(":99999999999999999999\r\n"));
        assertThrows(Resp.ProtocolException.class, () -> read("$-2\r\n"));
        assertThrows(Resp.ProtocolException.class, () -> read("$1\r\nab\r\n"));
        assertThrows(Resp.ProtocolException.class, () -> read("+OK\n"));
        assertThrows(Resp.ProtocolException.class, () -> read("%1\r\n"));
        assertThrows(EOFException.class, () -> read("$3\r\nab"));
        assertThrows(EOFException.class, () -> read(""));
    }

    @Test
    void aClaimedHugeBulkString_allocatesOnlyWhatArrives() {
        // 60 MiB claimed, 3 bytes sent: a reader that allocated the claim up front would spend 60 MiB here.
        InputStream in = new ByteArrayInputStream(("$" + (60 << 20) + "\r\nabc").getBytes(US_ASCII));
        assertThrows(EOFException.class, () -> Resp.read(in, 64 << 20));
    }

    @Test
    void fuzz_randomReplies_giveAValueOrAnIoFailure() {
        Fuzz.run(3000, REGRESSIONS, r -> {
            byte[] in = garbage(r);
            try {
                Object v = read(in);
                assertTrue(v == null || v instanceof String || v instanceof Long || v instanceof byte[]
                        || v instanceof List || v instanceof RedisException, String.valueOf(v));
            } catch (IOException expected) {
                // EOF or a protocol failure: the connection is dropped
            }
        });
    }

    private static byte[] garbage(Random r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = r.nextInt(40);
        boolean raw = r.nextInt(4) == 0;
        for (int i = 0; i < n; i++) {
            if (raw && r.nextInt(6) == 0) {
                out.write(r.nextInt(256));
            } else {
                out.writeBytes(TOKENS[r.nextInt(TOKENS.length)].getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }
}
