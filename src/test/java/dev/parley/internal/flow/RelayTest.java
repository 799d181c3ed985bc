package dev.parley.internal.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.ChatStream;
import dev.parley.retry.testing.ManualPublisher;
import dev.parley.support.TestSubscriber;
import dev.parley.internal.Errors;

class RelayTest {

    private static List<String> texts(List<ChatChunk> chunks) {
        return chunks.stream().map(ChatChunk::textDelta).toList();
    }

    /** Hooks that retry on the given publishers and record what they were told. */
    private static final class Recording implements Relay.Hooks<ChatChunk> {
        final List<Integer> failedAttempts = Collections.synchronizedList(new ArrayList<>());
        final List<Relay.End> ends = Collections.synchronizedList(new ArrayList<>());
        final List<ManualPublisher> next;
        volatile Relay.Control control;

        Recording(ManualPublisher... next) {
            this.next = List.of(next);
        }

        @Override
        public void started(Relay.Control control) {
            this.control = control;
        }

        @Override
        public Relay.Next<ChatChunk> failedEarly(int attempt, Throwable error) {
            failedAttempts.add(attempt);
            return attempt <= next.size() ? Relay.Next.retry(() -> next.get(attempt - 1)) : Relay.Next.fail(error);
        }

        @Override
        public void ended(Relay.End end, Throwable error) {
            ends.add(end);
        }
    }

    @Test
    void relay_subscriberRequestingOneAtATimeInOnNext_getsEverythingWithinDemand() {
        List<ChatChunk> chunks = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            chunks.add(ChatChunk.ofText(Integer.toString(i)));
        }
        Recording hooks = new Recording();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        sub.onNextDo(c -> sub.request(1));

        new Relay<>(ChatStream.ofChunks("p", chunks), hooks).subscribe(sub);

        assertEquals(1000, sub.awaitCompletion().size());
        assertEquals(List.of(Relay.End.COMPLETED), hooks.ends);
    }

    @Test
    void relay_chunksWithinDemand_passStraightThrough_andNoMoreIsAskedThanRequested() {
        ManualPublisher up = new ManualPublisher();
        Recording hooks = new Recording();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(2);
        new Relay<>(up, hooks).subscribe(sub);
        up.awaitRequested(2);

        up.send("a");
        up.send("b");
        assertEquals(List.of("a", "b"), texts(sub.items())); // delivered on the sender's thread
        assertEquals(2, up.requested.get());

        sub.request(3);
        up.awaitRequested(5);
        up.send("c");
        up.complete();

        assertEquals(List.of("a", "b", "c"), texts(sub.awaitCompletion()));
        assertEquals(5, up.requested.get());
        assertEquals(List.of(Relay.End.COMPLETED), hooks.ends);
        sub.assertNoViolations();
    }

    @Test
    void relay_chunksRacingRequestsFromAnotherThread_arriveInOrderWithinDemand() throws Exception {
        int n = 3000;
        ManualPublisher up = new ManualPublisher();
        Recording hooks = new Recording();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>();
        new Relay<>(up, hooks).subscribe(sub);
        // The producer sends each chunk as soon as it is asked for; the consumer asks for one or
        // two more from its own thread as soon as the ones before arrived, so requests and
        // deliveries meet in the relay's loop from both sides.
        Thread producer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i++) {
                up.awaitRequested(i + 1);
                up.send(Integer.toString(i));
            }
            up.complete();
        });
        int asked = 0;
        while (asked < n) {
            int more = Math.min(n - asked, 1 + asked % 2);
            sub.request(more);
            asked += more;
            sub.awaitItems(asked - 1);
        }
        List<ChatChunk> got = sub.awaitCompletion();
        producer.join();

        assertEquals(n, got.size());
        for (int i = 0; i < n; i++) {
            assertEquals(Integer.toString(i), got.get(i).textDelta());
        }
        assertEquals(n, up.requested.get());
        sub.assertNoViolations();
    }

    @Test
    void relay_cancelInOnNext_stopsDeliveryAndCancelsTheAttempt() {
        ManualPublisher up = new ManualPublisher();
        Recording hooks = new Recording();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(5);
        sub.onNextDo(c -> sub.cancel());
        new Relay<>(up, hooks).subscribe(sub);
        up.awaitRequested(5);

        up.send("a");
        up.awaitCancelled();
        up.send("b"); // in flight when the cancel landed: dropped

        assertEquals(List.of("a"), texts(sub.items()));
        sub.assertNotTerminated();
        assertEquals(List.of(Relay.End.CANCELLED), hooks.ends);
        sub.assertNoViolations();
    }

    @Test
    void relay_subscriberThrowingInOnNext_getsOnErrorAndTheAttemptIsCancelled() {
        ManualPublisher up = new ManualPublisher();
        Recording hooks = new Recording();
        IllegalStateException bug = new IllegalStateException("subscriber bug");
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(5);
        sub.onNextDo(c -> {
            throw bug;
        });
        new Relay<>(up, hooks).subscribe(sub);
        up.awaitRequested(5);

        up.send("a");

        assertSame(bug, sub.awaitError());
        up.awaitCancelled();
        assertEquals(List.of(), hooks.failedAttempts); // the subscriber's error is not retried
    }

    @Test
    void relay_signalsFromAFailedAttempt_areIgnoredAfterTheSwitch() {
        ManualPublisher first = new ManualPublisher();
        ManualPublisher second = new ManualPublisher();
        Recording hooks = new Recording(second);
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(2);
        new Relay<>(first, hooks).subscribe(sub);
        first.awaitRequested(2);

        first.error(new IllegalStateException("first failed"));
        second.awaitRequested(2);
        first.send("stale");  // a misbehaving upstream signalling after its error
        first.complete();
        second.send("fresh");
        second.complete();

        assertEquals(List.of("fresh"), texts(sub.awaitCompletion()));
        assertEquals(List.of(1), hooks.failedAttempts);
    }

    @Test
    void relay_openerThrows_countsAsTheNextAttemptsFailure() {
        ManualPublisher first = new ManualPublisher();
        IllegalStateException openFailed = new IllegalStateException("cannot open");
        List<Integer> attempts = Collections.synchronizedList(new ArrayList<>());
        Relay.Hooks<ChatChunk> hooks = new Relay.Hooks<>() {
            @Override
            public Relay.Next<ChatChunk> failedEarly(int attempt, Throwable error) {
                attempts.add(attempt);
                return attempt == 1 ? Relay.Next.retry(() -> {
                    throw openFailed;
                }) : Relay.Next.fail(error);
            }
        };
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        new Relay<>(first, hooks).subscribe(sub);
        first.awaitSubscribed();

        first.error(new IllegalStateException("first"));

        assertSame(openFailed, sub.awaitError());
        assertEquals(List.of(1, 2), attempts);
    }

    @Test
    void relay_deferredOpenerThrows_isTheFirstAttemptsFailure() {
        IllegalStateException refused = new IllegalStateException("refused");
        Recording hooks = new Recording();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);

        Relay.<ChatChunk>deferred(() -> {
            throw refused;
        }, hooks).subscribe(sub);

        assertSame(refused, sub.awaitError());
        assertEquals(List.of(Relay.End.FAILED), hooks.ends);
    }

    @Test
    void relay_controlFail_cancelsUpstreamAndDeliversOneError() {
        ManualPublisher first = new ManualPublisher();
        Recording hooks = new Recording();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        new Relay<>(first, hooks).subscribe(sub);
        first.awaitRequested(1);

        IllegalStateException stop = new IllegalStateException("stop");
        hooks.control.fail(stop);
        first.complete();

        assertSame(stop, sub.awaitError());
        first.awaitCancelled();
        assertEquals(List.of(Relay.End.FAILED), hooks.ends);
    }

    @Test
    void relay_cancelledInOnSubscribe_neverOpensAnAttemptThatStaysOpen() {
        ManualPublisher first = new ManualPublisher();
        Recording hooks = new Recording();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<ChatChunk>(1).cancelInOnSubscribe();

        new Relay<>(first, hooks).subscribe(sub);

        assertTrue(first.subscribes.get() == 0 || first.isCancelled());
        assertEquals(List.of(Relay.End.CANCELLED), hooks.ends);
    }

    @Test
    void relay_secondSubscriber_getsIllegalStateException() {
        Relay<ChatChunk> relay = new Relay<>(ChatStream.ofChunks("p", List.of()), new Recording());
        relay.subscribe(new TestSubscriber<>(1));
        TestSubscriber<ChatChunk> second = new TestSubscriber<>(1);
        relay.subscribe(second);
        assertInstanceOf(IllegalStateException.class, second.awaitError());
    }

    @Test
    void relay_hooksThrowInFailedEarly_deliversThatErrorWithTheOriginalSuppressed() {
        ManualPublisher first = new ManualPublisher();
        IllegalStateException original = new IllegalStateException("original");
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Relay.Hooks<ChatChunk> hooks = new Relay.Hooks<>() {
            @Override
            public Relay.Next<ChatChunk> failedEarly(int attempt, Throwable error) {
                seen.set(error);
                throw new IllegalArgumentException("hook bug");
            }
        };
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        new Relay<>(first, hooks).subscribe(sub);
        first.awaitSubscribed();
        first.error(original);

        Throwable e = sub.awaitError();
        assertEquals("hook bug", e.getMessage());
        assertSame(original, e.getSuppressed()[0]);
    }

    @Test
    void errors_withNote_keepsKindFieldsAndCause() {
        var original = dev.parley.LlmException.newBuilder(dev.parley.LlmException.Kind.RATE_LIMITED)
                .provider("openai").statusCode(429).errorCode("rate_limit_exceeded").providerMessage("slow down")
                .requestId("r9").retryAfter(java.time.Duration.ofSeconds(3)).build();

        var copy = Errors.withNote(original, "(gave up after 2 attempts)");

        assertInstanceOf(dev.parley.RateLimitException.class, copy);
        assertEquals("openai: rate limited (HTTP 429, rate_limit_exceeded): slow down (gave up after 2 attempts) [request id r9]",
                copy.getMessage());
        assertEquals(java.time.Duration.ofSeconds(3), copy.retryAfter());
        assertEquals("rate_limit_exceeded", copy.errorCode());
        assertSame(original, copy.getCause());
        // A second note follows the first; the message as given is never parsed back out of the composed one.
        var twice = Errors.withNote(copy, "(and more)");
        assertEquals("openai: rate limited (HTTP 429, rate_limit_exceeded): slow down (gave up after 2 attempts) (and more)"
                + " [request id r9]", twice.getMessage());
        var odd = dev.parley.LlmException.newBuilder(dev.parley.LlmException.Kind.NETWORK).provider("openai")
                .message("openai: [request id x] is part of what the server said").build();
        assertEquals("openai: openai: [request id x] is part of what the server said (gave up)",
                Errors.withNote(odd, "(gave up)").getMessage());
    }

    @Test
    void errors_format_writesDurationsForPeople() {
        assertEquals("250 ms", Errors.format(java.time.Duration.ofMillis(250)));
        assertEquals("0.5 ms", Errors.format(java.time.Duration.ofNanos(500_000)));
        assertEquals("1.5 s", Errors.format(java.time.Duration.ofMillis(1500)));
        assertEquals("30 s", Errors.format(java.time.Duration.ofSeconds(30)));
        assertEquals("2 min 5 s", Errors.format(java.time.Duration.ofSeconds(125)));
        assertEquals("1 h 30 min", Errors.format(java.time.Duration.ofMinutes(90)));
    }
}
