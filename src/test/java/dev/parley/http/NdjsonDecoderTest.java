package dev.parley.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NdjsonDecoderTest {

    private static List<String> decode(byte[] in, int maxLine, int... cuts)
            throws StreamFormatException {
        List<byte[]> lines = new ArrayList<>();
        NdjsonDecoder decoder = new NdjsonDecoder(lines::add, maxLine);
        int from = 0;
        for (int cut : cuts) {
            decoder.decode(in, from, cut - from);
            from = cut;
        }
        decoder.decode(in, from, in.length - from);
        assertFalse(decoder.finish(), "NDJSON never discards");
        return lines.stream().map(b -> new String(b, UTF_8)).toList();
    }

    /** Decodes whole, one byte at a time and split at every position; asserts all agree. */
    private static List<String> assertSplitInvariant(String text) throws StreamFormatException {
        byte[] in = text.getBytes(UTF_8);
        List<String> whole = decode(in, 1 << 20);
        for (int i = 0; i <= in.length; i++) {
            assertEquals(whole, decode(in, 1 << 20, i), "split at " + i);
        }
        int[] everyByte = new int[Math.max(0, in.length - 1)];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i + 1;
        }
        assertEquals(whole, decode(in, 1 << 20, everyByte), "one byte at a time");
        return whole;
    }

    @Test
    void splitsLinesAtLf() throws Exception {
        assertEquals(List.of("{\"a\":1}", "{\"b\":2}", "{\"c\":\"\u00e9\uD83D\uDE00\"}"),
                assertSplitInvariant("{\"a\":1}\n{\"b\":2}\n{\"c\":\"\u00e9\uD83D\uDE00\"}\n"));
    }

    @Test
    void toleratesCrlf() throws Exception {
        assertEquals(List.of("{\"a\":1}", "{\"b\":2}"),
                assertSplitInvariant("{\"a\":1}\r\n{\"b\":2}\r\n"));
    }

    @Test
    void skipsBlankLines() throws Exception {
        assertEquals(List.of("1", "2", " 3"),
                assertSplitInvariant("\n\n1\n\r\n  \t \n2\n\n \r\n 3\n\n"));
    }

    @Test
    void deliversAFinalLineWithoutLineEnd() throws Exception {
        assertEquals(List.of("{\"done\":false}", "{\"done\":true}"),
                assertSplitInvariant("{\"done\":false}\n{\"done\":true}"));
        assertEquals(List.of("x"), assertSplitInvariant("x\r"));
        assertEquals(List.of(), assertSplitInvariant("  \t"));
        assertEquals(List.of(), assertSplitInvariant(""));
    }

    @Test
    void linesAreCopiedToExactSize() throws Exception {
        List<byte[]> lines = new ArrayList<>();
        NdjsonDecoder decoder = new NdjsonDecoder(lines::add);
        byte[] chunk = "ab\ncd".getBytes(UTF_8);
        decoder.decode(ByteBuffer.wrap(chunk));
        decoder.decode(ByteBuffer.allocateDirect(2).put("e\n".getBytes(UTF_8)).flip());
        decoder.finish();
        assertEquals(2, lines.size());
        assertEquals(2, lines.get(0).length);
        assertEquals("cde", new String(lines.get(1), UTF_8));
        assertEquals(3, lines.get(1).length);
        chunk[0] = 'X'; // the decoder must not hand out views of the caller's array
        assertEquals("ab", new String(lines.get(0), UTF_8));
    }

    @Test
    void lineLongerThanTheMaximumFails() throws Exception {
        assertEquals(List.of("12345678"), decode("12345678\r\n".getBytes(UTF_8), 8));
        assertEquals(List.of("12345678"), decode("12345678\r\n".getBytes(UTF_8), 8, 3, 9));
        assertEquals(List.of("12345678"), decode("12345678".getBytes(UTF_8), 8, 4));
        for (int[] cuts : new int[][] {{}, {4}, {1, 2, 3, 4, 5, 6, 7, 8}}) {
            StreamFormatException e = assertThrows(StreamFormatException.class,
                    () -> decode("123456789\n".getBytes(UTF_8), 8, cuts));
            assertTrue(e.getMessage().contains("8 bytes"), e.getMessage());
        }
        assertThrows(StreamFormatException.class,
                () -> decode("123456789".getBytes(UTF_8), 8, 4));
        assertThrows(StreamFormatException.class,
                () -> decode("123456789\r".getBytes(UTF_8), 8, 5));
    }

    @Test
    void unboundedInputWithoutNewlineFailsInsteadOfGrowing() {
        NdjsonDecoder decoder = new NdjsonDecoder(line -> {}, 1000);
        byte[] chunk = new byte[64];
        assertThrows(StreamFormatException.class, () -> {
            for (int i = 0; i < 100; i++) {
                decoder.decode(chunk, 0, chunk.length);
            }
        });
    }

    @Test
    void ollamaStyleStream() throws Exception {
        String stream = """
                {"model":"llama3.2","created_at":"2024-01-01T00:00:00Z","message":{"role":"assistant","content":"Hel"},"done":false}
                {"model":"llama3.2","created_at":"2024-01-01T00:00:01Z","message":{"role":"assistant","content":"lo"},"done":false}
                {"model":"llama3.2","created_at":"2024-01-01T00:00:02Z","message":{"role":"assistant","content":""},"done":true,"eval_count":2}
                """;
        List<String> lines = assertSplitInvariant(stream);
        assertEquals(3, lines.size());
        assertTrue(lines.get(2).contains("\"done\":true"));
    }
}
