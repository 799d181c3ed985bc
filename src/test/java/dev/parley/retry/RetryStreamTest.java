package dev.parley.retry;

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
import dev.parley.spi.CallScope;
import dev.parley.retry.testing.ManualPublisher;
import dev.parley.retry.testing.ManualTime;
import dev.parley.retry.testing.ScriptedProvider;
import dev.parley.support.TestSubscriber;

class RetryStreamTest {

    private static final ChatRequest REQUEST = ChatRequest.of("gpt-test", "hi");

    private final ManualTime time = new ManualTime();

    private RetryPolicy.Builder policy() {
        return RetryPolicy.newBuilder().clock(time).sleeper(time).jitter(RetryPolicy.Jitter.NONE);
    }

    private static List<String> texts(List<ChatChunk> chunks) {
        return chunks.stream().map(ChatChunk::textDelta).toList();
    }

    @Test
    void stream_failsBeforeFirstChunk_isRetriedOnANewDelegateStream() {
        ScriptedProvider delegate = new ScriptedProvider("openai")
                .thenStreamFail(RetryPolicyTest.http(503)).thenStreamFail(RetryPolicyTest.http(500))
                .thenStreamTexts("Hel", "lo");
        RetryPolicy retry = policy().build();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(Long.MAX_VALUE);

        retry.decorate(delegate).stream(REQUEST).subscribe(sub);

        assertEquals(List.of("Hel", "lo"), texts(sub.awaitCompletion()));
        assertEquals(3, delegate.streamCalls.get());
        assertEquals(List.of(Duration.ofMillis(500), Duration.ofSeconds(1)), time.sleeps());
        assertEquals(new RetryPolicy.Stats(3, 2, 0), retry.stats());
    }

    @Test
    void stream_failsAfterFirstChunk_passesErrorThroughWithoutRetry() {
        ManualPublisher upstream = new ManualPublisher();
        ScriptedProvider delegate = new ScriptedProvider("openai").thenStream(r -> upstream).thenStreamTexts("never");
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(10);
        policy().build().decorate(delegate).stream(REQUEST).subscribe(sub);
        upstream.awaitRequested(1);

        upstream.send("partial");
        LlmException cut = RetryPolicyTest.http(503);
        upstream.error(cut);

        assertSame(cut, sub.awaitError());
        assertEquals(List.of("partial"), texts(sub.items()));
        assertEquals(1, delegate.streamCalls.get());
    }

    @Test
    void stream_nonRetryableEarlyFailure_isDeliveredAsItIs() {
        LlmException invalid = RetryPolicyTest.http(400);
        ScriptedProvider delegate = new ScriptedProvider("openai").thenStreamFail(invalid).thenStreamTexts("never");
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        policy().build().decorate(delegate).stream(REQUEST).subscribe(sub);
        assertSame(invalid, sub.awaitError());
        assertEquals(1, delegate.streamCalls.get());
    }

    @Test
    void stream_attemptsExhausted_deliversCopyWithAttemptCount() {
        ScriptedProvider delegate = new ScriptedProvider("openai").thenStreamFail(RetryPolicyTest.http(500));
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
        ScriptedProvider delegate = new ScriptedProvider("openai").thenStream(r -> first).thenStream(r -> second);
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
        ManualTime blocking = new ManualTime().blocking();
        ScriptedProvider delegate = new ScriptedProvider("openai")
                .thenStreamFail(RetryPolicyTest.http(503)).thenStreamTexts("never");
        RetryPolicy retry = RetryPolicy.newBuilder().clock(blocking).sleeper(blocking).build();
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        retry.decorate(delegate).stream(REQUEST).subscribe(sub);
        blocking.awaitSleepers(1);

        sub.cancel();

        blocking.awaitNoSleepers();
        assertEquals(1, delegate.streamCalls.get());
        sub.assertNotTerminated();
        sub.assertNoViolations();
    }

    @Test
    void stream_cancelDuringAttempt_cancelsTheDelegateStream() {
        ManualPublisher upstream = new ManualPublisher();
        ScriptedProvider delegate = new ScriptedProvider("openai").thenStream(r -> upstream);
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        policy().build().decorate(delegate).stream(REQUEST).subscribe(sub);
        upstream.awaitRequested(1);

        sub.cancel();

        upstream.awaitCancelled();
    }

    @Test
    void stream_retryWouldPassDeadline_givesUp() {
        ScriptedProvider delegate = new ScriptedProvider("openai")
                .thenStreamFail(RetryPolicyTest.http(503)).thenStreamTexts("never");
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
        ScriptedProvider delegate = new ScriptedProvider("openai")
                .thenStreamFail(RetryPolicyTest.http(503))
                .thenStream(r -> ChatStream.ofChunks("openai", List.of(ChatChunk.ofText("ok"))));
        ChatStream stream = policy().build().decorate(delegate).stream(REQUEST, ctx);
        delegate.lastScope = null;

        assertEquals("ok", stream.collect().text());
        assertEquals(2, delegate.streamCalls.get());
        assertSame(ctx, delegate.lastScope, "the retry's stream was made in the call's scope");
    }

    @Test
    void stream_delegateCannotStream_throwsAtOnce() {
        LlmException unsupported = LlmException.newBuilder(LlmException.Kind.UNSUPPORTED).provider("x").build();
        ScriptedProvider delegate = new ScriptedProvider("x").thenStream(r -> {
            throw unsupported;
        });
        assertSame(unsupported, assertThrows(LlmException.class, () -> policy().build().decorate(delegate).stream(REQUEST)));
    }
}
