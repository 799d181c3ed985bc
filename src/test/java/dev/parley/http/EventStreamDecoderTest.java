package dev.parley.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.parley.support.Fixtures;

/**
 * The event-stream decoder against botocore's published frames (tests/unit/test_eventstream.py,
 * copied to fixtures/bedrock/eventstream): every positive case decodes to what botocore expects,
 * whole and one byte at a time; every negative case fails with a {@link StreamFormatException}.
 */
class EventStreamDecoderTest {

    private static final byte[] FOO_BAR = "{'foo':'bar'}".getBytes(StandardCharsets.US_ASCII);

    private static byte[] frame(String name) {
        return Fixtures.bytes("bedrock/eventstream/" + name + ".bin");
    }

    private static List<EventStreamMessage> decodeWhole(byte[] bytes) throws StreamFormatException {
        List<EventStreamMessage> out = new ArrayList<>();
        EventStreamDecoder d = new EventStreamDecoder(out::add);
        d.decode(bytes, 0, bytes.length);
        assertFalse(d.finish(), "nothing left over");
        return out;
    }

    private static List<EventStreamMessage> decodeByteByByte(byte[] bytes) throws StreamFormatException {
        List<EventStreamMessage> out = new ArrayList<>();
        EventStreamDecoder d = new EventStreamDecoder(out::add);
        for (byte b : bytes) {
            d.decode(ByteBuffer.wrap(new byte[] {b}).asReadOnlyBuffer());
        }
        assertFalse(d.finish(), "nothing left over");
        return out;
    }

    private static EventStreamMessage only(byte[] bytes) throws StreamFormatException {
        List<EventStreamMessage> whole = decodeWhole(bytes);
        assertEquals(1, whole.size());
        assertEquals(whole, decodeByteByByte(bytes), "the same, one byte per read");
        return whole.get(0);
    }

    private static Map<String, Object> headers(Object... nameValue) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put((String) nameValue[i], nameValue[i + 1]);
        }
        return m;
    }

    @Test
    void positive_emptyMessage() throws Exception {
        EventStreamMessage m = only(frame("positive/empty_message"));
        assertEquals(Map.of(), m.headers());
        assertEquals(0, m.payload().length);
    }

    @Test
    void positive_integerHeadersOfEveryWidth() throws Exception {
        assertEquals(headers("byte", (byte) -1), only(frame("positive/int8_header")).headers());
        assertEquals(headers("short", (short) -1), only(frame("positive/int16_header")).headers());
        assertEquals(headers("integer", -1), only(frame("positive/int32_header")).headers());
        assertEquals(headers("long", -1L), only(frame("positive/int64_header")).headers());
    }

    @Test
    void positive_payloads() throws Exception {
        EventStreamMessage noHeaders = only(frame("positive/payload_no_headers"));
        assertEquals(Map.of(), noHeaders.headers());
        assertArrayEquals(FOO_BAR, noHeaders.payload());
        EventStreamMessage oneHeader = only(frame("positive/payload_one_str_header"));
        assertEquals("application/json", oneHeader.header("content-type"));
        assertArrayEquals(FOO_BAR, oneHeader.payload());
    }

    @Test
    void positive_allHeaderTypes() throws Exception {
        EventStreamMessage m = only(frame("positive/all_headers_types"));
        // The UUID header holds the 16 ASCII bytes "0123456789abcdef".
        ByteBuffer uuid = ByteBuffer.wrap("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        Map<String, Object> want = headers(
                "0", true, "1", false, "2", (byte) 2, "3", (short) 3, "4", 4, "5", 5L,
                "6", "bytes".getBytes(StandardCharsets.US_ASCII), "7", "utf8", "8", Instant.ofEpochMilli(8),
                "9", new UUID(uuid.getLong(), uuid.getLong()));
        assertEquals(new EventStreamMessage(want, new byte[0]), m);
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), List.copyOf(m.headers().keySet()));
    }

    @Test
    void positive_errorMessage() throws Exception {
        EventStreamMessage m = only(frame("positive/error_event_message"));
        assertEquals("error", m.header(":message-type"));
        assertEquals("code", m.header(":error-code"));
        assertEquals("message", m.header(":error-message"));
    }

    @Test
    void positive_allCasesOnOneStream_wholeAndByteByByte() throws Exception {
        String[] names = {"empty_message", "int8_header", "int16_header", "int32_header", "int64_header",
                "payload_no_headers", "payload_one_str_header", "all_headers_types", "error_event_message"};
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        List<EventStreamMessage> expected = new ArrayList<>();
        for (String n : names) {
            byte[] f = frame("positive/" + n);
            all.writeBytes(f);
            expected.add(only(f));
        }
        assertEquals(expected, decodeWhole(all.toByteArray()));
        assertEquals(expected, decodeByteByByte(all.toByteArray()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"corrupted_length", "corrupted_payload", "corrupted_headers", "corrupted_header_length",
            "duplicate_header"})
    void negative_isRejected_wholeAndByteByByte(String name) {
        byte[] f = frame("negative/" + name);
        StreamFormatException whole = assertThrows(StreamFormatException.class, () -> decodeWhole(f));
        assertTrue(whole.getMessage().startsWith("event stream: "), whole.getMessage());
        assertThrows(StreamFormatException.class, () -> decodeByteByByte(f));
    }

    @Test
    void negative_messagesBefore_theCorruptOne_areDelivered() throws Exception {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.writeBytes(frame("positive/payload_no_headers"));
        both.writeBytes(frame("negative/corrupted_payload"));
        List<EventStreamMessage> out = new ArrayList<>();
        EventStreamDecoder d = new EventStreamDecoder(out::add);
        byte[] bytes = both.toByteArray();
        assertThrows(StreamFormatException.class, () -> d.decode(bytes, 0, bytes.length));
        assertEquals(1, out.size());
    }

    @Test
    void truncated_isReportedAsCut() throws Exception {
        byte[] f = frame("positive/payload_one_str_header");
        for (int cut = 1; cut < f.length; cut++) {
            List<EventStreamMessage> out = new ArrayList<>();
            EventStreamDecoder d = new EventStreamDecoder(out::add);
            d.decode(f, 0, cut);
            assertTrue(out.isEmpty());
            assertTrue(d.finish(), "cut at " + cut);
        }
    }

    /**
     * Seeded fuzzing: the positive frames, concatenated, then bytes flipped, dropped or repeated,
     * fed in random cuts. Whatever the bytes, the decoder delivers messages or fails with a
     * {@link StreamFormatException}; never another exception. Unchanged input, however it is
     * cut, decodes to the same messages.
     */
    @Test
    void fuzz_anyBytesAnyCuts_giveMessagesOrAStreamFormatException() {
        String[] names = {"empty_message", "int8_header", "int16_header", "int32_header", "int64_header",
                "payload_no_headers", "payload_one_str_header", "all_headers_types", "error_event_message"};
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (String n : names) {
            all.writeBytes(frame("positive/" + n));
        }
        byte[] clean = all.toByteArray();
        dev.parley.support.Fuzz.run(2000, new long[0], random -> {
            byte[] bytes = clean.clone();
            boolean mutated = random.nextBoolean();
            if (mutated) {
                int edits = 1 + random.nextInt(4);
                for (int i = 0; i < edits; i++) {
                    int at = random.nextInt(bytes.length);
                    switch (random.nextInt(3)) {
                        case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
                        case 1 -> bytes = java.util.Arrays.copyOf(bytes, at);
                        default -> bytes[at] = (byte) random.nextInt(256);
                    }
                    if (bytes.length == 0) {
                        break;
                    }
                }
            }
            List<EventStreamMessage> out = new ArrayList<>();
            EventStreamDecoder d = new EventStreamDecoder(out::add, 1024);
            try {
                for (int at = 0; at < bytes.length; ) {
                    int n = Math.min(bytes.length - at, 1 + random.nextInt(40));
                    d.decode(bytes, at, n);
                    at += n;
                }
                d.finish();
            } catch (StreamFormatException expected) {
                assertTrue(mutated, "clean input failed: " + expected.getMessage());
                return;
            }
            if (!mutated) {
                assertEquals(names.length, out.size());
            }
        });
    }

    @Test
    void oversized_isRejectedFromThePrelude_beforeBuffering() {
        byte[] f = frame("positive/payload_one_str_header");
        EventStreamDecoder d = new EventStreamDecoder(m -> { }, 32);
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> d.decode(f, 0, 12));
        assertTrue(e.getMessage().contains("61 bytes"), e.getMessage());
    }
}
