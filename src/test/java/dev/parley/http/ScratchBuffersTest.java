package dev.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * Buffers without an accessible array (the JDK HttpClient's read-only body buffers) are decoded
 * through scratch arrays lent per call ({@link ScratchBuffers}): buffers larger than one scratch
 * array, nested decoding and many streams at once must all see exactly their own bytes.
 */
class ScratchBuffersTest {

    private static String sse(int events, String tag) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < events; i++) {
            b.append("data: {\"tag\":\"").append(tag).append("\",\"i\":").append(i).append("}\n\n");
        }
        return b.toString();
    }

    private static List<String> expected(int events, String tag) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            out.add("{\"tag\":\"" + tag + "\",\"i\":" + i + "}");
        }
        return out;
    }

    @Test
    void aReadOnlyBufferLargerThanTheScratchArray_decodesWhole() throws Exception {
        byte[] bytes = sse(2000, "big").getBytes(StandardCharsets.UTF_8);
        assertEquals(true, bytes.length > 3 * ScratchBuffers.SIZE, "spans several scratch arrays");
        List<String> sseData = new ArrayList<>();
        SseDecoder sse = new SseDecoder(e -> sseData.add(e.data()), null);
        ByteBuffer ro = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        sse.decode(ro);
        assertFalse(ro.hasRemaining());
        assertFalse(sse.finish());
        assertEquals(expected(2000, "big"), sseData);

        StringBuilder nd = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            nd.append("{\"i\":").append(i).append("}\n");
        }
        List<String> lines = new ArrayList<>();
        NdjsonDecoder ndjson = new NdjsonDecoder(l -> lines.add(new String(l, StandardCharsets.UTF_8)));
        ndjson.decode(ByteBuffer.wrap(nd.toString().getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer());
        assertFalse(ndjson.finish());
        assertEquals(2000, lines.size());
        assertEquals("{\"i\":1999}", lines.get(1999));
    }

    @Test
    void aDecoderThatDecodesAnotherStreamInsideItsCallback_keepsBothApart() throws Exception {
        List<String> inner = new ArrayList<>();
        SseDecoder innerDecoder = new SseDecoder(e -> inner.add(e.data()), null);
        byte[] innerBytes = sse(3, "inner").getBytes(StandardCharsets.UTF_8);
        List<String> outer = new ArrayList<>();
        SseDecoder outerDecoder = new SseDecoder(e -> {
            outer.add(e.data());
            try {
                innerDecoder.decode(ByteBuffer.wrap(innerBytes).asReadOnlyBuffer());
            } catch (StreamFormatException x) {
                throw new AssertionError(x);
            }
        }, null);
        outerDecoder.decode(ByteBuffer.wrap(sse(300, "outer").getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer());
        assertEquals(expected(300, "outer"), outer);
        assertEquals(900, inner.size());
        assertEquals(expected(3, "inner"), inner.subList(897, 900));
    }

    @Test
    void manyStreamsOnVirtualThreads_eachSeeTheirOwnBytes() throws Exception {
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                String tag = "s" + t;
                fs.add(ex.submit(() -> {
                    byte[] bytes = sse(200, tag).getBytes(StandardCharsets.UTF_8);
                    List<String> got = new ArrayList<>();
                    SseDecoder d = new SseDecoder(e -> got.add(e.data()), null);
                    for (int i = 0; i < bytes.length; i += 37) {
                        d.decode(ByteBuffer.wrap(bytes, i, Math.min(37, bytes.length - i)).asReadOnlyBuffer());
                        Thread.yield();
                    }
                    assertFalse(d.finish());
                    assertEquals(expected(200, tag), got);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
    }
}
