package dev.parley.retry;

import static dev.parley.spi.Chain.Operation.STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatStream;
import dev.parley.LlmException;
import dev.parley.retry.testing.ManualPublisher;
import dev.parley.spi.CallScope;
import dev.parley.spi.Capability;
import dev.parley.support.TestSubscriber;
import dev.parley.testing.ManualTicker;
import dev.parley.testing.ScriptedProvider;
import java.util.Set;

class RetryStreamTest {

    private static final ChatRequest REQUEST = ChatRequest.of("gpt-test", "hi");

    private final ManualTicker time = ManualTicker.autoAdvancing();

    private RetryPolicy.Builder policy() {
        return RetryPolicy.newBuilder().ticker(time).jitter(RetryPolicy.Jitter.NONE);
    }

    private static List<String> texts(List<ChatChunk> chunks) {
        return chunks.stream().map(ChatChunk::textDelta).toList();
    }

    @Test
    void stream_failsBeforeFirstChunk_isRetriedOnANewDelegateStream() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .fail(RetryPolicyTest.http(503)).fail(RetryPolicyTest.http(500))
                .chunks(List.of(ChatChunk.ofText("Hel"), ChatChunk.ofText("lo"))).build();
        RetryPolicy retry = policy().build();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(Long.MAX_VALUE);

        retry.decorate(delegate).stream(REQUEST).subscribe(sub);

        assertEquals(List.of("Hel", "lo"), texts(sub.awaitCompletion()));
        assertEquals(3, delegate.calls(STREAM));
        assertEquals(List.of(Duration.ofMillis(500), Duration.ofSeconds(1)), time.sleeps());
        assertEquals(new RetryPolicy.Stats(3, 2, 0), retry.stats());
    }

    @Test
    void stream_failsAfterFirstChunk_passesErrorThroughWithoutRetry() {
        ManualPublisher upstream = new ManualPublisher();
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .stream(r -> upstream).chunks(List.of(ChatChunk.ofText("never"))).build();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(10);
        policy().build().decorate(delegate).stream(REQUEST).subscribe(sub);
        upstream.awaitRequested(1);

        upstream.send("partial");
        LlmException cut = RetryPolicyTest.http(503);
        upstream.error(cut);

        assertSame(cut, sub.awaitError());
        assertEquals(List.of("partial"), texts(sub.items()));
        assertEquals(1, delegate.calls(STREAM));
    }

    @Test
    void stream_nonRetryableEarlyFailure_isDeliveredAsItIs() {
        LlmException invalid = RetryPolicyTest.http(400);
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .fail(invalid).chunks(List.of(ChatChunk.ofText("never"))).build();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        policy().build().decorate(delegate).stream(REQUEST).subscribe(sub);
        assertSame(invalid, sub.awaitError());
        assertEquals(1, delegate.calls(STREAM));
    }

    @Test
    void stream_attemptsExhausted_deliversCopyWithAttemptCount() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").fail(RetryPolicyTest.http(500)).build();
        RetryPolicy retry = policy().maxAttempts(2).build();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        retry.decorate(delegate).stream(REQUEST).subscribe(sub);

        LlmException e = assertInstanceOf(LlmException.class, sub.awaitError());
        assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());

        assertTrue(e.getMessage().contains("(gave up after 2 attempts)"), e.getMessage());
        assertEquals(new RetryPolicy.Stats(2, 1, 1), retry.stats());
    }

    @Test
    void stream_retry_carriesOutstandingDemandToTheNewAttempt() {
        ManualPublisher first = new ManualPublisher();
        ManualPublisher second = new ManualPublisher();
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .stream(r -> first).stream(r -> second).build();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(3);
        policy().build().decorate(delegate).stream(REQUEST).subscribe(sub);
        first.awaitRequested(3);

        first.error(RetryPolicyTest.http(503));
        second.awaitSubscribed();
        second.awaitRequested(3);
        sub.request(2);
        second.awaitRequested(5);
        for (String t : List.of("a", "b", "c", "d", "e")) {
            second.send(t);
        }
        second.complete();

        assertEquals(List.of("a", "b", "c", "d", "e"), texts(sub.awaitCompletion()));
        assertEquals(5, second.requested.get());
    }

    @Test
    void stream_cancelledWhileWaitingToRetry_stopsTheWaitAndOpensNoNewAttempt() {
        ManualTicker blocking = new ManualTicker();
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .fail(RetryPolicyTest.http(503)).chunks(List.of(ChatChunk.ofText("never"))).build();
        RetryPolicy retry = RetryPolicy.newBuilder().ticker(blocking).build();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        retry.decorate(delegate).stream(REQUEST).subscribe(sub);
        blocking.awaitWaiters(1);

        sub.cancel();

        blocking.awaitNoWaiters();
        assertEquals(1, delegate.calls(STREAM));
        sub.assertNotTerminated();
        sub.assertNoViolations();
    }

    @Test
    void stream_cancelDuringAttempt_cancelsTheDelegateStream() {
        ManualPublisher upstream = new ManualPublisher();
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").stream(r -> upstream).build();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        policy().build().decorate(delegate).stream(REQUEST).subscribe(sub);
        upstream.awaitRequested(1);

        sub.cancel();

        upstream.awaitCancelled();
    }

    @Test
    void stream_retryWouldPassDeadline_givesUp() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .fail(RetryPolicyTest.http(503)).chunks(List.of(ChatChunk.ofText("never"))).build();
        CallScope ctx = CallScope.of(time, Duration.ofMillis(100), true);
        ChatStream stream = policy().build().decorate(delegate).stream(REQUEST, ctx);
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        stream.subscribe(sub);

        LlmException e = assertInstanceOf(LlmException.class, sub.awaitError());
        assertEquals(LlmException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("the next retry would pass the deadline"), e.getMessage());
    }

    @Test
    void stream_retriedAttempt_getsTheCallsScope() {
        CallScope ctx = CallScope.of(time, Duration.ofMinutes(5), false);
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai")
                .fail(RetryPolicyTest.http(503))
                .stream(r -> ChatStream.ofChunks("openai", List.of(ChatChunk.ofText("ok")))).build();
        ChatStream stream = policy().build().decorate(delegate).stream(REQUEST, ctx);

        assertEquals("ok", stream.collect().text());
        assertEquals(2, delegate.calls(STREAM));
        assertEquals(List.of(ctx, ctx), delegate.scopes(), "the retry's stream was made in the call's scope");
    }

    @Test
    void stream_delegateCannotStream_throwsAtOnce() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("x").capabilities(Set.of(Capability.CHAT)).build();
        LlmException e = assertThrows(LlmException.class, () -> policy().build().decorate(delegate).stream(REQUEST));
        assertEquals(LlmException.Kind.UNSUPPORTED, e.kind());
        assertEquals("x", e.provider());
        assertTrue(e.getMessage().contains("streaming is not enabled for this ScriptedProvider"), e.getMessage());
    }
}
