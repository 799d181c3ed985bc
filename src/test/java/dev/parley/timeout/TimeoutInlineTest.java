package dev.parley.timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.LlmException;
import dev.parley.LlmTimeoutException;
import dev.parley.ModelInfo;
import dev.parley.spi.CallScope;
import dev.parley.internal.InterruptibleCalls;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;
import dev.parley.spi.Ticker;
import dev.parley.testing.ManualTicker;

/**
 * Timeouts around a provider whose calls end on interrupt (the built-in adapters): the call runs
 * on the caller's thread and the policy's {@link CallTimer} (the production timer, here on a
 * {@link ManualTicker}) interrupts it at the deadline, with the same outcomes as the hand-off to a
 * call thread; and the timer itself.
 */
class TimeoutInlineTest {

    private static final ChatRequest REQUEST = ChatRequest.of("gpt-test", "hi");

    /** A provider whose chat runs {@code body}, and which says whether it ends on interrupt. */
    /** The scope the last {@link Fake} call was given. */
    static final AtomicReference<CallScope> LAST_SCOPE = new AtomicReference<>();

    record Fake(boolean interruptible, Function<ChatRequest, ChatResponse> body) implements Provider, InterruptibleCalls {
        @Override
        public boolean callsEndOnInterrupt() {
            return interruptible;
        }

        @Override
        public String name() {
            return "openai";
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of(Capability.CHAT);
        }

        @Override
        public ChatResponse chat(ChatRequest request) {
            return body.apply(request);
        }

        @Override
        public ChatResponse chat(ChatRequest request, CallScope scope) {
            LAST_SCOPE.set(scope);
            return chat(request);
        }

        @Override
        public ChatStream stream(ChatRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<ModelInfo> models() {
            return List.of();
        }
    }

    static ChatResponse answer(String text) {
        return ChatResponse.newBuilder().provider("openai").model("gpt-test").text(text).build();
    }

    private final ManualTicker time = new ManualTicker();

    @Test
    void systemTicker_usesTheSharedTimer_anotherTickerATimerOfItsOwnOnIt() {
        assertSame(CallTimer.SHARED, TimeoutPolicy.newBuilder().build().timer());
        assertSame(CallTimer.SHARED, TimeoutPolicy.newBuilder().ticker(Ticker.system()).build().timer());
        CallTimer own = TimeoutPolicy.newBuilder().ticker(time).build().timer();
        assertNotSame(CallTimer.SHARED, own);
        assertSame(time, own.ticker());
    }

    @Test
    void fastAnswer_runsOnTheCallersThreadAndLeavesNoInterrupt() {
        AtomicReference<Thread> ran = new AtomicReference<>();
        Provider p = TimeoutPolicy.newBuilder().ticker(time).build().decorate(new Fake(true, r -> {
            ran.set(Thread.currentThread());
            return answer("quick");
        }));
        for (int i = 0; i < 100; i++) {
            assertEquals("quick", p.chat(REQUEST).text());
        }
        assertSame(Thread.currentThread(), ran.get());
        assertFalse(Thread.currentThread().isInterrupted());
        time.awaitNoWaiters(); // the timer ended with the last call
    }

    @Test
    void notInterruptible_stillRunsOnItsOwnThread() {
        AtomicReference<Thread> ran = new AtomicReference<>();
        Provider p = TimeoutPolicy.newBuilder().ticker(time).build().decorate(new Fake(false, r -> {
            ran.set(Thread.currentThread());
            return answer("x");
        }));
        p.chat(REQUEST);
        assertNotSame(Thread.currentThread(), ran.get());
        assertEquals(Timing.CALL_THREAD_NAME, ran.get().getName());
    }

    /** What a call on its own thread ended with: the outcome, the thread, and whether its interrupt flag was set after. */
    record Outcome(Throwable error, Thread thread, boolean interrupted) {
    }

    private static CompletableFuture<Outcome> callOnAThread(Provider p, CallScope scope) {
        return TimeoutPolicyTest.async(() -> {
            try {
                p.chat(REQUEST, scope);
                return new Outcome(null, Thread.currentThread(), Thread.interrupted());
            } catch (Throwable t) {
                return new Outcome(t, Thread.currentThread(), Thread.interrupted());
            }
        });
    }

    @Test
    void attemptTimeout_interruptsTheCallAndClearsTheTimersInterrupt() throws Exception {
        TimeoutPolicyTest.BlockingCall call = new TimeoutPolicyTest.BlockingCall();
        TimeoutPolicy timeouts = TimeoutPolicy.newBuilder().ticker(time).attemptTimeout(Duration.ofMillis(200)).build();
        Provider p = timeouts.decorate(new Fake(true, call));

        CompletableFuture<Outcome> result = callOnAThread(p, CallScope.none());
        TimeoutPolicyTest.await(call.entered, "the call");
        time.awaitWaiters(1);
        assertEquals(List.of(Duration.ofMillis(200)), time.waits(), "the timer waits for the attempt's end");
        time.advance(Duration.ofMillis(199));
        assertEquals(1, call.interrupted.getCount(), "not before the limit");
        time.advance(Duration.ofMillis(1));

        Outcome o = result.get(10, TimeUnit.SECONDS);
        LlmTimeoutException e = assertInstanceOf(LlmTimeoutException.class, o.error());
        assertEquals("openai: the attempt timeout of 200 ms passed; the call was cancelled", e.getMessage());
        assertTrue(e.retryable());
        assertSame(o.thread(), call.thread.get(), "the call ran on the caller's thread");
        assertFalse(o.interrupted(), "the timer's interrupt is not left on the caller");
        assertEquals(new TimeoutPolicy.Stats(1, 0, 0, 0), timeouts.stats());
        time.awaitNoWaiters();
    }

    @Test
    void overallDeadline_appliesWhenShorter_notRetryable() throws Exception {
        TimeoutPolicyTest.BlockingCall call = new TimeoutPolicyTest.BlockingCall();
        TimeoutPolicy timeouts = TimeoutPolicy.newBuilder().ticker(time).attemptTimeout(Duration.ofSeconds(30)).build();
        Provider p = timeouts.decorate(new Fake(true, call));
        CallScope ctx = CallScope.of(time, Duration.ofMillis(150), true);

        CompletableFuture<Outcome> result = callOnAThread(p, ctx);
        TimeoutPolicyTest.await(call.entered, "the call");
        time.awaitWaiters(1);
        assertEquals(List.of(Duration.ofMillis(150)), time.waits());
        time.advance(Duration.ofMillis(150));

        Outcome o = result.get(10, TimeUnit.SECONDS);
        LlmTimeoutException e = assertInstanceOf(LlmTimeoutException.class, o.error());
        assertTrue(e.getMessage().contains("the overall deadline of the call passed after 150 ms"), e.getMessage());
        assertFalse(e.retryable());
        assertSame(ctx, LAST_SCOPE.get(), "the call got the caller's scope");
        assertFalse(o.interrupted());
        assertEquals(new TimeoutPolicy.Stats(0, 0, 0, 1), timeouts.stats());
    }

    @Test
    void callerInterrupted_cancelsTheCall_notRetryable_flagKept() throws Exception {
        TimeoutPolicyTest.BlockingCall call = new TimeoutPolicyTest.BlockingCall();
        Provider p = TimeoutPolicy.newBuilder().ticker(time).build().decorate(new Fake(true, call));
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
        assertTrue(call.entered.await(10, TimeUnit.SECONDS));
        caller.interrupt();
        assertTrue(caller.join(Duration.ofSeconds(10)));

        LlmTimeoutException e = assertInstanceOf(LlmTimeoutException.class, thrown.get());
        assertTrue(e.getMessage().contains("interrupted while waiting for the call"), e.getMessage());
        assertFalse(e.retryable());
        assertTrue(flagKept.get(), "the interrupt flag is kept");
        time.awaitNoWaiters();
    }

    @Test
    void delegateError_passesThroughUnchanged() {
        LlmException invalid = LlmException.newBuilder(LlmException.Kind.INVALID_REQUEST).provider("openai").build();
        Provider p = TimeoutPolicy.newBuilder().ticker(time).build().decorate(new Fake(true, r -> {
            throw invalid;
        }));
        assertSame(invalid, assertThrows(LlmException.class, () -> p.chat(REQUEST)));
    }

    /** Fails unless this thread is interrupted within 10 s (real time): the timer fired. */
    private static void awaitInterrupt() {
        assertThrows(InterruptedException.class, () -> new CountDownLatch(1).await(10, TimeUnit.SECONDS),
                "the timer interrupts this thread");
    }

    /** Polls (in real time, at most 10 s) until {@code state} holds. */
    private static void until(java.util.function.BooleanSupplier state, String what) {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!state.getAsBoolean()) {
            assertTrue(System.nanoTime() - giveUp < 0, "gave up waiting until " + what);
            Thread.yield();
        }
    }

    /** Moves the time on until the timer's thread has ended (an idle timer ends after an idle period without calls). */
    private static void endTimer(ManualTicker time, CallTimer timer) {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (time.waiters() > 0) {
            assertTrue(System.nanoTime() - giveUp < 0, "the timer thread did not end");
            time.advance(Duration.ofSeconds(CallTimer.IDLE_SECONDS + 1));
            Thread.yield();
        }
        assertEquals(0, timer.active());
    }

    @Test
    void timer_isNotWokenByEachShortCall_evenWhenItFoundNoCallLastTime() {
        CallTimer timer = new CallTimer(time, TimeUnit.SECONDS.toNanos(CallTimer.IDLE_SECONDS));
        // The timer thread starts, waits for the first call's deadline; that call ends; at the
        // deadline the timer finds no call and waits an idle period.
        CallTimer.Entry first = timer.start(timer.now() + TimeUnit.SECONDS.toNanos(600));
        time.awaitWaits(1);
        assertFalse(timer.stop(first));
        time.advance(Duration.ofSeconds(600));
        time.awaitWaits(2);
        assertEquals(Duration.ofSeconds(CallTimer.IDLE_SECONDS), time.waits().get(1));
        long before = timer.looks();
        for (int i = 0; i < 1000; i++) {
            CallTimer.Entry e = timer.start(timer.now() + TimeUnit.SECONDS.toNanos(600));
            assertFalse(timer.stop(e));
        }
        assertEquals(before, timer.looks(), "1000 calls with later deadlines did not wake it");
        // A call with a deadline before the end of the idle period still wakes it.
        CallTimer.Entry soon = timer.start(timer.now() + TimeUnit.MILLISECONDS.toNanos(20));
        time.awaitWaits(3);
        assertEquals(Duration.ofMillis(20), time.waits().get(2));
        time.advance(Duration.ofMillis(20));
        awaitInterrupt();
        assertTrue(timer.stop(soon));
        endTimer(time, timer);
    }

    @Test
    void timer_firesOnlyPastTheDeadline_andForgetsEndedCalls() {
        CallTimer timer = new CallTimer(time, TimeUnit.SECONDS.toNanos(CallTimer.IDLE_SECONDS));
        // Calls that end in time are never interrupted, whatever their order of deadlines.
        for (int i = 0; i < 1000; i++) {
            CallTimer.Entry e = timer.start(timer.now() + TimeUnit.SECONDS.toNanos(10 + i % 7));
            assertFalse(timer.stop(e));
        }
        assertEquals(0, timer.active());
        assertFalse(Thread.currentThread().isInterrupted());

        // A long deadline does not hide a shorter one that starts later.
        CallTimer.Entry longOne = timer.start(timer.now() + TimeUnit.SECONDS.toNanos(60));
        CallTimer.Entry shortOne = timer.start(timer.now() + TimeUnit.MILLISECONDS.toNanos(50));
        until(() -> time.waiters() == 1 && time.waits().getLast().equals(Duration.ofMillis(50)),
                "the timer waits for the short deadline");
        time.advance(Duration.ofMillis(49));
        assertFalse(Thread.currentThread().isInterrupted(), "not before the deadline");
        time.advance(Duration.ofMillis(1));
        awaitInterrupt();
        assertTrue(timer.stop(shortOne));
        assertFalse(timer.stop(longOne));
        assertEquals(0, timer.active());
        endTimer(time, timer);
    }

    @Test
    void timerWithNoIdlePeriod_endsItsThreadWithTheLastCall() {
        CallTimer timer = new CallTimer(time, 0);
        CallTimer.Entry e = timer.start(timer.now() + TimeUnit.SECONDS.toNanos(60));
        time.awaitWaiters(1);
        assertFalse(timer.stop(e));
        time.awaitNoWaiters(); // without the time moving
        assertEquals(List.of(Duration.ofSeconds(60)), time.waits());
    }
}
