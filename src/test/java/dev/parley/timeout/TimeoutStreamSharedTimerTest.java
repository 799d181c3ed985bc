package dev.parley.timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatStream;
import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.LlmTimeoutException;
import dev.parley.internal.flow.Relay;
import dev.parley.retry.testing.ManualPublisher;
import dev.parley.spi.CallScope;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.TestSubscriber;
import dev.parley.testing.ManualTicker;
import dev.parley.testing.ScriptedProvider;

/**
 * Stream timeouts in real time, on the system ticker: every stream is a task on the shared
 * {@link CallTimer}, and fails on time with the same errors as on a test's ticker.
 */
class TimeoutStreamSharedTimerTest {

    private static final ChatRequest REQUEST = ChatRequest.of("gpt-test", "hi");

    /** Records when the error arrived. */
    private static final class Timed implements Flow.Subscriber<ChatChunk> {
        final CountDownLatch done = new CountDownLatch(1);
        final List<ChatChunk> items = Collections.synchronizedList(new ArrayList<>());
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final AtomicLong errorAt = new AtomicLong();
        /** Taken before subscribing: the watch starts after it. */
        final long subscribedAt = System.nanoTime();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(5);
        }

        @Override
        public void onNext(ChatChunk item) {
            items.add(item);
        }

        @Override
        public void onError(Throwable t) {
            errorAt.set(System.nanoTime());
            error.set(t);
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }

        Throwable awaitError() throws InterruptedException {
            assertTrue(done.await(20, TimeUnit.SECONDS), "no terminal signal");
            return error.get();
        }
    }

    @Test
    void manyStalledStreams_failOnTheFirstChunkTimeout_fromTheSharedTimer() throws Exception {
        int n = 200;
        Duration limit = Duration.ofMillis(800);
        TimeoutPolicy timeouts = TimeoutPolicy.newBuilder().firstChunkTimeout(limit).build();
        assertSame(CallTimer.SHARED, timeouts.timer());
        List<ManualPublisher> upstreams = Collections.synchronizedList(new ArrayList<>());
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").stream(r -> {
            ManualPublisher p = new ManualPublisher();
            upstreams.add(p);
            return p;
        }).build();
        int active = CallTimer.SHARED.active();

        List<Timed> subs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Timed sub = new Timed();
            timeouts.decorate(delegate).stream(REQUEST).subscribe(sub);
            subs.add(sub);
        }
        int timed = CallTimer.SHARED.active() - active;

        for (Timed sub : subs) {
            LlmTimeoutException e = assertInstanceOf(LlmTimeoutException.class, sub.awaitError());
            assertEquals("openai: no first chunk within the first-chunk timeout of 800 ms; the stream was cancelled",
                    e.getMessage());
            long waited = sub.errorAt.get() - sub.subscribedAt;
            assertTrue(waited >= limit.toNanos(), "failed after " + waited + " ns, before the limit");
        }
        for (ManualPublisher up : upstreams) {
            up.awaitCancelled();
        }
        // Each stream was an entry on the shared timer (unless it already expired).
        assertTrue(timed > 0 && timed <= n, timed + " streams on the timer");
        assertEquals(active, CallTimer.SHARED.active());
        assertEquals(new TimeoutPolicy.Stats(0, n, 0, 0), timeouts.stats());
    }

    @Test
    void stalledMidway_failsOnTheIdleTimeout_afterTheChunksBefore_evenWithALongerFirstChunkTimeout() throws Exception {
        // The idle limit counts from the last chunk, even when the first-chunk limit, which the
        // timer knew of when the stream started, would end much later.
        Duration idle = Duration.ofMillis(300);
        Duration firstChunk = Duration.ofSeconds(60);
        TimeoutPolicy timeouts = TimeoutPolicy.newBuilder().firstChunkTimeout(firstChunk).idleTimeout(idle).build();
        ManualPublisher up = new ManualPublisher();
        Timed sub = new Timed();
        timeouts.decorate(ScriptedProvider.newBuilder("openai").stream(r -> up).build()).stream(REQUEST).subscribe(sub);
        up.awaitRequested(5);

        long sentAt = System.nanoTime(); // before the chunk: the idle limit counts from its arrival, after this
        up.send("a");
        LlmTimeoutException e = assertInstanceOf(LlmTimeoutException.class, sub.awaitError());

        assertEquals("openai: no chunk for the idle timeout of 300 ms; the stream was cancelled", e.getMessage());
        assertTrue(sub.errorAt.get() - sentAt >= idle.toNanos());
        assertTrue(sub.errorAt.get() - sentAt < firstChunk.toNanos() / 2, "failed on the idle limit, not at the first-chunk one");
        assertEquals(List.of("a"), sub.items.stream().map(ChatChunk::textDelta).toList());
        up.awaitCancelled();
        assertEquals(new TimeoutPolicy.Stats(0, 0, 1, 0), timeouts.stats());
    }

    @Test
    void cancelledOrCompletedStreams_leaveTheTimer() {
        TimeoutPolicy timeouts = TimeoutPolicy.newBuilder().build();
        int active = CallTimer.SHARED.active();
        ManualPublisher up = new ManualPublisher();
        TestSubscriber<ChatChunk> cancelling = new TestSubscriber<>(1);
        timeouts.decorate(ScriptedProvider.newBuilder("openai")
                .stream(r -> up).build()).stream(REQUEST).subscribe(cancelling);
        up.awaitRequested(1);
        assertEquals(active + 1, CallTimer.SHARED.active());

        cancelling.cancel();
        up.awaitCancelled();
        assertEquals(active, CallTimer.SHARED.active());

        ChatStream quick = timeouts.decorate(ScriptedProvider.newBuilder("openai")
                .chunks(List.of(ChatChunk.ofText("x"), ChatChunk.ofText("y"))).build()).stream(REQUEST);
        assertEquals("xy", quick.collect().text());
        assertEquals(active, CallTimer.SHARED.active());
        assertEquals(new TimeoutPolicy.Stats(0, 0, 0, 0), timeouts.stats());
    }

    @Test
    void deadline_followsChunksAndDemand_withoutTouchingTheTimerPerChunk() {
        ManualTicker time = new ManualTicker();
        TimeoutPolicy timeouts = TimeoutPolicy.newBuilder().ticker(time)
                .firstChunkTimeout(Duration.ofSeconds(30)).idleTimeout(Duration.ofSeconds(10)).build();
        CallTimer timer = timeouts.timer();
        StreamWatch watch = new StreamWatch(timeouts, "openai", CallScope.none(), timer);
        long s = TimeUnit.SECONDS.toNanos(1);
        watch.started(error -> { });           // at 0 s
        assertEquals(1, timer.active());
        // Before the first chunk the timer looks again within an idle period (a first chunk
        // would start the shorter idle limit), and at the first-chunk limit once that is nearer.
        assertEquals(10 * s, watch.deadline(0));
        assertEquals(30 * s, watch.deadline(25 * s));

        time.advance(Duration.ofSeconds(5));
        watch.requested(2);
        watch.received(ChatChunk.ofText("a")); // at 5 s
        assertEquals(15 * s, watch.deadline(time.nanos()), "idle deadline after the chunk");

        time.advance(Duration.ofSeconds(1));
        watch.received(ChatChunk.ofText("b")); // at 6 s, demand used up: paused, looked at again an idle period later
        assertEquals(16 * s, watch.deadline(6 * s));
        assertEquals(30 * s, watch.deadline(20 * s));

        time.advance(Duration.ofSeconds(4));
        watch.requested(1);                    // at 10 s, demand resumed: the gap starts now
        assertEquals(20 * s, watch.deadline(time.nanos()), "idle deadline after demand resumed");

        time.advance(Duration.ofSeconds(2));
        watch.received(ChatChunk.ofText("c")); // at 12 s: paused again
        time.advance(Duration.ofSeconds(3));
        watch.requested(Long.MAX_VALUE);       // at 15 s, resumed with unbounded demand: the gap starts now too
        assertEquals(25 * s, watch.deadline(16 * s), "idle deadline after unbounded demand resumed");

        watch.ended(Relay.End.COMPLETED, null);
        assertEquals(0, timer.active());
        time.awaitNoWaiters();
    }

    @Test
    void hungServer_streamFailsAtTheOverallDeadline_notRetryable() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = Collections.synchronizedList(new ArrayList<>());
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(server.accept()); // read nothing, answer nothing
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            Llm llm = Llm.newBuilder()
                    .provider("openai-compatible", ProviderConfig.newBuilder()
                            .baseUrl(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1")).build())
                    .defaultModel("m")
                    .timeout(Duration.ofMillis(500))
                    .build();
            long start = System.nanoTime();
            try (ChatStream stream = llm.stream("hi")) {
                LlmException e = assertInstanceOf(LlmTimeoutException.class,
                        org.junit.jupiter.api.Assertions.assertThrows(LlmException.class, () -> stream.iterator().hasNext()));
                assertTrue(e.getMessage().contains("overall deadline"), e.getMessage());
                assertFalse(e.retryable());
            }
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(500));
            server.close();
            acceptor.join();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
