package dev.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.parley.support.CountingHttpServer;
import dev.parley.support.CountingHttpServer.Reply;

/**
 * A stream's items start flowing from the HTTP client's own thread once the response head is
 * read, not after {@code sendAsync}'s future has been handed to the common pool (one more
 * hand-off per stream; on a 2-core machine the common pool has one thread, and every stream's
 * start queued for it).
 */
@Timeout(60)
class StreamStartTest {

    @Test
    void theFirstItemIsNotDeliveredFromTheCommonPool() throws Exception {
        byte[] body = "data: one\n\ndata: two\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
        try (CountingHttpServer server = CountingHttpServer.start(r -> Reply.chunked(200, "text/event-stream", body,
                Duration.ofMillis(50)))) {
            for (int i = 0; i < 10; i++) {
                HttpRequest request = Transport.request(server.uri("/")).build();
                var items = Transport.<String>stream(Transport.sharedClient(), request, "p", null,
                        (headers, bytes) -> DecodingPublisher.sse(bytes,
                                (SseEvent event, FrameMapper.Output<String> out) -> {
                                    if (event.data().equals("[DONE]")) {
                                        out.end();
                                    } else {
                                        out.emit(event.data());
                                    }
                                }));
                AtomicReference<Thread> firstOn = new AtomicReference<>();
                List<String> got = new ArrayList<>();
                CountDownLatch done = new CountDownLatch(1);
                items.subscribe(new Flow.Subscriber<>() {
                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        s.request(Long.MAX_VALUE);
                    }

                    @Override
                    public void onNext(String item) {
                        firstOn.compareAndSet(null, Thread.currentThread());
                        got.add(item);
                    }

                    @Override
                    public void onError(Throwable t) {
                        got.add("error: " + t);
                        done.countDown();
                    }

                    @Override
                    public void onComplete() {
                        done.countDown();
                    }
                });
                assertTrue(done.await(20, TimeUnit.SECONDS));
                assertEquals(List.of("one", "two"), got);
                Thread t = firstOn.get();
                assertFalse(t instanceof ForkJoinWorkerThread w && w.getPool() == ForkJoinPool.commonPool(),
                        "the first item came from " + t);
            }
        }
    }
}
