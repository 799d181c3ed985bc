package dev.parley.testing;

import static dev.parley.testing.FakeLlmServerTest.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import dev.parley.support.Fixtures;
import dev.parley.support.JsonShapes;

/** Faults, latency, concurrency and the command line of {@link FakeLlmServer}. */
class FakeLlmServerFaultTest extends FakeLlmServerTestBase {

    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
    private static final String STREAM = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";

    @Test
    void statusFaults_answerInEachProvidersErrorShape_withRetryAfter_thenTheQueueEmpties() throws Exception {
        start(FakeLlmServer.newBuilder());
        server.enqueue(Fault.rateLimited(Duration.ofMillis(2500)), Fault.overloaded(), Fault.status(500));

        HttpResponse<String> limited = post("/v1/chat/completions", CHAT);
        assertEquals(429, limited.statusCode());
        assertEquals("3", limited.headers().firstValue("retry-after").orElseThrow());
        assertEquals("2500", limited.headers().firstValue("retry-after-ms").orElseThrow());
        JsonShapes.assertSameShape(Fixtures.json("openai/error_401_invalid_api_key.response.json"), json(limited),
                java.util.Set.of(), java.util.Set.of());
        assertEquals("rate_limit_exceeded", json(limited).object("error").string("code"));

        HttpResponse<String> overloaded = post("/v1/messages", "{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(529, overloaded.statusCode());
        JsonShapes.assertSameShape(Fixtures.json("anthropic/error_429_rate_limit.response.json"), json(overloaded),
                java.util.Set.of(), java.util.Set.of());
        assertEquals("overloaded_error", json(overloaded).object("error").string("type"));

        HttpResponse<String> ollama = post("/api/chat", "{\"model\":\"llama3\",\"stream\":false}");
        assertEquals(500, ollama.statusCode());
        JsonShapes.assertSameShape(Fixtures.json("ollama/error_404_model_not_found.response.json"), json(ollama),
                java.util.Set.of(), java.util.Set.of());

        assertEquals(0, server.pendingFaults());
        assertEquals(200, post("/v1/chat/completions", CHAT).statusCode());
    }

    @Test
    void failNext_appliesToTheNextRequests_andUnknownPathsDoNotUseFaults() throws Exception {
        start(FakeLlmServer.newBuilder());
        server.failNext(2, Fault.status(503));

        assertEquals(404, post("/v1/nothing", CHAT).statusCode());
        assertEquals(503, post("/v1/chat/completions", CHAT).statusCode());
        assertEquals(503, post("/api/chat", "{\"model\":\"x\"}").statusCode());
        assertEquals(200, post("/v1/chat/completions", CHAT).statusCode());
    }

    @Test
    void resetBeforeHeaders_givesTheClientAnIoError() throws Exception {
        start(FakeLlmServer.newBuilder().faults(Fault.resetBeforeHeaders()));

        assertThrows(IOException.class, () -> post("/v1/chat/completions", CHAT));
        assertEquals(200, post("/v1/chat/completions", CHAT).statusCode(), "one request only");
    }

    @Test
    void cutAfter_dropsTheConnectionMidStream_withoutDoneAndWithoutHttpsEndOfBody() throws Exception {
        start(FakeLlmServer.newBuilder().faults(Fault.cutAfter(2), Fault.cutAfter(2)));

        assertThrows(IOException.class, () -> post("/v1/chat/completions", STREAM), "the HTTP client sees the body break");

        RawResponse raw = RawResponse.exchange(server.uri(), "/v1/chat/completions", STREAM);
        assertTrue(raw.head.startsWith("HTTP/1.1 200"), raw.head);
        assertFalse(raw.chunkedEnd, "no terminating zero-length chunk");
        assertEquals(2, events(raw.body()).size(), raw.body());
        assertFalse(raw.body().contains("[DONE]"));
    }

    @Test
    void truncateAfter_endsTheStreamCleanlyButEarly() throws Exception {
        start(FakeLlmServer.newBuilder().faults(Fault.truncateAfter(3), Fault.truncateAfter(1)));

        HttpResponse<String> openAi = post("/v1/chat/completions", STREAM);
        assertEquals(200, openAi.statusCode());
        assertEquals(3, events(openAi.body()).size());
        assertFalse(openAi.body().contains("[DONE]"));

        HttpResponse<String> anthropic = post("/v1/messages", "{\"max_tokens\":9,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(List.of("message_start"), events(anthropic.body()).stream().map(FakeLlmServerTest.Event::name).toList());
    }

    @Test
    void trickle_writesTheBodyAFewBytesAtATime_andItArrivesWhole() throws Exception {
        start(FakeLlmServer.newBuilder().reply("abcdefghijklmnopqrstuvwxyz").faults(Fault.trickle(7, Duration.ofMillis(1))));
        String expected = post("/v1/chat/completions", STREAM).body().replaceAll("\"created\":\\d+", "")
                .replaceAll("fake\\d+", "");
        server.enqueue(Fault.trickle(7, Duration.ofMillis(1)));

        RawResponse raw = RawResponse.exchange(server.uri(), "/v1/chat/completions", STREAM);

        assertTrue(raw.chunkedEnd);
        assertTrue(raw.chunkSizes.size() > 20, "many small writes: " + raw.chunkSizes);
        assertTrue(raw.chunkSizes.stream().allMatch(n -> n <= 7), raw.chunkSizes.toString());
        assertEquals(expected, raw.body().replaceAll("\"created\":\\d+", "").replaceAll("fake\\d+", ""));
        HttpResponse<String> plain = post("/v1/chat/completions", CHAT); // the trickle fault was used up above
        assertEquals(200, plain.statusCode());
    }

    @Test
    void stall_sendsHeadersThenNothing_andStoppingTheServerEndsItAtOnce() throws Exception {
        start(FakeLlmServer.newBuilder().faults(Fault.stall(Duration.ofMinutes(5))));
        try (Socket socket = new Socket(server.address().getAddress(), server.port())) {
            socket.setSoTimeout(300);
            RawResponse.sendRequest(socket, "/v1/chat/completions", STREAM);
            String head = RawResponse.readHead(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read(), "no byte after the headers");

            long t0 = System.nanoTime();
            server.close();
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(took < 3000, "close() took " + took + " ms despite a 5-minute stall");
            assertTrue(server.terminated(), "every request thread ended before close() returned");
            socket.setSoTimeout(5000);
            try {
                assertEquals(-1, socket.getInputStream().read(), "the connection is closed");
            } catch (IOException reset) {
                // a reset is as good as an end of stream here
            }
        }
    }

    @Test
    void latencyAndInterChunkDelay_slowTheAnswerDown() throws Exception {
        start(FakeLlmServer.newBuilder().latency(Duration.ofMillis(150)));
        long t0 = System.nanoTime();
        post("/v1/chat/completions", CHAT);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) >= 150);

        server.latency(Duration.ZERO).interChunkDelay(Duration.ofMillis(40)).streamChunks(5);
        long t1 = System.nanoTime();
        HttpResponse<String> r = post("/v1/chat/completions", STREAM);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
        int frames = events(r.body()).size();
        assertEquals(8, frames, "role, 5 pieces, finish, [DONE]");
        assertTrue(took >= 40L * (frames - 1), "took " + took + " ms");
    }

    @Test
    void twoHundredConcurrentRequests_areAllAnswered() throws Exception {
        start(FakeLlmServer.newBuilder().latency(Duration.ofMillis(20)).recordLimit(0));
        String[][] calls = {
                {"/v1/chat/completions", CHAT}, {"/v1/chat/completions", STREAM},
                {"/v1/messages", "{\"max_tokens\":9,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"},
                {"/api/chat", "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"},
                {"/v1/embeddings", "{\"model\":\"e\",\"input\":\"x\",\"dimensions\":4}"}};
        List<Future<HttpResponse<String>>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                String[] call = calls[i % calls.length];
                futures.add(pool.submit(() -> post(call[0], call[1])));
            }
            for (Future<HttpResponse<String>> f : futures) {
                HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                assertFalse(r.body().isEmpty());
            }
        }
        assertEquals(200, server.requestCount());
        assertEquals(80, server.requestCount("/v1/chat/completions"));
        assertTrue(server.requests().isEmpty(), "recordLimit(0) keeps nothing");
    }

    @Test
    void aClientThatLeavesMidStream_isCounted() throws Exception {
        start(FakeLlmServer.newBuilder().streamChunks(2000).reply("x".repeat(2000)).interChunkDelay(Duration.ofMillis(2)));
        try (Socket socket = new Socket(server.address().getAddress(), server.port())) {
            RawResponse.sendRequest(socket, "/v1/chat/completions", STREAM);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.contains("\"content\":\"x\"")) {
                // read up to the first content frame
            }
        }
        awaitTrue(() -> server.clientDisconnects() == 1, Duration.ofSeconds(10));
    }

    /** Waits for a condition the server reaches on its own thread, checking every millisecond, up to a deadline. */
    private static void awaitTrue(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within " + timeout);
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void main_printsItsUrlAndServesUntilKilled() throws Exception {
        Path classes = Path.of(FakeLlmServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", classes.toString(), "dev.parley.testing.FakeLlmServer",
                "--port", "0", "--chunks", "2", "--reply", "from main", "--latency", "5ms").redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertTrue(first != null && first.startsWith("FakeLlmServer listening on http://127.0.0.1:"), first);
            URI base = URI.create(first.split(" ")[3]);
            HttpResponse<String> r = post(client, URI.create(base + "/v1/chat/completions"), CHAT);
            assertEquals("from main", json(r).array("choices").object(0).object("message").string("content"));
        } finally {
            p.destroy();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the server exits when killed");
        }
    }

    @Test
    void arguments_areCheckedAndDurationsRead() {
        assertEquals(Duration.ofMillis(250), FakeServerArgs.duration("--latency", "250ms"));
        assertEquals(Duration.ofMillis(1500), FakeServerArgs.duration("--latency", "1.5s"));
        assertEquals(Duration.ofMinutes(2), FakeServerArgs.duration("--latency", "2m"));
        // One rule with the settings (LLM_TIMEOUT=30 is 30 seconds): a bare number is seconds.
        assertEquals(Duration.ofSeconds(40), FakeServerArgs.duration("--latency", "40"));
        assertEquals(Duration.ofMillis(500), FakeServerArgs.duration("--latency", "0.5"));
        assertEquals(Duration.ofHours(1), FakeServerArgs.duration("--latency", "1h"));
        assertEquals(Duration.ofMillis(500), FakeServerArgs.duration("--latency", "PT0.5S"));
        assertThrows(IllegalArgumentException.class, () -> FakeServerArgs.parse(new String[] {"--port"}));
        assertThrows(IllegalArgumentException.class, () -> FakeServerArgs.parse(new String[] {"--bogus", "1"}));
        assertThrows(IllegalArgumentException.class, () -> FakeServerArgs.parse(new String[] {"--chunks", "zero"}));
        assertEquals(null, FakeServerArgs.parse(new String[] {"--help"}));
    }

    /** A response read off a raw socket, with its chunked framing kept visible. */
    static final class RawResponse {
        String head;
        final List<Integer> chunkSizes = new ArrayList<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean chunkedEnd;

        String body() {
            return body.toString(StandardCharsets.UTF_8);
        }

        static void sendRequest(Socket socket, String path, String json) throws IOException {
            byte[] b = json.getBytes(StandardCharsets.UTF_8);
            socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(b);
            socket.getOutputStream().flush();
        }

        static String readHead(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            while (!sb.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                sb.append((char) c);
            }
            return sb.toString();
        }

        /** Sends a request on a fresh connection and reads a chunked response until its end or the connection's. */
        static RawResponse exchange(URI base, String path, String json) throws IOException {
            try (Socket socket = new Socket(base.getHost(), base.getPort())) {
                socket.setSoTimeout(10_000);
                sendRequest(socket, path, json);
                InputStream in = socket.getInputStream();
                RawResponse r = new RawResponse();
                r.head = readHead(in);
                try {
                    readChunks(in, r);
                } catch (IOException dropped) {
                    // the connection broke: what was read is the answer
                }
                return r;
            }
        }

        private static void readChunks(InputStream in, RawResponse r) throws IOException {
            while (true) {
                String sizeLine = line(in);
                if (sizeLine == null || sizeLine.isEmpty()) {
                    return;
                }
                int size = Integer.parseInt(sizeLine.trim(), 16);
                if (size == 0) {
                    r.chunkedEnd = true;
                    return;
                }
                byte[] data = in.readNBytes(size);
                r.body.write(data);
                if (data.length < size) {
                    return;
                }
                r.chunkSizes.add(size);
                line(in);
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    return sb.toString().replace("\r", "");
                }
                sb.append((char) c);
            }
            return sb.isEmpty() ? null : sb.toString();
        }
    }
}
