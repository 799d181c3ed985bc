package dev.parley.http;

import dev.parley.support.TestSubscriber;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DecodingPublisherTest {

    /** Maps each event to its data; {@code [DONE]} ends the stream (OpenAI style). */
    private static final FrameMapper<SseEvent, String> OPENAI = (event, out) -> {
        if (event.data().equals("[DONE]")) {
            out.end();
        } else {
            out.emit(event.data());
        }
    };


    private static String events(int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append("data: ").append(i).append("\n\n");
        }
        return sb.toString();
    }

    private static List<String> numbers(int from, int to) {
        return IntStream.range(from, to).mapToObj(Integer::toString).toList();
    }

    @Test
    void oneAtATimeSubscriberGetsEverythingAndUpstreamIsAskedOnlyOnDemand() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>();
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        assertEquals(1, upstream.subscribes.get());
        assertEquals(0, upstream.requested.get(), "no demand yet, no upstream request");

        s.request(1);
        assertEquals(1, upstream.requested.get());
        upstream.send(events(0, 3) + "data: 3"); // three events and the start of a fourth
        assertEquals(List.of("0"), s.items());
        assertEquals(1, upstream.requested.get(), "items are buffered: nothing more requested");

        s.request(1);
        s.request(1);
        assertEquals(numbers(0, 3), s.items());
        assertEquals(1, upstream.requested.get(), "demand was met from the buffer");

        s.request(1); // buffer empty, demand outstanding: now one more chunk
        assertEquals(2, upstream.requested.get());
        upstream.send("\n\n" + events(4, 6) + "data: [DONE]\n\n");
        assertEquals(numbers(0, 4), s.items());
        s.request(1);
        s.request(1);
        assertEquals(numbers(0, 6), s.items());
        // After [DONE] the rest of the body is read and dropped (so that the client can pool the
        // connection), and the stream completes when the body ends.
        assertEquals(Long.MAX_VALUE, upstream.requested.get(), "the rest of the body is asked for");
        assertFalse(s.isTerminated(), "completes when the body ends");
        upstream.send(": the end\n\n");
        upstream.complete();
        s.assertNoViolations();
        assertEquals(numbers(0, 6), s.awaitCompletion());
        assertEquals(0, upstream.cancels.get(), "a body read to its end is not cancelled");
    }

    @Test
    void aBodyThatGoesOnAfterTheEndMarkerIsCancelledAfterSixtyFourKilobytes() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        upstream.send(events(0, 2) + "data: [DONE]\n\n");
        assertEquals(numbers(0, 2), s.items());
        assertFalse(s.isTerminated());
        byte[] kilobyte = ": padding\n".repeat(100).getBytes(UTF_8);
        for (int i = 0; i < 64; i++) {
            upstream.send(kilobyte); // 64,000 bytes: still read
        }
        assertEquals(0, upstream.cancels.get());
        upstream.send(new byte[2000]);
        assertEquals(1, upstream.cancels.get(), "past 64 KiB: cancelled, so the client closes the connection");
        assertEquals(numbers(0, 2), s.awaitCompletion());
        s.assertNoViolations();
    }

    @Test
    void aBodyThatDoesNotEndAfterTheEndMarkerIsCancelledAfterASecond() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        upstream.send(events(0, 2) + "data: [DONE]\n\n");
        assertEquals(numbers(0, 2), s.awaitCompletion(), "completes when the time is up");
        assertEquals(1, upstream.cancels.get());
        s.assertNoViolations();
    }

    @Test
    void aFailureAfterTheEndMarkerDoesNotFailTheStream() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        upstream.send(events(0, 2) + "data: [DONE]\n\n");
        upstream.error(new java.io.IOException("connection reset"));
        assertEquals(numbers(0, 2), s.awaitCompletion());
        assertEquals(0, upstream.cancels.get());
    }

    @Test
    void cancellingAfterTheEndMarkerLetsTheRestOfTheBodyBeRead() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        upstream.send(events(0, 2) + "data: [DONE]\n\n");
        s.cancel();
        upstream.complete();
        assertEquals(0, upstream.cancels.get(), "the body ended: the connection is the client's again");
        assertFalse(s.isTerminated(), "a cancelled subscriber gets no further signal");
    }

    @Test
    void slowSubscriberDoesNotMakeItBufferWithoutBound() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>();
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        s.request(5);
        for (int i = 0; i < 5; i++) {
            assertEquals(i + 1, upstream.requested.get());
            upstream.send(events(i, i + 1));
        }
        assertEquals(numbers(0, 5), s.items());
        assertEquals(5, upstream.requested.get(), "demand exhausted: no request in flight");
        assertEquals(0, upstream.outstanding());
    }

    @Test
    void upstreamDeliveringInsideRequestIsHandled() {
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            chunks.add(events(i, i + 1).getBytes(UTF_8));
        }
        chunks.add("data: [DONE]\n\n".getBytes(UTF_8));
        ManualUpstream upstream = new ManualUpstream().scripted(chunks, true);
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        assertEquals(numbers(0, 50), s.awaitCompletion());
    }

    @Test
    void reentrantRequestWithOneHundredThousandItemsDoesNotOverflowTheStack() {
        int count = 100_000;
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < count; i += 10) {
            chunks.add(events(i, i + 10).getBytes(UTF_8));
        }
        chunks.add("data: [DONE]\n\n".getBytes(UTF_8));
        ManualUpstream upstream = new ManualUpstream().scripted(chunks, true);
        AtomicReference<TestSubscriber<String>> ref = new AtomicReference<>();
        TestSubscriber<String> s = new TestSubscriber<String>().onNextDo(item -> ref.get().request(1));
        ref.set(s);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        s.request(1);
        List<String> items = s.awaitCompletion();
        assertEquals(count, items.size());
        assertEquals(numbers(0, count), items);
    }

    @Test
    void manyEventsInOneChunk() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        upstream.send(events(0, 10_000));
        upstream.send("data: [DONE]\n\n");
        assertEquals(numbers(0, 10_000), s.awaitCompletion());
    }

    @Test
    void chunksMadeOfSeveralBuffers() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        upstream.sendBuffers(List.of(ByteBuffer.wrap("da".getBytes(UTF_8)),
                ByteBuffer.wrap("ta: a\r".getBytes(UTF_8)).asReadOnlyBuffer(),
                ByteBuffer.allocateDirect(2).put("\n\r".getBytes(UTF_8)).flip()));
        upstream.sendBuffers(List.of(ByteBuffer.wrap("\ndata: [DONE]\n\n".getBytes(UTF_8))));
        assertEquals(List.of("a"), s.awaitCompletion());
    }

    @Test
    void cancelCancelsUpstreamExactlyOnce() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(2);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        upstream.send(events(0, 5));
        assertEquals(numbers(0, 2), s.items());
        s.cancel();
        s.cancel();
        s.request(10);
        assertEquals(1, upstream.cancels.get());
        assertEquals(numbers(0, 2), s.items(), "nothing after cancel");
        upstream.complete(); // late signals from upstream are ignored
        assertTrue(!s.isTerminated());
        s.assertNoViolations();
    }

    @Test
    void cancelFromInsideOnNext() {
        ManualUpstream upstream = new ManualUpstream();
        AtomicReference<TestSubscriber<String>> ref = new AtomicReference<>();
        TestSubscriber<String> s = new TestSubscriber<String>(Long.MAX_VALUE).onNextDo(item -> {
            if (item.equals("3")) {
                ref.get().cancel();
            }
        });
        ref.set(s);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        upstream.send(events(0, 10));
        assertEquals(numbers(0, 4), s.items());
        assertEquals(1, upstream.cancels.get());
    }

    @Test
    void cancelBeforeUpstreamSubscribesCancelsItWhenItArrives() {
        AtomicReference<java.util.concurrent.Flow.Subscriber<? super List<ByteBuffer>>> late =
                new AtomicReference<>();
        TestSubscriber<String> s = new TestSubscriber<String>(1).cancelInOnSubscribe();
        DecodingPublisher.sse(late::set, OPENAI).subscribe(s);
        ManualUpstream upstream = new ManualUpstream();
        upstream.subscribe(late.get()); // the body publisher calls onSubscribe only now
        assertEquals(1, upstream.cancels.get());
        assertEquals(0, upstream.requested.get());
    }

    @Test
    void upstreamErrorAfterSomeItemsDeliversTheItemsThenTheError() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        upstream.send(events(0, 3) + "data: partial");
        IOException reset = new IOException("connection reset");
        upstream.error(reset);
        Throwable error = s.awaitError();
        assertEquals(numbers(0, 3), s.items());
        assertInstanceOf(StreamInterruptedException.class, error);
        assertSame(reset, error.getCause());
        assertTrue(error.getMessage().contains("connection reset"), error.getMessage());
        assertEquals(0, upstream.cancels.get(), "a failed upstream is not cancelled");
    }

    @Test
    void errorWaitsUntilBufferedItemsAreDelivered() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(1);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        upstream.send(events(0, 3));
        RuntimeException failure = new IllegalStateException("not an IOException");
        upstream.error(failure);
        assertEquals(numbers(0, 1), s.items());
        s.assertNotTerminated();
        s.request(2);
        assertSame(failure, s.awaitError(), "non-IO errors are passed through unwrapped");
        assertEquals(numbers(0, 3), s.items());
    }

    @Test
    void streamWithoutEndMarkerFailsWhenOneIsRequired() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        upstream.send(events(0, 2));
        upstream.complete();
        Throwable error = s.awaitError();
        assertEquals(numbers(0, 2), s.items());
        assertInstanceOf(StreamInterruptedException.class, error);
        assertTrue(error.getMessage().contains("stream ended before it was complete"),
                error.getMessage());
    }

    @Test
    void streamCutInTheMiddleOfAnEventFailsSayingSo() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        upstream.send(events(0, 2) + "data: {\"half\":");
        upstream.complete();
        Throwable error = s.awaitError();
        assertEquals(numbers(0, 2), s.items());
        assertInstanceOf(StreamInterruptedException.class, error);
        assertTrue(error.getMessage().contains("stream ended before it was complete"),
                error.getMessage());
        assertTrue(error.getMessage().contains("middle of an event"), error.getMessage());
    }

    @Test
    void framesAfterTheEndMarkerAreIgnored() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        upstream.send("data: a\n\ndata: [DONE]\n\ndata: after\n\ndata: " + "x".repeat(100));
        assertEquals(List.of("a"), s.awaitCompletion());
        assertEquals(1, upstream.cancels.get());
    }

    @Test
    void endMarkerArrivingWithUpstreamCompletionDoesNotCancel() {
        List<byte[]> chunks = List.of("data: a\n\ndata: [DONE]\n\n".getBytes(UTF_8));
        ManualUpstream upstream = new ManualUpstream().scripted(chunks, true);
        TestSubscriber<String> s = new TestSubscriber<>(1);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        assertEquals(List.of("a"), s.awaitCompletion());
        assertEquals(0, upstream.cancels.get(), "upstream had completed: nothing to cancel");
    }

    @Test
    void mapperExceptionFailsTheStreamAfterEarlierItemsAndCancelsUpstream() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        Exception bad = new Exception("unparseable JSON");
        FrameMapper<SseEvent, String> mapper = (event, out) -> {
            if (event.data().equals("bad")) {
                out.emit("emitted before the throw");
                throw bad;
            }
            out.emit(event.data());
        };
        DecodingPublisher.sse(upstream, mapper).subscribe(s);
        upstream.send("data: 1\n\ndata: bad\n\ndata: 2\n\n");
        assertSame(bad, s.awaitError());
        assertEquals(List.of("1", "emitted before the throw"), s.items());
        assertEquals(1, upstream.cancels.get());
    }

    @Test
    void mapperMayEmitZeroOrManyItemsPerFrame() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        FrameMapper<SseEvent, String> mapper = (event, out) -> {
            switch (event.type()) {
                case "ping" -> { }
                case "split" -> event.data().chars().forEach(c -> out.emit(Character.toString(c)));
                case "message_stop" -> out.end();
                default -> out.emit(event.data());
            }
        };
        DecodingPublisher.sse(upstream, mapper).subscribe(s);
        upstream.send("event: ping\ndata: {}\n\nevent: split\ndata: abc\n\ndata: d\n\n"
                + "event: message_stop\ndata: {}\n\n");
        assertEquals(List.of("a", "b", "c", "d"), s.awaitCompletion());
    }

    @Test
    void oversizedEventFailsWithStreamFormatException() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        upstream.send("data: ok\n\ndata: " + "x".repeat(DecodingSubscription.MAX_FRAME_BYTES));
        Throwable error = s.awaitError();
        assertInstanceOf(StreamFormatException.class, error);
        assertEquals(List.of("ok"), s.items());
        assertEquals(1, upstream.cancels.get());
    }

    @Test
    void requestZeroFailsWithIllegalArgumentExceptionAndCancelsUpstream() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>();
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        s.request(0);
        assertInstanceOf(IllegalArgumentException.class, s.awaitError());
        assertEquals(1, upstream.cancels.get());
    }

    @Test
    void secondSubscriberIsRejected() {
        ManualUpstream upstream = new ManualUpstream();
        DecodingPublisher<String> publisher = DecodingPublisher.sse(upstream, OPENAI);
        TestSubscriber<String> first = new TestSubscriber<>(Long.MAX_VALUE);
        TestSubscriber<String> second = new TestSubscriber<>(Long.MAX_VALUE);
        publisher.subscribe(first);
        publisher.subscribe(second);
        assertInstanceOf(IllegalStateException.class, second.awaitError());
        assertEquals(1, upstream.subscribes.get());
        upstream.send("data: a\n\ndata: [DONE]\n\n");
        assertEquals(List.of("a"), first.awaitCompletion());
    }

    @Test
    void upstreamSendingUnrequestedChunksIsAnError() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>();
        DecodingPublisher.sse(upstream, OPENAI).subscribe(s);
        upstream.sendUnrequested("data: a\n\n");
        upstream.sendUnrequested("data: b\n\n");
        assertInstanceOf(IllegalStateException.class, s.awaitError());
        assertEquals(1, upstream.cancels.get());
    }

    // ---- NDJSON ----

    /** Ollama style: each line is an item; the line containing "done":true ends the stream. */
    private static final FrameMapper<byte[], String> OLLAMA = (line, out) -> {
        String text = new String(line, UTF_8);
        out.emit(text);
        if (text.contains("\"done\":true")) {
            out.end();
        }
    };

    @Test
    void ndjsonStreamEndsWithDoneLine() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.ndjson(upstream, OLLAMA).subscribe(s);
        upstream.send("{\"response\":\"a\",\"done\":false}\r\n\n{\"resp");
        upstream.send("onse\":\"b\",\"done\":false}\n{\"done\":true}\n");
        assertEquals(List.of("{\"response\":\"a\",\"done\":false}",
                "{\"response\":\"b\",\"done\":false}", "{\"done\":true}"), s.awaitCompletion());
    }

    @Test
    void ndjsonFinalLineWithoutNewlineIsDeliveredAtCompletion() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.ndjson(upstream, OLLAMA).subscribe(s);
        upstream.send("{\"done\":false}\n{\"done\":true}");
        s.assertNotTerminated();
        upstream.complete();
        assertEquals(List.of("{\"done\":false}", "{\"done\":true}"), s.awaitCompletion());
    }

    @Test
    void ndjsonWithoutDoneLineIsCutOff() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.ndjson(upstream, OLLAMA).subscribe(s);
        upstream.send("{\"done\":false}\n");
        upstream.complete();
        Throwable error = s.awaitError();
        assertInstanceOf(StreamInterruptedException.class, error);
        assertTrue(error.getMessage().contains("stream ended before it was complete"));
        assertEquals(List.of("{\"done\":false}"), s.items());
    }

    @Test
    void ndjsonItemsAreDeliveredOneChunkAtATime() {
        ManualUpstream upstream = new ManualUpstream();
        TestSubscriber<String> s = new TestSubscriber<>();
        AtomicInteger frames = new AtomicInteger();
        FrameMapper<byte[], String> mapper = (line, out) -> {
            frames.incrementAndGet();
            String text = new String(line, UTF_8);
            out.emit(text);
            if (text.equals("3")) {
                out.end();
            }
        };
        DecodingPublisher.ndjson(upstream, mapper).subscribe(s);
        s.request(1);
        upstream.send("1\n2\n");
        assertEquals(List.of("1"), s.items());
        assertEquals(2, frames.get(), "one chunk decoded");
        assertEquals(1, upstream.requested.get());
        s.request(2);
        assertEquals(2, upstream.requested.get());
        upstream.send("3\n");
        upstream.complete();
        assertEquals(List.of("1", "2", "3"), s.awaitCompletion());
    }
}
