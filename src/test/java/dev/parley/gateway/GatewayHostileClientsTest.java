package dev.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.parley.testing.ScriptedProvider;

/**
 * Hostile gateway clients: slow headers, partial bodies, chunked bodies without an end, too
 * many connections, and clients that leave at every phase, while a valid client keeps being
 * served. The attacker connects from 127.0.0.2 (any 127/8 address is the loopback on Linux), the
 * valid client from 127.0.0.1, so the gateway sees two addresses. Every test ends with no
 * connection and no request left behind; {@link GatewayTestBase} stops the gateway, and
 * {@link #allThreadsEnded()} checks its threads are gone.
 */
class GatewayHostileClientsTest extends GatewayTestBase {

    private static final String HELLO = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String ATTACKER = "127.0.0.2";
    private static final Duration SHORT = Duration.ofMillis(300);

    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void allThreadsEnded() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (gateway != null) {
            http.close();
            http = null;
            gateway.stop();
            assertTrue(gateway.terminated(), "every gateway thread ended");
        }
    }

    private void startGateway(Gateway.Builder b) {
        start(b.defaultRoute(llm(ScriptedProvider.newBuilder("fake").reply("ok").build(), "m")));
    }

    private Socket connect(String from) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(from, 0));
        s.connect(gateway.address(), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads until the server closes {@code s}; fails if it does not within the socket's 10 s timeout. @return what was read */
    private static String readUntilClosed(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketTimeoutException e) {
            fail("the gateway kept the connection open; read so far: " + sb);
        } catch (SocketException reset) {
            // closed with a reset: closed all the same
        }
        return sb.toString();
    }

    private void assertValidClientServed() {
        assertEquals(200, http.post("/v1/chat/completions", HELLO).statusCode());
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within 10 s: " + what);
            }
            try {
                Thread.sleep(5); // polling for a state that must come, with a deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(e);
            }
        }
    }

    @Test
    void threeHundredSlowConnectionsFromOneAddress_takeOnlyItsShare_whileAnotherAddressIsServed() throws IOException {
        startGateway(Gateway.newBuilder().headerTimeout(Duration.ofSeconds(30))); // default caps: 64 per address
        int refused = 0;
        for (int i = 0; i < 300; i++) {
            Socket s = connect(ATTACKER);
            send(s, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n");
            if (i >= 64) {
                refused += readUntilClosed(s).startsWith("HTTP/1.1 429 ") ? 1 : 0;
            }
        }
        assertEquals(236, refused, "every connection over the attacker's 64 was refused");
        for (int i = 0; i < 20; i++) {
            assertValidClientServed();
        }
        int open = gateway.openConnections();
        assertTrue(open >= 65 && open <= 66, "the attacker's 64 and the valid client's one (or two): " + open);
    }

    @Test
    void slowHeadersFromOneAddress_areCappedAndTimedOut_whileAnotherAddressIsServed() throws IOException {
        startGateway(Gateway.newBuilder().maxConnectionsPerAddress(8).headerTimeout(SHORT));

        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Socket s = connect(ATTACKER);
            send(s, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Le");
            slow.add(s);
        }
        await("the gateway holds the attacker's 8 connections", () -> gateway.openConnections() == 8);
        Socket over = connect(ATTACKER);
        String refused = readUntilClosed(over);
        assertTrue(refused.startsWith("HTTP/1.1 429 "), refused);
        assertTrue(refused.contains("too_many_connections"), refused);

        assertValidClientServed();
        for (Socket s : slow) {
            assertEquals("", readUntilClosed(s), "a slow header is cut off without an answer");
        }
        await("every connection is closed", () -> gateway.openConnections() <= 1); // the valid client's, kept alive
        assertValidClientServed();
        String metrics = http.get("/metrics").body();
        assertTrue(metrics.contains("parley_gateway_connections_refused_total{reason=\"per_address\"} 1\n"), metrics);
        assertTrue(metrics.contains("parley_gateway_connections_timed_out_total{phase=\"header\"} 8\n"), metrics);
        assertTrue(metrics.contains("parley_gateway_connections_open 1\n"), metrics);
    }

    @Test
    void aHeaderDrippedByteByByte_isCutOffAtTheHeaderDeadline_notAtEachByte() throws IOException {
        startGateway(Gateway.newBuilder().headerTimeout(SHORT));
        Socket s = connect(ATTACKER);
        byte[] drip = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
        boolean cut = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            for (int i = 0; System.nanoTime() - deadline < 0; i++) {
                s.getOutputStream().write(i < drip.length ? drip[i] : 'a');
                s.getOutputStream().flush();
                if (s.getInputStream().available() > 0) {
                    break;
                }
                Thread.sleep(20); // the attacker's own pace, well under the header timeout per byte
            }
        } catch (SocketException closed) {
            cut = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertTrue(cut || readUntilClosed(s).isEmpty(), "the dripping client was cut off");
        assertValidClientServed();
    }

    @Test
    void partialBodies_fixedOrChunked_areCutOffAtTheBodyDeadline_whileAnotherAddressIsServed() throws IOException {
        startGateway(Gateway.newBuilder().bodyTimeout(SHORT));
        Socket shortBody = connect(ATTACKER);
        send(shortBody, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"model\":");
        Socket endlessChunks = connect(ATTACKER);
        send(endlessChunks, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"mod\r\n");

        assertValidClientServed();
        readUntilClosed(shortBody);
        readUntilClosed(endlessChunks);
        await("both are counted", () -> http.get("/metrics").body()
                .contains("parley_gateway_connections_timed_out_total{phase=\"body\"} 2\n"));
        await("the attacker's connections are closed", () -> gateway.openConnections() <= 1);
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(10)), "no request is left running");
        assertValidClientServed();
    }

    @Test
    void anIdleKeptAliveConnection_isClosedAtTheIdleDeadline() throws IOException {
        startGateway(Gateway.newBuilder().idleTimeout(SHORT));
        Socket s = connect(ATTACKER);
        send(s, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        String answer = readUntilClosed(s);
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
    }

    @Test
    void manyConnections_overTheGatewaysCap_are503_andTheGatewayServesAgainOnceTheyClose() throws IOException {
        startGateway(Gateway.newBuilder().maxConnections(6).maxConnectionsPerAddress(100).headerTimeout(Duration.ofSeconds(30)));
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            idle.add(connect(ATTACKER));
        }
        await("the gateway holds 6 connections", () -> gateway.openConnections() == 6);
        String refused = readUntilClosed(connect("127.0.0.1"));
        assertTrue(refused.startsWith("HTTP/1.1 503 "), refused);

        for (Socket s : idle) {
            s.close();
        }
        await("the attacker's connections are released", () -> gateway.openConnections() == 0);
        assertValidClientServed();
    }

    @Test
    void malformedRequests_areAnswered400AndClosed() throws IOException {
        startGateway(Gateway.newBuilder());
        for (String bad : List.of(
                "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                "GET /health HTTP/1.1\r\nHost : x\r\n\r\n",
                "GET /health HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
                "GET health HTTP/1.1\r\n\r\n",
                "GET /health\r\n\r\n")) {
            Socket s = connect(ATTACKER);
            send(s, bad);
            String answer = readUntilClosed(s);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), () -> bad + " -> " + answer);
        }
        Socket endlessTrailers = connect(ATTACKER);
        send(endlessTrailers, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
        try {
            for (int i = 0; i < 10_000; i++) {
                send(endlessTrailers, "X-Trailer: " + i + "\r\n");
            }
            fail("the gateway read ten thousand trailer lines");
        } catch (SocketException closed) {
            // cut off, as it should be
        }
        Socket tooMany = connect(ATTACKER);
        send(tooMany, "GET /health HTTP/1.1\r\n" + "X-A: b\r\n".repeat(GatewayServer.MAX_HEADERS + 1) + "\r\n");
        assertTrue(readUntilClosed(tooMany).startsWith("HTTP/1.1 431 "));
        assertValidClientServed();
    }

    @Test
    void aChunkSizeWithASign_orALineEndOtherThanCrlf_isRefused() throws IOException {
        // Long.parseLong takes "-0" and "+2f"; a proxy in front would not, and the two would
        // disagree on where the body ends.
        startGateway(Gateway.newBuilder());
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n";
        String hex = Integer.toHexString(HELLO.length());
        for (String body : List.of(hex + "\r\n" + HELLO + "\r\n-0\r\n\r\n", "+" + hex + "\r\n" + HELLO + "\r\n0\r\n\r\n",
                " " + hex + "\r\n" + HELLO + "\r\n0\r\n\r\n",
                // a chunk line ends with CRLF only: a proxy that reads a bare LF or CR (here in an
                // extension) as part of the line sees other chunks than the gateway would
                hex + "\n" + HELLO + "\n0\n\n", hex + ";a\nb\r\n" + HELLO + "\r\n0\r\n\r\n",
                hex + ";a\rb\r\n" + HELLO + "\r\n0\r\n\r\n", hex + "\r\n" + HELLO + "XY0\r\n\r\n")) {
            Socket s = connect(ATTACKER);
            send(s, head + body);
            String answer = readUntilClosed(s);
            assertTrue(!answer.startsWith("HTTP/1.1 200 "), () -> body + " -> " + answer);
        }
        assertValidClientServed();
    }

    @Test
    void anHttp11RequestWithoutExactlyOneHost_isRefused() throws IOException {
        // RFC 9112 3.2: a proxy in front and the gateway must not disagree on which host was meant
        startGateway(Gateway.newBuilder());
        for (String hosts : List.of("", "Host: a\r\nHost: b\r\n")) {
            Socket s = connect(ATTACKER);
            send(s, "GET /health HTTP/1.1\r\n" + hosts + "Connection: close\r\n\r\n");
            String answer = readUntilClosed(s);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), () -> hosts + " -> " + answer);
        }
        Socket s = connect(ATTACKER);
        send(s, "GET /health HTTP/1.0\r\n\r\n");           // HTTP/1.0 has no Host to require
        assertTrue(readUntilClosed(s).startsWith("HTTP/1.1 200 "));
        assertValidClientServed();
    }

    @Test
    void anHttp10Client_getsNoChunkedAnswer_andNo100Continue() throws IOException {
        startGateway(Gateway.newBuilder());
        String stream = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        Socket s = connect(ATTACKER);
        send(s, "POST /v1/chat/completions HTTP/1.0\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                + "Content-Length: " + stream.length() + "\r\n\r\n" + stream);
        String answer = readUntilClosed(s);
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer); // RFC 9110 10.1.1: no 100 Continue for HTTP/1.0
        String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
        assertTrue(!head.contains("transfer-encoding"), answer); // RFC 9112 6.1: HTTP/1.0 knows no chunked
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        assertTrue(body.startsWith("data: ") && body.contains("data: [DONE]"), answer);
    }

    @Test
    void headAndKeepAlive_andAnUnreadBodyIsDrained_beforeTheNextRequest() throws IOException {
        startGateway(Gateway.newBuilder());
        Socket s = connect(ATTACKER);
        send(s, "HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"
                + "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        String answers = readUntilClosed(s);
        int head = answers.indexOf("HTTP/1.1 200 ");
        int missing = answers.indexOf("HTTP/1.1 404 ", head);
        int health = answers.indexOf("HTTP/1.1 200 ", missing);
        assertTrue(head == 0 && missing > 0 && health > missing, answers);
        assertTrue(!answers.substring(0, missing).contains("status"), answers);
    }

    @Test
    void expectContinue_isAnsweredWhenTheBodyIsRead_andNotForARequestRefusedFirst() throws IOException {
        startGateway(Gateway.newBuilder().maxRequestBytes(1000));
        Socket s = connect(ATTACKER);
        send(s, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                + "Connection: close\r\nContent-Length: " + HELLO.length() + "\r\n\r\n");
        byte[] interim = s.getInputStream().readNBytes("HTTP/1.1 100 Continue\r\n\r\n".length());
        assertEquals("HTTP/1.1 100 Continue\r\n\r\n", new String(interim, StandardCharsets.US_ASCII));
        send(s, HELLO); // not half-closing: the gateway takes the end of the client's stream for the client leaving
        String answer = readUntilClosed(s);
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);

        Socket big = connect(ATTACKER);
        send(big, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n");
        String refused = readUntilClosed(big);
        assertTrue(refused.startsWith("HTTP/1.1 413 "), refused);
    }

    @Test
    void pipelinedRequestsOnOneConnection_areAnsweredInOrder() throws IOException {
        startGateway(Gateway.newBuilder());
        Socket s = connect(ATTACKER);
        String chat = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(HELLO.length()) + "\r\n" + HELLO + "\r\n0\r\n\r\n";
        send(s, chat + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        String answers = readUntilClosed(s);
        int ok = answers.indexOf("HTTP/1.1 200 ");
        int health = answers.indexOf("HTTP/1.1 200 ", ok + 1);
        int missing = answers.indexOf("HTTP/1.1 404 ");
        assertTrue(ok >= 0 && health > ok && missing > health, answers);
        assertTrue(answers.contains("\"status\":\"ok\""), answers);
    }

    @Test
    void clientsLeavingAtEveryPhase_leaveNoConnectionOrRequestBehind() throws IOException {
        startGateway(Gateway.newBuilder());
        String body = HELLO;
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\n\r\n";
        for (String sent : List.of("", "POST /v1/chat/compl", head, head + body.substring(0, 10), head + body)) {
            Socket s = connect(ATTACKER);
            send(s, sent);
            s.close();
        }
        await("every connection is released", () -> gateway.openConnections() <= 0);
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(10)), "no request is left running");
        assertValidClientServed();
    }

    @Test
    void aClientThatClosesRightAfterTheLastByte_isNotCountedAsLeaving() throws IOException {
        startGateway(Gateway.newBuilder());
        int rounds = 200;
        for (int i = 0; i < rounds; i++) {
            try (Socket s = connect(ATTACKER)) {
                send(s, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + HELLO.length() + "\r\n\r\n" + HELLO);
                InputStream in = s.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    head.append((char) in.read());
                }
                String h = head.toString().toLowerCase(java.util.Locale.ROOT);
                int at = h.indexOf("content-length: ") + "content-length: ".length();
                int length = Integer.parseInt(h.substring(at, h.indexOf("\r\n", at)));
                assertEquals(length, in.readNBytes(length).length);
            } // closed the moment the answer is complete
            sockets.clear();
        }
        assertTrue(gateway.awaitIdle(Duration.ofSeconds(10)));
        assertEquals(0, gateway.metrics().clientDisconnects());
        assertEquals(rounds, gateway.metrics().requests("/v1/chat/completions", 200));
    }

    @Test
    void aClientLeavingDuringAPlainChat_cancelsTheUpstreamCall() throws Exception {
        clientLeaves_upstreamSeesItsConnectionClosed(false);
    }

    @Test
    void aClientLeavingBeforeAStreamsFirstChunk_cancelsTheUpstreamCall() throws Exception {
        clientLeaves_upstreamSeesItsConnectionClosed(true);
    }

    private void clientLeaves_upstreamSeesItsConnectionClosed(boolean stream) throws Exception {
        try (SilentUpstream upstream = new SilentUpstream()) {
            start(Gateway.newBuilder().defaultRoute(upstream.llm()));
            String body = "{\"model\":\"m\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            Socket s = connect(ATTACKER);
            send(s, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body);
            assertTrue(upstream.requested.await(10, TimeUnit.SECONDS), "the upstream got the call");

            s.close();

            assertTrue(upstream.callerClosed.await(10, TimeUnit.SECONDS), "the upstream call was cancelled");
            assertTrue(gateway.awaitIdle(Duration.ofSeconds(10)), "the request ended");
            assertEquals(1, gateway.metrics().clientDisconnects());
        }
    }
}
