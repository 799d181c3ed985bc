package dev.parley.timeout;

import static dev.parley.spi.Chain.Operation.CHAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.LlmException;
import dev.parley.LlmTimeoutException;
import dev.parley.retry.RetryPolicy;
import dev.parley.spi.CallScope;
import dev.parley.spi.Provider;
import dev.parley.testing.ManualTicker;
import dev.parley.testing.ScriptedProvider;

class TimeoutPolicyTest {

    private static final ChatRequest REQUEST = ChatRequest.of("gpt-test", "hi");

    private final ManualTicker time = new ManualTicker();

    private TimeoutPolicy.Builder policy() {
        return TimeoutPolicy.newBuilder().ticker(time);
    }

    /** A delegate call that blocks until interrupted, then fails as the adapters do (keeping the flag set). */
    static final class BlockingCall implements java.util.function.Function<ChatRequest, ChatResponse> {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);
        final CountDownLatch exited = new CountDownLatch(1);
        final AtomicReference<Thread> thread = new AtomicReference<>();

        @Override
        public ChatResponse apply(ChatRequest request) {
            return run(request);
        }

        ChatResponse run(ChatRequest request) {
            thread.set(Thread.currentThread());
            entered.countDown();
            try {
                new CountDownLatch(1).await();
                throw new AssertionError("unreachable");
            } catch (InterruptedException e) {
                interrupted.countDown();
                Thread.currentThread().interrupt();
                throw LlmException.newBuilder(LlmException.Kind.TIMEOUT).provider("openai")
                        .message("the call was interrupted").build();
            } finally {
                exited.countDown();
            }
        }
    }

    static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(10, TimeUnit.SECONDS)) {
            fail("timed out waiting for " + what);
        }
    }

    /** Runs {@code call} on a virtual thread and {@return its outcome}. */
    static <T> CompletableFuture<T> async(java.util.function.Supplier<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(call.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void builder_outOfRangeValues_throwNamingParameterAndRange() {
        var e = assertThrows(IllegalArgumentException.class, () -> TimeoutPolicy.newBuilder().attemptTimeout(Duration.ZERO));
        assertEquals("attemptTimeout must be from 1 ms to 24 hours, got PT0S", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TimeoutPolicy.newBuilder().idleTimeout(Duration.ofDays(2)));
        assertThrows(IllegalArgumentException.class, () -> TimeoutPolicy.newBuilder().firstChunkTimeout(Duration.ofSeconds(-1)));
    }

    @Test
    void chat_delegateBlocksPastAttemptTimeout_isInterruptedAndTimeoutThrown() throws Exception {
        BlockingCall call = new BlockingCall();
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").answer(call::run).build();
        TimeoutPolicy timeouts = policy().attemptTimeout(Duration.ofSeconds(10)).build();
        Provider p = timeouts.decorate(delegate);

        CompletableFuture<ChatResponse> result = async(() -> p.chat(REQUEST));
        await(call.entered, "the call");
        time.awaitWaiters(1);
        assertEquals(List.of(Duration.ofSeconds(10)), time.waits());
        time.advance(Duration.ofSeconds(10));

        LlmTimeoutException e = assertInstanceOf(LlmTimeoutException.class, failure(result));
        assertEquals("openai: the attempt timeout of 10 s passed; the call was cancelled", e.getMessage());
        assertTrue(e.retryable());
        await(call.interrupted, "the delegate to be interrupted");
        await(call.exited, "the delegate call to end");
        time.awaitNoWaiters();
        assertEquals(new TimeoutPolicy.Stats(1, 0, 0, 0), timeouts.stats());
    }

    @Test
    void chat_overallDeadlineShorterThanAttemptTimeout_deadlineApplies() throws Exception {
        BlockingCall call = new BlockingCall();
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").answer(call::run).build();
        TimeoutPolicy timeouts = policy().attemptTimeout(Duration.ofSeconds(10)).build();
        CallScope ctx = CallScope.of(time, Duration.ofSeconds(2), true);

        CompletableFuture<ChatResponse> result = async(() -> timeouts.decorate(delegate).chat(REQUEST, ctx));
        await(call.entered, "the call");
        time.awaitWaiters(1);
        assertEquals(List.of(Duration.ofSeconds(2)), time.waits());
        time.advance(Duration.ofSeconds(2));

        LlmTimeoutException e = assertInstanceOf(LlmTimeoutException.class, failure(result));
        assertTrue(e.getMessage().contains("the overall deadline of the call passed after 2 s"), e.getMessage());
        assertFalse(e.retryable());
        await(call.interrupted, "the delegate to be interrupted");
        assertEquals(List.of(ctx), delegate.scopes(), "the call thread got the caller's scope");
        assertEquals(new TimeoutPolicy.Stats(0, 0, 0, 1), timeouts.stats());
    }

    @Test
    void chat_deadlineAlreadyPassed_failsWithoutCallingDelegate() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").reply("never").build();
        CallScope ctx = CallScope.of(time, Duration.ZERO, true);

        LlmTimeoutException e = assertThrows(LlmTimeoutException.class,
                () -> policy().build().decorate(delegate).chat(REQUEST, ctx));

        assertTrue(e.getMessage().contains("the overall deadline of the call passed before it started"), e.getMessage());
        assertEquals(0, delegate.calls(CHAT));
    }

    @Test
    void chat_callerInterruptedWhileWaiting_cancelsTheDelegateCall() throws Exception {
        BlockingCall call = new BlockingCall();
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").answer(call::run).build();
        Provider p = policy().build().decorate(delegate);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flagKept = new AtomicBoolean();

        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                p.chat(REQUEST);
            } catch (Throwable t) {
                thrown.set(t);
                flagKept.set(Thread.currentThread().isInterrupted());
            }
        });
        await(call.entered, "the call");
        caller.interrupt();
        assertTrue(caller.join(Duration.ofSeconds(10)));

        LlmTimeoutException e = assertInstanceOf(LlmTimeoutException.class, thrown.get());
        assertTrue(e.getMessage().contains("interrupted while waiting for the call"), e.getMessage());
        assertFalse(e.retryable());
        assertTrue(flagKept.get(), "the interrupt flag is restored");
        await(call.interrupted, "the delegate to be interrupted");
        await(call.exited, "the delegate call to end");
        time.awaitNoWaiters();
    }

    @Test
    void chat_fastAnswer_isReturnedAndTheTimerEnds() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").reply("quick").build();
        assertEquals("quick", policy().build().decorate(delegate).chat(REQUEST).text());
        time.awaitNoWaiters();
    }

    @Test
    void chat_delegateError_passesThroughUnchanged() {
        LlmException invalid = LlmException.newBuilder(LlmException.Kind.INVALID_REQUEST).provider("openai").build();
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").fail(invalid).build();
        assertSame(invalid, assertThrows(LlmException.class, () -> policy().build().decorate(delegate).chat(REQUEST)));
        time.awaitNoWaiters();
    }

    @Test
    void embedAndModels_blockPastTimeout_timeOut() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").models(() -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            throw new AssertionError("cancelled");
        }).build();
        Provider p = policy().attemptTimeout(Duration.ofMillis(250)).build().decorate(delegate);

        CompletableFuture<?> result = async(p::models);
        time.awaitWaiters(1);
        time.advance(Duration.ofMillis(250));

        assertInstanceOf(LlmTimeoutException.class, failure(result));
        await(interrupted, "the models call to be interrupted");
    }

    @Test
    void decorate_passesNameAndCapabilitiesThrough() {
        ScriptedProvider delegate = ScriptedProvider.newBuilder("ollama").build();
        Provider p = TimeoutPolicy.newBuilder().build().decorate(delegate);
        assertEquals("ollama", p.name());
        assertEquals(delegate.capabilities(), p.capabilities());
    }

    @Test
    void retryAroundTimeout_timedOutAttempt_isRetriedAndAnswers() throws Exception {
        BlockingCall call = new BlockingCall();
        ScriptedProvider delegate = ScriptedProvider.newBuilder("openai").answer(call::run).reply("second").build();
        Provider timed = policy().attemptTimeout(Duration.ofSeconds(5)).build().decorate(delegate);
        ManualTicker retryTime = ManualTicker.autoAdvancing();
        RetryPolicy retry = RetryPolicy.newBuilder().ticker(retryTime).build();
        Provider p = retry.decorate(timed);

        CompletableFuture<ChatResponse> result = async(() -> p.chat(REQUEST));
        await(call.entered, "the first attempt");
        time.awaitWaiters(1);
        time.advance(Duration.ofSeconds(5));

        assertEquals("second", result.get(10, TimeUnit.SECONDS).text());
        await(call.exited, "the first attempt to end");
        assertEquals(new RetryPolicy.Stats(2, 1, 0), retry.stats());
    }
}
