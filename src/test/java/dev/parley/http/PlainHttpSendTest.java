package dev.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.parley.testing.FakeLlmServer;

/**
 * Whole responses from a plain-{@code http} server, sent through the shared client, are handled
 * where they arrive: on the HTTP client's selector thread, not handed to another thread that then
 * wakes the caller (that hand-off and its wake-ups were half a sequential caller's CPU). Streams
 * and {@code https} keep the shared client and its virtual threads, and a client of the
 * application's own is used as it is.
 */
@Timeout(120)
class PlainHttpSendTest {

    private static final String BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static HttpRequest chat(URI base) {
        return Transport.request(base.resolve("/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY, StandardCharsets.UTF_8))
                .build();
    }

    @Test
    void plainHttpWholeResponses_areHandledWhereTheyAreRead_whileTheSharedClientHandsThemToAVirtualThread()
            throws Exception {
        try (FakeLlmServer server = FakeLlmServer.newBuilder().reply("plain answer").build().start()) {
            HttpRequest request = chat(server.uri());
            HttpClient plain = Transport.wholeResponseClient(Transport.sharedClient(), request);
            for (int i = 0; i < 5; i++) {
                // The caller's thread (the answer was there when it looked) or the client's selector thread.
                Thread t = bodyThread(plain, request);
                assertTrue(t == Thread.currentThread() || !t.isVirtual() && t.getName().endsWith("SelectorManager"),
                        t.toString());
            }
            // Not the shared client, which streams and https use: its tasks go to virtual threads
            // (where the JDK completes a given body there is its own choice, so it is not asserted).
            assertNotSame(Transport.sharedClient(), plain);
        }
    }

    /** {@return the thread on which {@code client} completed the body of {@code request}'s response} */
    private static Thread bodyThread(HttpClient client, HttpRequest request) throws Exception {
        AtomicReference<Thread> completedOn = new AtomicReference<>();
        HttpResponse<Void> r = client.send(request, info -> HttpResponse.BodySubscribers.fromSubscriber(
                new Flow.Subscriber<List<ByteBuffer>>() {
                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        s.request(Long.MAX_VALUE);
                    }

                    @Override
                    public void onNext(List<ByteBuffer> item) {
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onComplete() {
                        completedOn.set(Thread.currentThread());
                    }
                }));
        assertEquals(200, r.statusCode());
        return completedOn.get();
    }

    @Test
    void concurrentWholeResponses_allComplete() throws Exception {
        try (FakeLlmServer server = FakeLlmServer.newBuilder().reply("many answers").latency(Duration.ofMillis(1))
                .build().start()) {
            URI base = server.uri();
            List<Future<Integer>> calls = new ArrayList<>();
            try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < 64; t++) {
                    calls.add(callers.submit(() -> {
                        int ok = 0;
                        for (int i = 0; i < 10; i++) {
                            Transport.Response r = Transport.send(Transport.sharedClient(), chat(base), "test", null);
                            if (r.status() == 200 && new String(r.body(), StandardCharsets.UTF_8).contains("many answers")) {
                                ok++;
                            }
                        }
                        return ok;
                    }));
                }
                for (Future<Integer> f : calls) {
                    assertEquals(10, f.get(60, TimeUnit.SECONDS));
                }
            }
        }
    }

    @Test
    void onlyTheSharedClientsPlainHttpExchangesMove() {
        HttpClient shared = Transport.sharedClient();
        HttpRequest plain = Transport.request(URI.create("http://127.0.0.1:1/v1/chat/completions")).GET().build();
        HttpRequest tls = Transport.request(URI.create("https://127.0.0.1:1/v1/chat/completions")).GET().build();
        HttpRequest h2 = HttpRequest.newBuilder(URI.create("http://127.0.0.1:1/")).version(HttpClient.Version.HTTP_2)
                .GET().build();
        HttpClient own = HttpClient.newHttpClient();
        assertNotSame(shared, Transport.wholeResponseClient(shared, plain));
        assertSame(shared, Transport.wholeResponseClient(shared, tls));
        assertSame(shared, Transport.wholeResponseClient(shared, h2));
        assertSame(own, Transport.wholeResponseClient(own, plain));
    }

    @Test
    void aTaskThatThrows_goesToTheUncaughtExceptionHandler_andNotToTheSelectorLoop() throws Exception {
        AtomicReference<Throwable> handled = new AtomicReference<>();
        AtomicReference<Throwable> escaped = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        IllegalStateException boom = new IllegalStateException("boom");
        Thread t = Thread.ofPlatform().uncaughtExceptionHandler((th, e) -> handled.set(e)).unstarted(() -> {
            try {
                Transport.runHere(() -> {
                    throw boom;
                });
            } catch (Throwable e) {
                escaped.set(e);
            } finally {
                done.countDown();
            }
        });
        t.start();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        t.join(10_000);
        assertSame(boom, handled.get());
        assertEquals(null, escaped.get());
    }
}
