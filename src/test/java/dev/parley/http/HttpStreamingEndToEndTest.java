package dev.parley.http;

import dev.parley.support.TestSubscriber;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.parley.internal.flow.BlockingIterator;

/**
 * Streams real HTTP responses from a loopback server through {@code HttpClient},
 * {@code BodyHandlers.ofPublisher()} and {@link DecodingPublisher}.
 */
class HttpStreamingEndToEndTest {

    private static final FrameMapper<SseEvent, String> OPENAI = (event, out) -> {
        if (event.data().equals("[DONE]")) {
            out.end();
        } else {
            out.emit(event.data());
        }
    };

    private HttpClient client;
    private ChunkedHttpServer server;

    @BeforeEach
    void startClient() {
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterEach
    void stopEverything() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            client.shutdownNow();
            assertTrue(client.awaitTermination(Duration.ofSeconds(10)), "HttpClient terminated");
        }
    }

    private Flow.Publisher<List<ByteBuffer>> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.uri(path))
                .timeout(Duration.ofSeconds(10))
                .build();
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response =
                client.send(request, HttpResponse.BodyHandlers.ofPublisher());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    private static String sseStream(int events) {
        StringBuilder sb = new StringBuilder("\uFEFF: hello\r\n\r\n");
        for (int i = 0; i < events; i++) {
            sb.append("id: ").append(i).append("\r\n")
                    .append("data: {\"i\":").append(i).append(",\"t\":\"\u00e9\uD83D\uDE00\"}\r\n\r\n");
            if (i % 3 == 0) {
                sb.append(": keep-alive\n\n");
            }
        }
        return sb.append("data: [DONE]\n\n").toString();
    }

    private static List<String> expected(int events) {
        return IntStream.range(0, events)
                .mapToObj(i -> "{\"i\":" + i + ",\"t\":\"\u00e9\uD83D\uDE00\"}").toList();
    }

    @Test
    void sseBodyWrittenOneBytePerChunkArrivesComplete() throws Exception {
        int events = 20;
        server = new ChunkedHttpServer("text/event-stream",
                body -> body.oneBytePerChunk(sseStream(events)));
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.sse(get("/v1/chat/completions"), OPENAI).subscribe(s);
        assertEquals(expected(events), s.awaitCompletion());
        assertEquals(List.of(), server.handlerErrors);
    }

    @Test
    void blockingIteratorReadsOneItemAtATimeOnAVirtualThread() throws Exception {
        int events = 200;
        server = new ChunkedHttpServer("text/event-stream", body -> {
            // Split the bytes, not the String: cutting a surrogate pair would corrupt the text.
            byte[] stream = sseStream(events).getBytes(UTF_8);
            for (int i = 0; i < stream.length; i += 37) {
                body.chunk(java.util.Arrays.copyOfRange(stream, i, Math.min(stream.length, i + 37)));
            }
        });
        Flow.Publisher<List<ByteBuffer>> body = get("/stream");
        List<String> seen = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BlockingIterator<String> items = BlockingIterator.subscribe(
                    DecodingPublisher.sse(body, OPENAI),
                    1)) {
                for (String item : items) {
                    seen.add(item);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(reader.isAlive(), "reader finished");
        if (failure.get() != null) {
            throw new AssertionError("reader failed", failure.get());
        }
        assertEquals(expected(events), seen);
    }

    @Test
    void cancellingClosesTheConnectionOnTheServer() throws Exception {
        CountDownLatch connectionClosed = new CountDownLatch(1);
        AtomicInteger written = new AtomicInteger();
        server = new ChunkedHttpServer("text/event-stream", body -> {
            // "Forever", but bounded so the server always stops by itself.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            try {
                for (int i = 0; i < 10_000_000 && System.nanoTime() < deadline; i++) {
                    body.chunk("data: " + i + "\n\n");
                    written.incrementAndGet();
                }
            } catch (IOException e) {
                connectionClosed.countDown();
            }
        });
        TestSubscriber<String> s = new TestSubscriber<>(5);
        DecodingPublisher.sse(get("/endless"), OPENAI).subscribe(s);
        assertEquals(List.of("0", "1", "2", "3", "4"), s.awaitItems(5));
        s.cancel();
        // Usually milliseconds; but HttpClient may only close the socket when its selector thread
        // next wakes up, which can take up to its 3 s idle select timeout.
        assertTrue(connectionClosed.await(10, TimeUnit.SECONDS),
                "server saw the connection close after " + written.get() + " events");
        assertEquals(5, s.items().size(), "nothing delivered after cancel");
        assertFalse(s.isTerminated());
        s.assertNoViolations();
    }

    @Test
    void closingTheBlockingIteratorClosesTheConnection() throws Exception {
        CountDownLatch connectionClosed = new CountDownLatch(1);
        server = new ChunkedHttpServer("text/event-stream", body -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            try {
                for (int i = 0; i < 10_000_000 && System.nanoTime() < deadline; i++) {
                    body.chunk("data: " + i + "\n\n");
                }
            } catch (IOException e) {
                connectionClosed.countDown();
            }
        });
        Flow.Publisher<List<ByteBuffer>> body = get("/endless");
        try (BlockingIterator<String> items = BlockingIterator.subscribe(
                DecodingPublisher.sse(body, OPENAI))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(Integer.toString(i), items.next());
            }
        }
        assertTrue(connectionClosed.await(10, TimeUnit.SECONDS), "server saw the close");
    }

    @Test
    void serverDroppingTheConnectionMidEventIsAStreamInterruption() throws Exception {
        server = new ChunkedHttpServer("text/event-stream", body -> {
            body.chunk("data: a\n\ndata: {\"partial\":");
            throw new ChunkedHttpServer.AbortConnection();
        });
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.sse(get("/crash"), OPENAI).subscribe(s);
        Throwable error = s.awaitError();
        assertEquals(List.of("a"), s.items());
        assertInstanceOf(StreamInterruptedException.class, error);
        assertNotNull(error.getCause(), "the transport's IOException is kept as the cause");
        assertInstanceOf(IOException.class, error.getCause());
    }

    @Test
    void cleanEndWithoutDoneMarkerIsReportedAsCutOff() throws Exception {
        server = new ChunkedHttpServer("text/event-stream", body -> body.chunk("data: a\n\n"));
        Flow.Publisher<List<ByteBuffer>> body = get("/no-done");
        try (BlockingIterator<String> items = BlockingIterator.subscribe(DecodingPublisher.sse(
                body, OPENAI))) {
            assertEquals("a", items.next());
            UncheckedIOException e = assertThrows(UncheckedIOException.class, items::hasNext);
            assertInstanceOf(StreamInterruptedException.class, e.getCause());
            assertTrue(e.getMessage().contains("ended before it was complete"), e.getMessage());
        }
    }

    @Test
    void ndjsonEndToEnd() throws Exception {
        server = new ChunkedHttpServer("application/x-ndjson", body -> body.oneBytePerChunk(
                "{\"response\":\"\u00e9\",\"done\":false}\r\n{\"response\":\"\uD83D\uDE00\",\"done\":false}\n"
                        + "{\"response\":\"\",\"done\":true}"));
        FrameMapper<byte[], String> mapper = (line, out) -> {
            String text = new String(line, UTF_8);
            out.emit(text);
            if (text.contains("\"done\":true")) {
                out.end();
            }
        };
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        DecodingPublisher.ndjson(get("/api/chat"), mapper).subscribe(s);
        assertEquals(List.of("{\"response\":\"\u00e9\",\"done\":false}",
                "{\"response\":\"\uD83D\uDE00\",\"done\":false}",
                "{\"response\":\"\",\"done\":true}"), s.awaitCompletion());
    }
}
