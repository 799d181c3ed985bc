package dev.parley.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SseDecoderTest {

    /** Everything a decoder produced for one stream, in order. */
    record Result(List<Object> signals, boolean interrupted) {
        List<SseEvent> events() {
            return signals.stream().filter(SseEvent.class::isInstance).map(SseEvent.class::cast)
                    .toList();
        }

        List<String> comments() {
            return signals.stream().filter(Comment.class::isInstance)
                    .map(c -> ((Comment) c).text()).toList();
        }
    }

    record Comment(String text) {}

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Decodes {@code input} split into chunks that end at the given (ascending) positions. */
    static Result decode(byte[] input, int... cuts) throws StreamFormatException {
        List<Object> signals = new ArrayList<>();
        SseDecoder decoder = new SseDecoder(signals::add, c -> signals.add(new Comment(c)));
        int from = 0;
        for (int cut : cuts) {
            decoder.decode(input, from, cut - from);
            from = cut;
        }
        decoder.decode(input, from, input.length - from);
        return new Result(signals, decoder.finish());
    }

    static Result decode(String input) throws StreamFormatException {
        return decode(bytes(input));
    }

    static Result decodeOneByteAtATime(byte[] input) throws StreamFormatException {
        int[] cuts = new int[Math.max(0, input.length - 1)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        return decode(input, cuts);
    }

    /**
     * Asserts that {@code input} decodes identically whole, one byte at a time, split in two at
     * every position, split in three at every pair of positions (for short inputs), and through
     * heap, direct and read-only ByteBuffers; returns the result.
     */
    static Result assertSplitInvariant(byte[] input) throws StreamFormatException {
        Result whole = decode(input);
        assertEquals(whole, decodeOneByteAtATime(input), "one byte at a time");
        for (int i = 0; i <= input.length; i++) {
            assertEquals(whole, decode(input, i), "split at " + i);
        }
        if (input.length <= 80) {
            for (int i = 0; i <= input.length; i++) {
                for (int j = i; j <= input.length; j++) {
                    assertEquals(whole, decode(input, i, j), "split at " + i + " and " + j);
                }
            }
        }
        for (String kind : List.of("heap-offset", "direct", "read-only")) {
            List<Object> signals = new ArrayList<>();
            SseDecoder decoder = new SseDecoder(signals::add, c -> signals.add(new Comment(c)));
            for (int i = 0; i < input.length; i += 7) {
                int n = Math.min(7, input.length - i);
                ByteBuffer b = switch (kind) {
                    case "heap-offset" -> {
                        // A slice whose array offset is not 0, as pooled buffers have.
                        byte[] padded = new byte[n + 10];
                        System.arraycopy(input, i, padded, 5, n);
                        yield ByteBuffer.wrap(padded, 5, n).slice();
                    }
                    case "direct" -> ByteBuffer.allocateDirect(n).put(input, i, n).flip();
                    default -> ByteBuffer.wrap(input, i, n).asReadOnlyBuffer();
                };
                decoder.decode(b);
                assertFalse(b.hasRemaining(), "buffer consumed");
            }
            assertEquals(whole, new Result(signals, decoder.finish()), kind);
        }
        return whole;
    }

    static Result assertSplitInvariant(String input) throws StreamFormatException {
        return assertSplitInvariant(bytes(input));
    }

    private static SseEvent event(String type, String data, String id, long retry) {
        return new SseEvent(type, data, id, retry);
    }

    // ---- fields ----

    @Test
    void simpleEvent() throws Exception {
        Result r = assertSplitInvariant("data: hello\n\n");
        assertEquals(List.of(SseEvent.of("hello")), r.events());
        assertFalse(r.interrupted());
    }

    @Test
    void multipleDataLinesAreJoinedWithLineFeeds() throws Exception {
        Result r = assertSplitInvariant("data: first\ndata: second\ndata:\ndata: fourth\n\n");
        assertEquals(List.of(SseEvent.of("first\nsecond\n\nfourth")), r.events());
    }

    @Test
    void onlyOneSpaceAfterTheColonIsRemoved() throws Exception {
        Result r = assertSplitInvariant("data:x\n\ndata:  two spaces\n\ndata: trailing  \n\n");
        assertEquals(List.of(SseEvent.of("x"), SseEvent.of(" two spaces"), SseEvent.of("trailing  ")),
                r.events());
    }

    @Test
    void fieldWithoutColonHasEmptyValue() throws Exception {
        // "data" alone appends "" + LF to the data buffer, so an event with empty data is dispatched.
        Result r = assertSplitInvariant("data\n\ndata\ndata\n\n");
        assertEquals(List.of(SseEvent.of(""), SseEvent.of("\n")), r.events());
    }

    @Test
    void eventTypeIsUsedOnceThenResetToMessage() throws Exception {
        Result r = assertSplitInvariant("event: add\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\n");
        assertEquals(
                List.of(SseEvent.of("add", "1"), SseEvent.of("message", "2"), SseEvent.of("3")),
                r.events());
    }

    @Test
    void eventWithEmptyDataIsNotDispatchedButItsTypeIsReset() throws Exception {
        Result r = assertSplitInvariant("event: ignored\n\ndata: x\n\nevent: only-type\nid: 7\n\n");
        assertEquals(List.of(SseEvent.of("message", "x")), r.events());
        assertFalse(r.interrupted());
    }

    @Test
    void lastEventIdPersistsAcrossEventsAndIdWithNulIsIgnored() throws Exception {
        Result r = assertSplitInvariant(
                "id: 1\ndata: a\n\ndata: b\n\nid: x\u0000y\ndata: c\n\nid\ndata: d\n\n");
        assertEquals(List.of(event("message", "a", "1", -1), event("message", "b", "1", -1),
                event("message", "c", "1", -1), event("message", "d", "", -1)), r.events());
    }

    @Test
    void idFromAnUndispatchedEventStillCounts() throws Exception {
        Result r = assertSplitInvariant("id: 5\n\ndata: x\n\n");
        assertEquals(List.of(event("message", "x", "5", -1)), r.events());
    }

    @Test
    void retryAcceptsOnlyAsciiDigits() throws Exception {
        Result r = assertSplitInvariant("retry: 3000\ndata: a\n\nretry: 12x\ndata: b\n\n"
                + "retry: -1\nretry:\nretry: 1.5\nretry:  7\nretry: 99999999999999999999\n"
                + "data: c\n\nretry:0\ndata: d\n\n");
        assertEquals(List.of(event("message", "a", "", 3000), event("message", "b", "", 3000),
                event("message", "c", "", 3000), event("message", "d", "", 0)), r.events());
    }

    @Test
    void retryAloneChangesTheDecoderState() throws Exception {
        SseDecoder decoder = new SseDecoder(e -> {}, null);
        assertEquals(-1, decoder.retryMillis());
        byte[] in = bytes("retry: 2500\nid: abc\n\n");
        decoder.decode(in, 0, in.length);
        assertEquals(2500, decoder.retryMillis());
        assertEquals("abc", decoder.lastEventId());
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        Result r = assertSplitInvariant("foo: bar\nDATA: no\ndat: no\ndatas: no\ndata: yes\n\n");
        assertEquals(List.of(SseEvent.of("yes")), r.events());
    }

    @Test
    void colonInsideTheValueIsKept() throws Exception {
        Result r = assertSplitInvariant("data: {\"a\":\"b: c\"}\n\n");
        assertEquals("{\"a\":\"b: c\"}", r.events().get(0).data());
    }

    // ---- comments ----

    @Test
    void commentsGoToTheCommentSinkAndDoNotBreakEvents() throws Exception {
        Result r = assertSplitInvariant(": keep-alive\n\ndata: a\n:ping\ndata: b\n:\n\n");
        assertEquals(List.of(SseEvent.of("a\nb")), r.events());
        assertEquals(List.of("keep-alive", "ping", ""), r.comments());
        assertEquals(List.of(new Comment("keep-alive"), new Comment("ping"), new Comment(""),
                SseEvent.of("a\nb")), r.signals(), "order");
    }

    @Test
    void commentsAreNotDecodedWithoutACommentSink() throws Exception {
        List<SseEvent> events = new ArrayList<>();
        SseDecoder decoder = new SseDecoder(events::add, null);
        byte[] in = bytes(": keep-alive\ndata: x\n\n");
        decoder.decode(in, 0, in.length);
        assertEquals(List.of(SseEvent.of("x")), events);
    }

    // ---- line ends ----

    @Test
    void lineEndsMayBeLfCrOrCrlfMixed() throws Exception {
        Result r = assertSplitInvariant(
                "data: a\r\rdata: b\r\n\r\ndata: c\n\ndata: d\r\ndata: e\n\r\n: c\r\rdata: f\n\r");
        assertEquals(List.of(SseEvent.of("a"), SseEvent.of("b"), SseEvent.of("c"),
                SseEvent.of("d\ne"), SseEvent.of("f")), r.events());
        assertEquals(List.of("c"), r.comments());
        assertFalse(r.interrupted());
    }

    @Test
    void crAtTheEndOfAChunkAndLfAtTheStartOfTheNextAreOneLineEnd() throws Exception {
        byte[] in = bytes("data: a\r\ndata: b\r\n\r\n");
        // Cut right between each CR and its LF: if the LF were a second line end, it would be a
        // blank line dispatching "a" on its own.
        Result r = decode(in, 8, 17, 19);
        assertEquals(List.of(SseEvent.of("a\nb")), r.events());
        // A lone CR at the end of a chunk followed by a non-LF byte is still a line end.
        Result r2 = decode(bytes("data: a\r\rdata: b\r\r"), 8, 17);
        assertEquals(List.of(SseEvent.of("a"), SseEvent.of("b")), r2.events());
    }

    @Test
    void emptyChunksChangeNothing() throws Exception {
        Result r = decode(bytes("data: a\r\n\r\n"), 0, 0, 8, 8, 8, 10, 10);
        assertEquals(List.of(SseEvent.of("a")), r.events());
    }

    // ---- BOM and UTF-8 ----

    @Test
    void leadingBomIsSkippedOnce() throws Exception {
        Result r = assertSplitInvariant("\uFEFFdata: x\n\n");
        assertEquals(List.of(SseEvent.of("x")), r.events());
        // A second BOM is part of the first field name, which is then unknown.
        Result twice = assertSplitInvariant("\uFEFF\uFEFFdata: x\n\ndata: y\n\n");
        assertEquals(List.of(SseEvent.of("y")), twice.events());
        // A BOM later in the stream is data.
        Result later = assertSplitInvariant("data: \uFEFFx\n\n");
        assertEquals(List.of(SseEvent.of("\uFEFFx")), later.events());
    }

    @Test
    void bytesThatOnlyStartLikeABomAreNotLost() throws Exception {
        // 0xEF then ':' - not a BOM. If the 0xEF were dropped, ":c" would read as a comment.
        byte[] in = concat(new byte[] {(byte) 0xEF, (byte) 0xBB}, bytes(":c\ndata: y\n\n"));
        Result r = assertSplitInvariant(in);
        assertEquals(List.of(), r.comments());
        assertEquals(List.of(SseEvent.of("y")), r.events());
        Result one = assertSplitInvariant(concat(new byte[] {(byte) 0xEF}, bytes(":c\n")));
        assertEquals(List.of(), one.comments());
    }

    @Test
    void partialBomAtTheEndIsAnInterruptedStream() throws Exception {
        assertTrue(decode(new byte[] {(byte) 0xEF, (byte) 0xBB}).interrupted());
        assertFalse(decode(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}).interrupted());
    }

    @Test
    void multiByteCharactersSplitAcrossChunksDecode() throws Exception {
        // U+1F600 is 4 bytes, U+00E9 2 bytes, U+20AC 3 bytes; U+010A and U+010D contain the bytes
        // 0x8A and 0x8D, which must not be mistaken for LF and CR.
        String text = "caf\u00e9 \u20ac \uD83D\uDE00 \u010A\u010D end";
        Result r = assertSplitInvariant("event: \u00e9v\u00e9nement\ndata: " + text + "\nid: \uD83D\uDE00\n\n");
        assertEquals(List.of(event("\u00e9v\u00e9nement", text, "\uD83D\uDE00", -1)), r.events());
    }

    @Test
    void invalidUtf8BecomesReplacementCharacter() throws Exception {
        byte[] in = concat(bytes("data: a"), new byte[] {(byte) 0xFF, (byte) 0xC3}, bytes("b\n\n"));
        Result r = assertSplitInvariant(in);
        assertEquals(List.of(SseEvent.of("a\uFFFD\uFFFDb")), r.events());
    }

    // ---- end of input ----

    @Test
    void endOfInputMidEventIsReportedAndTheEventDiscarded() throws Exception {
        for (String cut : List.of("data: x\n", "data: x", "data: x\r", "event: e\n", "id: 1\n",
                "data: a\n\ndata: b\n", "data: a\n\ndat", "d")) {
            Result r = assertSplitInvariant(cut);
            assertTrue(r.interrupted(), cut);
            assertTrue(r.events().size() <= 1, cut);
            r.events().forEach(e -> assertEquals("a", e.data(), cut));
        }
    }

    @Test
    void endOfInputAfterACompleteEventOrAComment() throws Exception {
        for (String clean : List.of("", "data: x\n\n", "data: x\r\r", "data: x\r\n\r\n", ": ping\n",
                ": partial comment", "data: x\n\n: keep-alive", "\n\n\n")) {
            assertFalse(assertSplitInvariant(clean).interrupted(), clean);
        }
    }

    @Test
    void finishResetsSoTheDecoderCanBeReused() throws Exception {
        List<SseEvent> events = new ArrayList<>();
        SseDecoder decoder = new SseDecoder(events::add, null);
        byte[] first = bytes("id: 9\nretry: 5\ndata: lost");
        decoder.decode(first, 0, first.length);
        assertTrue(decoder.finish());
        byte[] second = bytes("data: new\n\n");
        decoder.decode(second, 0, second.length);
        assertFalse(decoder.finish());
        assertEquals(List.of(event("message", "new", "9", 5)), events);
    }

    // ---- size bound ----

    @Test
    void eventLargerThanTheMaximumFailsWithTypedException() throws Exception {
        for (int chunk : new int[] {1, 3, 1000}) {
            SseDecoder decoder = new SseDecoder(e -> {}, null, 64);
            byte[] ok = bytes("data: " + "a".repeat(50) + "\n\n");
            feed(decoder, ok, chunk); // within the bound
            byte[] big = bytes("data: " + "a".repeat(40) + "\ndata: " + "b".repeat(40) + "\n\n");
            StreamFormatException e =
                    assertThrows(StreamFormatException.class, () -> feed(decoder, big, chunk));
            assertTrue(e.getMessage().contains("64 bytes"), e.getMessage());
        }
    }

    @Test
    void aSingleHugeLineFailsEvenWithoutALineEnd() {
        SseDecoder decoder = new SseDecoder(e -> {}, null, 1024);
        byte[] chunk = new byte[100];
        Arrays.fill(chunk, (byte) 'x');
        assertThrows(StreamFormatException.class, () -> {
            for (int i = 0; i < 100; i++) {
                decoder.decode(chunk, 0, chunk.length);
            }
        });
    }

    @Test
    void hugeCommentsAreBoundedToo() {
        SseDecoder decoder = new SseDecoder(e -> {}, c -> {}, 100);
        byte[] in = bytes(":" + "c".repeat(200) + "\n");
        assertThrows(StreamFormatException.class, () -> feed(decoder, in, 1));
    }

    /** {@return the signals, or the failure's message, of decoding {@code in} cut at {@code cut} with a maximum event size} */
    private static Object outcome(byte[] in, int max, int cut) {
        List<Object> signals = new ArrayList<>();
        SseDecoder decoder = new SseDecoder(signals::add, c -> signals.add(new Comment(c)), max);
        try {
            decoder.decode(in, 0, cut);
            decoder.decode(in, cut, in.length - cut);
            return new Result(signals, decoder.finish());
        } catch (StreamFormatException e) {
            return List.of(signals, e.getMessage());
        }
    }

    @Test
    void theSizeLimitDoesNotDependOnWhereTheInputIsCut() {
        // Each line counts whole (its field name too) with the data before it, however it arrives.
        String[] streams = {
            "data: 123456789\n\n",               // the value fits in 10 bytes, the line does not
            "data: 12\ndata: 3456\n\n",
            ": " + "c".repeat(30) + "\n\n",      // a comment is a line too
            "id: " + "i".repeat(30) + "\n\n",
            "event: " + "e".repeat(30) + "\ndata: x\n\n",
            "data: 1234\n\ndata: 5678\n\n",     // two events, each within the limit
        };
        for (String stream : streams) {
            byte[] in = bytes(stream);
            Object whole = outcome(in, 10, in.length);
            for (int cut = 0; cut <= in.length; cut++) {
                assertEquals(whole, outcome(in, 10, cut), stream + " cut at " + cut);
            }
        }
        assertTrue(outcome(bytes(": " + "c".repeat(200) + "\n"), 100, 0) instanceof List<?>, "a long comment fails whole too");
    }

    @Test
    void rejectsInvalidArguments() {
        assertThrows(IllegalArgumentException.class, () -> new SseDecoder(e -> {}, null, 0));
        assertThrows(NullPointerException.class, () -> new SseDecoder(null, null));
        SseDecoder decoder = new SseDecoder(e -> {}, null);
        assertThrows(IndexOutOfBoundsException.class, () -> decoder.decode(new byte[4], 2, 3));
    }

    private static void feed(SseDecoder decoder, byte[] in, int chunk) throws StreamFormatException {
        for (int i = 0; i < in.length; i += chunk) {
            decoder.decode(in, i, Math.min(chunk, in.length - i));
        }
    }

    // ---- real-world shapes ----

    @Test
    void openAiStyleStream() throws Exception {
        String stream = """
                data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}

                data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"Hel"}}]}

                data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"lo \u00e9\ud83d\ude00"}}]}

                data: [DONE]

                """;
        Result r = assertSplitInvariant(stream);
        List<SseEvent> events = r.events();
        assertEquals(4, events.size());
        assertEquals("[DONE]", events.get(3).data());
        assertTrue(events.get(2).data().contains("\"lo \u00e9\ud83d\ude00\""));
        events.forEach(e -> assertEquals("message", e.type()));
        assertFalse(r.interrupted());
    }

    @Test
    void anthropicStyleStreamWithTrailingSpacesInData() throws Exception {
        String stream = "event: message_start\r\n"
                + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\"}}\r\n\r\n"
                + "event: ping\r\ndata: {\"type\": \"ping\"}\r\n\r\n"
                + "event: content_block_delta\r\n"
                + "data: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"Hi  \"}}   \r\n\r\n"
                + "event: message_stop\r\ndata: {\"type\":\"message_stop\"}\r\n\r\n";
        Result r = assertSplitInvariant(stream);
        assertEquals(List.of("message_start", "ping", "content_block_delta", "message_stop"),
                r.events().stream().map(SseEvent::type).toList());
        assertEquals("{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"Hi  \"}}   ",
                r.events().get(2).data());
    }

    @Test
    void deepSeekStyleKeepAliveComments() throws Exception {
        String stream = ": keep-alive\n\n: keep-alive\n\n"
                + "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
                + ": keep-alive\n\n"
                + "data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n\n"
                + "data: [DONE]\n\n";
        Result r = assertSplitInvariant(stream);
        assertEquals(3, r.events().size());
        assertEquals(List.of("keep-alive", "keep-alive", "keep-alive"), r.comments());
    }

    // ---- against a straightforward reference implementation ----

    @Test
    void matchesReferenceImplementationOnRandomStreams() throws Exception {
        String[] tokens = {"data", "data:", "data: ", "event:", "event: ", "id:", "id: ", "retry:",
            "retry: ", ":", ": ", " ", "x", "yz", "\u00e9", "\uD83D\uDE00", "\u010A", "\u010D",
            "12", "3a", "\u0000", "\n", "\n", "\r", "\r\n", "\n\n", "\r\n\r\n", "message",
            "abcdefghijklmnop"};
        Random random = new Random(42);
        for (int round = 0; round < 2000; round++) {
            StringBuilder sb = new StringBuilder();
            if (random.nextInt(10) == 0) {
                sb.append('\uFEFF');
            }
            int n = random.nextInt(40);
            for (int i = 0; i < n; i++) {
                sb.append(tokens[random.nextInt(tokens.length)]);
            }
            String stream = sb.toString();
            byte[] in = bytes(stream);
            Result expected = reference(stream);
            assertEquals(expected, decode(in), stream);
            int a = random.nextInt(in.length + 1);
            int b = a + random.nextInt(in.length - a + 1);
            assertEquals(expected, decode(in, a, b), stream + " cut at " + a + "," + b);
            assertEquals(expected, decodeOneByteAtATime(in), stream);
        }
    }

    /** The WHATWG algorithm applied naively to a fully decoded string. */
    static Result reference(String stream) {
        String s = stream.startsWith("\uFEFF") ? stream.substring(1) : stream;
        List<Object> out = new ArrayList<>();
        StringBuilder data = new StringBuilder();
        String type = "";
        String lastId = "";
        long retry = -1;
        boolean pending = false;
        int i = 0;
        while (true) {
            int end = i;
            while (end < s.length() && s.charAt(end) != '\n' && s.charAt(end) != '\r') {
                end++;
            }
            if (end == s.length()) {
                boolean partial = i < s.length() && s.charAt(i) != ':';
                return new Result(out, pending || partial);
            }
            String line = s.substring(i, end);
            i = end + (s.startsWith("\r\n", end) ? 2 : 1);
            if (line.isEmpty()) {
                pending = false;
                if (data.length() == 0) {
                    type = "";
                    continue;
                }
                out.add(new SseEvent(type.isEmpty() ? "message" : type,
                        data.substring(0, data.length() - 1), lastId, retry));
                data.setLength(0);
                type = "";
                continue;
            }
            if (line.startsWith(":")) {
                String c = line.substring(1);
                out.add(new Comment(c.startsWith(" ") ? c.substring(1) : c));
                continue;
            }
            pending = true;
            int colon = line.indexOf(':');
            String name = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (name) {
                case "data" -> data.append(value).append('\n');
                case "event" -> type = value;
                case "id" -> {
                    if (value.indexOf('\u0000') < 0) {
                        lastId = value;
                    }
                }
                case "retry" -> {
                    if (!value.isEmpty() && value.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                        try {
                            retry = Long.parseLong(value);
                        } catch (NumberFormatException tooBig) {
                            // ignored, like any other invalid value
                        }
                    }
                }
                default -> { }
            }
        }
    }
}
