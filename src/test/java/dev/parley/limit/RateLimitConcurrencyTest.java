package dev.parley.limit;

import dev.parley.spi.Ticker;
import dev.parley.testing.ManualTicker;

import static dev.parley.spi.Chain.Operation.CHAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.Message;
import dev.parley.spi.Provider;
import dev.parley.testing.ScriptedProvider;

class RateLimitConcurrencyTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** What the provider answers a chat with; a test changes it before its calls. */
    private volatile Function<ChatRequest, ChatResponse> onChat =
            r -> ChatResponse.newBuilder().provider("fake").text("ok").build();
    private final ScriptedProvider fake = ScriptedProvider.newBuilder("fake").answer(r -> onChat.apply(r)).build();

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "latch timed out");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitWaiting(RateLimitPolicy policy, int n) throws InterruptedException {
        assertTrue(policy.limiter().awaitWaitingCallers(n, TIMEOUT), () -> "only " + policy.limiter().waitingCallers() + " waiting, expected " + n);
    }

    @Test
    void maxConcurrent_thousandVirtualThreads_neverExceedTheLimit() throws Exception {
        RateLimitPolicy policy = RateLimitPolicy.newBuilder().maxConcurrent(8).build();
        Provider p = policy.decorate(fake);
        onChat = r -> {
            Thread.yield(); // give other callers a chance to pile up
            return ChatResponse.newBuilder().provider("fake").build();
        };
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 1000; i++) {
                threads.submit(() -> p.chat(ChatRequest.of("m", "x")));
            }
        }
        assertEquals(1000, fake.calls(CHAT));
        assertTrue(fake.maxInFlight() <= 8, () -> "max in flight " + fake.maxInFlight());
        RateLimitStats s = policy.stats();
        assertEquals(1000, s.grantedCount());
        assertEquals(0, s.inFlightCount());
        assertEquals(0, s.waitingCount());
    }

    @Test
    void maxConcurrent_heldSlots_fillToTheLimitExactly() throws Exception {
        RateLimitPolicy policy = RateLimitPolicy.newBuilder().maxConcurrent(8).build();
        Provider p = policy.decorate(fake);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch eightIn = new CountDownLatch(8);
        onChat = r -> {
            eightIn.countDown();
            await(release);
            return ChatResponse.newBuilder().provider("fake").build();
        };
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 1000; i++) {
                threads.submit(() -> p.chat(ChatRequest.of("m", "x")));
            }
            await(eightIn);
            awaitWaiting(policy, 992);
            assertEquals(8, fake.inFlight());
            assertEquals(8, policy.stats().inFlightCount());
            release.countDown();
        }
        assertEquals(8, fake.maxInFlight());
        assertEquals(1000, fake.calls(CHAT));
    }

    @Test
    void fairness_callersAreServedInArrivalOrder() throws Exception {
        RateLimitPolicy policy = RateLimitPolicy.newBuilder().maxConcurrent(1).build();
        Provider p = policy.decorate(fake);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        onChat = r -> {
            if (r.messages().get(0).text().equals("holder")) {
                holding.countDown();
                await(release);
            }
            return ChatResponse.newBuilder().provider("fake").build();
        };
        int callers = 150;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            threads.submit(() -> p.chat(ChatRequest.of("m", "holder")));
            await(holding);
            for (int i = 0; i < callers; i++) {
                String name = Integer.toString(i);
                threads.submit(() -> p.chat(ChatRequest.of("m", name)));
                awaitWaiting(policy, i + 1); // the next caller starts only once this one is in line
            }
            release.countDown();
        }
        List<String> expected = new ArrayList<>(List.of("holder"));
        IntStream.range(0, callers).forEach(i -> expected.add(Integer.toString(i)));
        assertEquals(expected, order());
    }

    @Test
    void fairness_largeTokenRequestAtTheHead_isNotOvertakenBySmallOnes() throws Exception {
        ManualTicker clock = new ManualTicker();
        // Callers wait until the test moves the time.
        RateLimitPolicy policy = RateLimitPolicy.newBuilder().ticker(clock)
                .tokensPerWindow(1000, Duration.ofMinutes(1))
                .maxConcurrent(1) // so that the calls reach the provider one at a time, in grant order
                .build();
        Provider p = policy.decorate(fake);
        p.chat(request("first", 900)); // leaves 100 - 1 = 99 tokens
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> big = threads.submit(() -> p.chat(request("big", 500)));
            awaitWaiting(policy, 1);
            Future<?> small = threads.submit(() -> p.chat(request("small", 50)));
            awaitWaiting(policy, 2);
            assertEquals(List.of("first"), order(), "small would fit, but waits behind big");
            clock.advance(Duration.ofMinutes(1));
            big.get(10, TimeUnit.SECONDS);
            small.get(10, TimeUnit.SECONDS);
        }
        assertEquals(List.of("first", "big", "small"), order());
    }

    @Test
    void requests_manyThreadsWithASimulatedClock_exactlyNPerWindowInArrivalOrder() throws Exception {
        ManualTicker advancing = ManualTicker.autoAdvancing();
        java.util.concurrent.atomic.AtomicReference<Lane> lane = new java.util.concurrent.atomic.AtomicReference<>();
        // The head of the queue waits for the window while the call granted before it may not have
        // read the time yet; so it moves the time only once no call is in flight (the release
        // signals it; waits are called with the lane's lock held, so inFlight() is exact).
        Ticker clock = new Ticker() {
            @Override
            public long nanos() {
                return advancing.nanos();
            }

            @Override
            public java.time.Instant instant() {
                return advancing.instant();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                advancing.sleep(duration);
            }

            @Override
            public void await(Lock lock, Condition condition, long nanos) throws InterruptedException {
                if (nanos != FOREVER && lane.get().inFlight() > 0) {
                    condition.await();
                } else {
                    advancing.await(lock, condition, nanos);
                }
            }
        };
        RateLimitPolicy policy = RateLimitPolicy.newBuilder().ticker(clock)
                .requestsPerWindow(10, Duration.ofMinutes(1))
                .maxConcurrent(1) // calls reach the provider one at a time
                .build();
        lane.set(policy.limiter().lane("fake", "m"));
        Provider p = policy.decorate(fake);
        List<Long> minutes = java.util.Collections.synchronizedList(new ArrayList<>());
        java.time.Instant start = clock.instant();
        onChat = r -> {
            minutes.add(Duration.between(start, clock.instant()).toMinutes());
            return ChatResponse.newBuilder().provider("fake").build();
        };
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 100; i++) {
                threads.submit(() -> p.chat(ChatRequest.of("m", "x")));
            }
        }
        for (long m = 0; m < 10; m++) {
            long minute = m;
            assertEquals(10, minutes.stream().filter(x -> x == minute).count(), "minute " + m);
        }
    }

    private static ChatRequest request(String text, int maxTokens) {
        return ChatRequest.newBuilder().model("m").addMessage(Message.user(text)).maxTokens(maxTokens).build();
    }

    /** {@return the last message of each chat the provider got, in the order they arrived} */
    private List<String> order() {
        return fake.requests().stream().map(r -> r.messages().getLast().text()).toList();
    }
}
