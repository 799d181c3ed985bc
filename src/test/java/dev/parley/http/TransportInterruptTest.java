package dev.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.parley.LlmException;

/**
 * Interrupting a thread blocked in {@link Transport#send} aborts the HTTP exchange: the server
 * sees the connection close. The timeout policy relies on this to stop an attempt.
 */
@Timeout(60)
class TransportInterruptTest {

    @Test
    void interruptingASend_closesTheConnection() throws Exception {
        CountDownLatch requested = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        int c = in.read();
                        if (c < 0) {
                            return;
                        }
                        head.append((char) c);
                    }
                    requested.countDown();
                    // Never answer; wait for the client to give up and close.
                    while (in.read() >= 0) {
                        // discard the body, if any
                    }
                    closed.countDown();
                } catch (Exception e) {
                    closed.countDown();
                }
            });
            URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/chat/completions");
            HttpRequest request = Transport.request(uri).POST(HttpRequest.BodyPublishers.ofString("{}", StandardCharsets.UTF_8)).build();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = Thread.ofVirtual().start(() -> {
                try {
                    Transport.send(Transport.sharedClient(), request, "test", null);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            assertTrue(requested.await(10, TimeUnit.SECONDS), "the request reached the server");
            caller.interrupt();
            caller.join(10_000);
            LlmException e = assertInstanceOf(LlmException.class, thrown.get());
            assertEquals(LlmException.Kind.TIMEOUT, e.kind());
            assertTrue(closed.await(15, TimeUnit.SECONDS), "the server saw the connection close");
            acceptor.join(5_000);
        }
    }
}
