package dev.parley.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.parley.http.SseDecoderTest.Comment;
import dev.parley.http.SseDecoderTest.Result;
import dev.parley.support.Fuzz;

/**
 * Seeded fuzzing of the SSE and NDJSON decoders (see {@link Fuzz} for long runs): random streams,
 * cut at random byte positions, give the same events, comments and failures as the same stream
 * fed whole, and as a plain reference model.
 */
class DecoderFuzzTest {

    /**
     * SSE seeds that once failed; each runs on every build. 5: a 33-byte limit, where a line that
     * arrived whole was not counted as one that arrived in pieces was.
     */
    private static final long[] SSE_REGRESSIONS = {5};
    /** NDJSON seeds that once failed. */
    private static final long[] NDJSON_REGRESSIONS = {};

    private static final String[] SSE_TOKENS = {"data", "data:", "data: ", "event:", "event: ", "id:", "id: ", "retry:",
        "retry: ", ":", ": ", " ", "x", "yz", "\u00e9", "\uD83D\uDE00", "12", "3a", "\u0000", "\n", "\n", "\r", "\r\n",
        "\n\n", "\r\n\r\n", "message", "abcdefghijklmnop", "\uFEFF"};

    private static final String[] NDJSON_TOKENS = {"{\"a\":1}", "[]", "x", " ", "\t", "\r", "\n", "\n", "\r\n",
        "\u00e9", "\uD83D\uDE00", "\"", "abcdefghijklmnop"};

    /** {@return a random stream of tokens, sometimes with random bytes mixed in} */
    private static byte[] stream(Random r, String[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean rawBytes = r.nextInt(4) == 0;
        int n = r.nextInt(60);
        for (int i = 0; i < n; i++) {
            if (rawBytes && r.nextInt(8) == 0) {
                out.write(r.nextInt(256));
            } else {
                out.writeBytes(tokens[r.nextInt(tokens.length)].getBytes(UTF_8));
            }
        }
        return out.toByteArray();
    }

    /** {@return ascending random cut positions in {@code [0, length]}, or every position} */
    private static int[] cuts(Random r, int length) {
        if (r.nextInt(8) == 0) {
            int[] every = new int[length];
            Arrays.setAll(every, i -> i);
            return every;
        }
        int[] cuts = new int[r.nextInt(6)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = r.nextInt(length + 1);
        }
        Arrays.sort(cuts);
        return cuts;
    }

    /** {@return what the decoder reports for {@code in} cut at {@code cuts}: its signals, then the end or the failure} */
    private static List<Object> decode(FrameDecoder decoder, List<Object> signals, byte[] in, int[] cuts) {
        int from = 0;
        try {
            for (int cut : cuts) {
                decoder.decode(in, from, cut - from);
                from = cut;
            }
            decoder.decode(in, from, in.length - from);
            signals.add("end, interrupted=" + decoder.finish());
        } catch (StreamFormatException e) {
            signals.add("failed: " + e.getMessage());
        }
        return signals;
    }

    private static List<Object> sse(byte[] in, int max, int[] cuts) {
        List<Object> signals = new ArrayList<>();
        return decode(new SseDecoder(signals::add, c -> signals.add(new Comment(c)), max), signals, in, cuts);
    }

    private static List<Object> ndjson(byte[] in, int max, int[] cuts) {
        List<Object> signals = new ArrayList<>();
        return decode(new NdjsonDecoder(line -> signals.add(new String(line, UTF_8)), max), signals, in, cuts);
    }

    @Test
    void sse_anyCutGivesWhatTheWholeStreamGives_andWhatTheReferenceGives() {
        Fuzz.run(1500, SSE_REGRESSIONS, r -> {
            byte[] in = stream(r, SSE_TOKENS);
            int max = r.nextBoolean() ? SseDecoder.DEFAULT_MAX_EVENT_SIZE : 1 + r.nextInt(40);
            List<Object> whole = sse(in, max, new int[0]);
            int[] cuts = cuts(r, in.length);
            assertEquals(whole, sse(in, max, cuts), "cut at " + Arrays.toString(cuts));
            String text = new String(in, UTF_8);
            if (max == SseDecoder.DEFAULT_MAX_EVENT_SIZE && Arrays.equals(text.getBytes(UTF_8), in)) {
                Result expected = SseDecoderTest.reference(text);
                List<Object> reference = new ArrayList<>(expected.signals());
                reference.add("end, interrupted=" + expected.interrupted());
                assertEquals(reference, whole, "against the reference");
            }
        });
    }

    @Test
    void ndjson_anyCutGivesWhatTheWholeStreamGives_andWhatTheReferenceGives() {
        Fuzz.run(1500, NDJSON_REGRESSIONS, r -> {
            byte[] in = stream(r, NDJSON_TOKENS);
            int max = r.nextBoolean() ? NdjsonDecoder.DEFAULT_MAX_LINE_SIZE : 1 + r.nextInt(20);
            List<Object> whole = ndjson(in, max, new int[0]);
            int[] cuts = cuts(r, in.length);
            assertEquals(whole, ndjson(in, max, cuts), "cut at " + Arrays.toString(cuts));
            assertEquals(ndjsonReference(in, max), whole, "against the reference");
        });
    }

    /** NDJSON read plainly: lines end at LF, one trailing CR is dropped, blank lines are skipped, a long line fails. */
    private static List<Object> ndjsonReference(byte[] in, int max) {
        List<Object> out = new ArrayList<>();
        int start = 0;
        while (start < in.length) {
            int end = start;
            while (end < in.length && in[end] != '\n') {
                end++;
            }
            int trimmed = end > start && in[end - 1] == '\r' ? end - 1 : end;
            if (trimmed - start > max) {
                out.add("failed: NDJSON line longer than the maximum of " + max + " bytes");
                return out;
            }
            byte[] line = Arrays.copyOfRange(in, start, trimmed);
            boolean blank = true;
            for (byte b : line) {
                blank &= b == ' ' || b == '\t' || b == '\r';
            }
            if (!blank) {
                out.add(new String(line, UTF_8));
            }
            start = end + 1;
        }
        out.add("end, interrupted=false");
        return out;
    }
}
