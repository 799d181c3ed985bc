package dev.parley.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
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

/**
 * Timeouts in real time around a provider whose calls end on interrupt (the built-in adapters):
 * the call runs on the caller's thread and the shared {@link CallTimer} interrupts it at the
 * deadline, with the same outcomes as the hand-off to a call thread.
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

    @Test
    void realTime_onlyWithTheSystemClockAndSleeper() {
        assertTrue(TimeoutPolicy.newBuilder().build().realTime());
        assertTrue(TimeoutPolicy.newBuilder().clock(Clock.systemDefaultZone()).build().realTime());
        assertFalse(TimeoutPolicy.newBuilder().sleeper(d -> { }).build().realTime());
        assertFalse(TimeoutPolicy.newBuilder().clock(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(1))).build().realTime());
    }

    @Test
    void fastAnswer_runsOnTheCallersThreadAndLeavesNoInterrupt() {
        AtomicReference<Thread> ran = new AtomicReference<>();
        Provider p = TimeoutPolicy.newBuilder().build().decorate(new Fake(true, r -> {
            ran.set(Thread.currentThread());
            return answer("quick");
        }));
        for (int i = 0; i < 100; i++) {
            assertEquals("quick", p.chat(REQUEST).text());
        }
        assertSame(Thread.currentThread(), ran.get());
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void notInterruptible_stillRunsOnItsOwnThread() {
        AtomicReference<Thread> ran = new AtomicReference<>();
        Provider p = TimeoutPolicy.newBuilder().build().decorate(new Fake(false, r -> {
            ran.set(Thread.currentThread());
            return answer("x");
        }));
        p.chat(REQUEST);
        assertNotSame(Thread.currentThread(), ran.get());
        assertEquals(Timing.CALL_THREAD_NAME, ran.get().getName());
    }

    @Test
    void attemptTimeout_interruptsTheCallAndClearsTheTimersInterrupt() throws Exception {
        TimeoutPolicyTest.BlockingCall call = new TimeoutPolicyTest.BlockingCall();
        TimeoutPolicy timeouts = TimeoutPolicy.newBuilder().attemptTimeout(Duration.ofMillis(200)).build();
        Provider p = timeouts.decorate(new Fake(true, call));
        long start = System.nanoTime();

        LlmTimeoutException e = assertThrows(LlmTimeoutException.class, () -> p.chat(REQUEST));

        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms >= 190 && ms < 5000, ms + " ms");
        assertEquals("openai: the attempt timeout of 200 ms passed; the call was cancelled", e.getMessage());
        assertTrue(e.retryable());
        assertSame(Thread.currentThread(), call.thread.get());
        assertFalse(Thread.interrupted(), "the timer's interrupt is not left on the caller");
        assertEquals(new TimeoutPolicy.Stats(1, 0, 0, 0), timeouts.stats());
    }

    @Test
    void overallDeadline_appliesWhenShorter_notRetryable() {
        TimeoutPolicyTest.BlockingCall call = new TimeoutPolicyTest.BlockingCall();
        TimeoutPolicy timeouts = TimeoutPolicy.newBuilder().attemptTimeout(Duration.ofSeconds(30)).build();
        Provider p = timeouts.decorate(new Fake(true, call));
        CallScope ctx = CallScope.of(Clock.systemUTC(), Duration.ofMillis(150), true);

        LlmTimeoutException e = assertThrows(LlmTimeoutException.class, () -> p.chat(REQUEST, ctx));

        assertTrue(e.getMessage().contains("the overall deadline of the call passed after"), e.getMessage());
        assertFalse(e.retryable());
        assertSame(ctx, LAST_SCOPE.get(), "the call got the caller's scope");
        assertFalse(Thread.interrupted());
        assertEquals(new TimeoutPolicy.Stats(0, 0, 0, 1), timeouts.stats());
    }

    @Test
    void callerInterrupted_cancelsTheCall_notRetryable_flagKept() throws Exception {
        TimeoutPolicyTest.BlockingCall call = new TimeoutPolicyTest.BlockingCall();
        Provider p = TimeoutPolicy.newBuilder().build().decorate(new Fake(true, call));
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
    }

    @Test
    void delegateError_passesThroughUnchanged() {
        LlmException invalid = LlmException.newBuilder(LlmException.Kind.INVALID_REQUEST).provider("openai").build();
        Provider p = TimeoutPolicy.newBuilder().build().decorate(new Fake(true, r -> {
            throw invalid;
        }));
        assertSame(invalid, assertThrows(LlmException.class, () -> p.chat(REQUEST)));
    }

    @Test
    void timer_isNotWokenByEachShortCall_evenWhenItFoundNoCallLastTime() throws Exception {
        CallTimer timer = new CallTimer();
        assertFalse(timer.stop(timer.start(System.nanoTime() + TimeUnit.SECONDS.toNanos(600))));
        Thread.sleep(100); // the timer thread starts, finds no call, and sleeps an idle period
        long before = timer.looks();
        for (int i = 0; i < 1000; i++) {
            CallTimer.Entry e = timer.start(System.nanoTime() + TimeUnit.SECONDS.toNanos(600));
            Thread.onSpinWait();
            assertFalse(timer.stop(e));
        }
        assertTrue(timer.looks() - before <= 2, (timer.looks() - before) + " looks for 1000 calls");
        // A call with a deadline before the end of the idle period still wakes it.
        CallTimer.Entry soon = timer.start(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20));
        try {
            Thread.sleep(5_000);
            throw new AssertionError("not interrupted");
        } catch (InterruptedException expected) {
            // fired
        }
        assertTrue(timer.stop(soon));
    }

    @Test
    void timer_firesOnlyPastTheDeadline_andForgetsEndedCalls() throws Exception {
        CallTimer timer = new CallTimer();
        // Calls that end in time are never interrupted, whatever their order of deadlines.
        for (int i = 0; i < 1000; i++) {
            CallTimer.Entry e = timer.start(System.nanoTime() + TimeUnit.SECONDS.toNanos(10 + i % 7));
            assertFalse(timer.stop(e));
        }
        assertEquals(0, timer.active());
        assertFalse(Thread.currentThread().isInterrupted());

        // A long deadline does not hide a shorter one that starts later.
        CallTimer.Entry longOne = timer.start(System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
        CallTimer.Entry shortOne = timer.start(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50));
        try {
            Thread.sleep(5_000);
            throw new AssertionError("not interrupted");
        } catch (InterruptedException expected) {
            // the timer interrupted this thread at the short deadline
        }
        assertTrue(timer.stop(shortOne));
        assertFalse(timer.stop(longOne));
        assertEquals(0, timer.active());
    }
}
