package dev.parley.timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatStream;
import dev.parley.LlmTimeoutException;
import dev.parley.retry.testing.ManualPublisher;
import dev.parley.spi.CallScope;
import dev.parley.support.TestSubscriber;
import dev.parley.testing.ManualTicker;
import dev.parley.testing.ScriptedProvider;

class TimeoutStreamTest {

    private static final ChatRequest REQUEST = ChatRequest.of("gpt-test", "hi");

    private final ManualTicker time = new ManualTicker();
    private final ManualPublisher upstream = new ManualPublisher();
    private final ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").stream(r -> upstream).build();

    private TimeoutPolicy policy() {
        return TimeoutPolicy.newBuilder().ticker(time)
                .firstChunkTimeout(Duration.ofSeconds(30)).idleTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void stream_stallsBeforeFirstChunk_failsWithFirstChunkTimeoutAndCancelsDelegate() {
        TimeoutPolicy timeouts = policy();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(5);
        timeouts.decorate(delegate).stream(REQUEST).subscribe(sub);
        upstream.awaitRequested(5);
        time.awaitWaiters(1);

        time.advance(Duration.ofSeconds(30));

        LlmTimeoutException e = assertInstanceOf(LlmTimeoutException.class, sub.awaitError());
        assertEquals("openai: no first chunk within the first-chunk timeout of 30 s; the stream was cancelled",
                e.getMessage());
        assertTrue(e.retryable());
        upstream.awaitCancelled();
        time.awaitNoWaiters();
        assertEquals(new TimeoutPolicy.Stats(0, 1, 0, 0), timeouts.stats());
    }

    @Test
    void stream_attemptTimeoutShorterThanFirstChunkTimeout_boundsTheWaitForTheFirstChunk() {
        TimeoutPolicy timeouts = TimeoutPolicy.newBuilder().ticker(time)
                .attemptTimeout(Duration.ofSeconds(20)).firstChunkTimeout(Duration.ofSeconds(30))
                .idleTimeout(Duration.ofSeconds(10)).build();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(5);
        timeouts.decorate(delegate).stream(REQUEST).subscribe(sub);
        upstream.awaitRequested(5);
        time.awaitWaiters(1);

        time.advance(Duration.ofSeconds(20));

        LlmTimeoutException e = assertInstanceOf(LlmTimeoutException.class, sub.awaitError());
        assertEquals("openai: no first chunk within the attempt timeout of 20 s; the stream was cancelled",
                e.getMessage());
        assertTrue(e.retryable());
        upstream.awaitCancelled();
        assertEquals(new TimeoutPolicy.Stats(1, 0, 0, 0), timeouts.stats());
    }

    @Test
    void stream_attemptTimeout_doesNotCutAStreamThatIsFlowing() {
        TimeoutPolicy timeouts = TimeoutPolicy.newBuilder().ticker(time)
                .attemptTimeout(Duration.ofSeconds(20)).firstChunkTimeout(Duration.ofSeconds(30))
                .idleTimeout(Duration.ofSeconds(10)).build();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(100);
        timeouts.decorate(delegate).stream(REQUEST).subscribe(sub);
        upstream.awaitRequested(100);
        for (int i = 0; i < 6; i++) { // 6 chunks 5 s apart: 30 s in all, past the attempt timeout
            upstream.send("c" + i);
            time.advance(Duration.ofSeconds(5));
        }
        upstream.complete();

        sub.awaitCompletion();
        assertEquals(6, sub.items().size());
        assertEquals(new TimeoutPolicy.Stats(0, 0, 0, 0), timeouts.stats());
    }

    @Test
    void stream_stallsMidway_failsWithIdleTimeoutAfterTheChunksBefore() {
        TimeoutPolicy timeouts = policy();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(5);
        timeouts.decorate(delegate).stream(REQUEST).subscribe(sub);
        upstream.awaitRequested(5);
        time.awaitWaits(1); // first-chunk deadline, 30 s

        upstream.send("a");              // at 0 s: the idle deadline becomes 10 s
        time.advance(Duration.ofSeconds(30)); // the timer wakes at 30 s: 20 s idle already
        LlmTimeoutException e = assertInstanceOf(LlmTimeoutException.class, sub.awaitError());

        assertEquals("openai: no chunk for the idle timeout of 10 s; the stream was cancelled", e.getMessage());
        assertEquals(List.of("a"), sub.items().stream().map(ChatChunk::textDelta).toList());
        upstream.awaitCancelled();
        assertEquals(new TimeoutPolicy.Stats(0, 0, 1, 0), timeouts.stats());
    }

    @Test
    void stream_chunksWithinIdleTimeout_keepItAlive() {
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(5);
        policy().decorate(delegate).stream(REQUEST).subscribe(sub);
        upstream.awaitRequested(5);
        time.awaitWaits(1);                    // waiting an idle period, until 10 s: a first
                                                   // chunk would start the (shorter) idle limit
        time.advance(Duration.ofSeconds(20));      // 20 s: no chunk yet, waits till 30 s (first chunk)
        time.awaitWaits(2);
        upstream.send("a");                        // idle deadline 30 s
        time.advance(Duration.ofSeconds(8));       // 28 s
        upstream.send("b");                        // idle deadline 38 s
        time.advance(Duration.ofSeconds(8));       // 36 s: the timer wakes at 30, waits till 38
        time.awaitWaits(3);
        sub.assertNotTerminated();
        assertEquals(List.of(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(2)), time.waits());

        upstream.send("c");                        // idle deadline 46 s
        upstream.complete();

        assertEquals(3, sub.awaitCompletion().size());
        time.awaitNoWaiters();
    }

    @Test
    void stream_subscriberWithoutDemand_pausesTheIdleTimer() {
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        policy().decorate(delegate).stream(REQUEST).subscribe(sub);
        upstream.awaitRequested(1);
        time.awaitWaits(1);
        upstream.send("a");                        // demand used up: the idle timer pauses

        time.advance(Duration.ofSeconds(100));
        time.awaitWaits(2);
        sub.assertNotTerminated();

        sub.request(1);                            // demand resumes at 100 s: deadline 110 s
        upstream.awaitRequested(2);
        time.advance(Duration.ofSeconds(5));
        sub.assertNotTerminated();
        time.advance(Duration.ofSeconds(10));
        assertInstanceOf(LlmTimeoutException.class, sub.awaitError());
    }

    @Test
    void stream_overallDeadlineBeforeFirstChunkTimeout_failsAtTheDeadline() {
        TimeoutPolicy timeouts = policy();
        CallScope ctx = CallScope.of(time, Duration.ofSeconds(5), true);
        ChatStream stream = timeouts.decorate(delegate).stream(REQUEST, ctx);
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        stream.subscribe(sub);
        time.awaitWaiters(1);
        assertEquals(List.of(Duration.ofSeconds(5)), time.waits());

        time.advance(Duration.ofSeconds(5));

        LlmTimeoutException e = assertInstanceOf(LlmTimeoutException.class, sub.awaitError());
        assertTrue(e.getMessage().contains("overall deadline"), e.getMessage());
        assertFalse(e.retryable());
        assertEquals(1, timeouts.stats().deadlineTimeouts());
    }

    @Test
    void stream_cancelledBySubscriber_cancelsDelegateAndLeavesTheTimer() {
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        policy().decorate(delegate).stream(REQUEST).subscribe(sub);
        upstream.awaitRequested(1);
        time.awaitWaiters(1);

        sub.cancel();

        upstream.awaitCancelled();
        time.awaitNoWaiters();
        sub.assertNotTerminated();
    }

    @Test
    void stream_completesNormally_leavesTheTimer() {
        ScriptedProvider quick = ScriptedProvider.newBuilder("openai")
                .chunks(List.of(ChatChunk.ofText("x"), ChatChunk.ofText("y"))).build();
        ChatStream stream = policy().decorate(quick).stream(REQUEST);
        assertEquals("xy", stream.collect().text());
        time.awaitNoWaiters();
    }

    @Test
    void stream_timeoutRacingDelegateCompletion_deliversExactlyOneTerminalSignal() throws Exception {
        for (int i = 0; i < 200; i++) {
            ManualTicker t = new ManualTicker();
            ManualPublisher up = new ManualPublisher();
            ScriptedProvider d = ScriptedProvider.newBuilder("openai").stream(r -> up).build();
            TimeoutPolicy timeouts = TimeoutPolicy.newBuilder().ticker(t)
                    .firstChunkTimeout(Duration.ofSeconds(1)).build();
            TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
            timeouts.decorate(d).stream(REQUEST).subscribe(sub);
            up.awaitRequested(1);
            t.awaitWaiters(1);
            CountDownLatch go = new CountDownLatch(1);
            Thread completer = Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                up.complete();
            });
            go.countDown();
            t.advance(Duration.ofSeconds(1));
            completer.join();
            sub.awaitTerminal();
            t.awaitNoWaiters();
            sub.assertNoViolations();
        }
    }
}
