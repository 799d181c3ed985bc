package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;

import dev.parley.spi.Ticker;

class ManualTickerTest {

    private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void standsStill_andMovesNanosAndInstantTogether() {
        ManualTicker t = new ManualTicker();
        assertEquals(START, t.instant());
        assertEquals(0, t.nanos());
        t.advance(Duration.ofMillis(1500));
        assertEquals(START.plusMillis(1500), t.instant());
        assertEquals(1_500_000_000L, t.nanos());
        assertThrows(IllegalArgumentException.class, () -> t.advance(Duration.ofSeconds(-1)));
    }

    @Test
    void sleep_endsOnlyWhenAdvancedPastItsEnd() throws Exception {
        ManualTicker t = new ManualTicker();
        CountDownLatch woke = new CountDownLatch(1);
        Thread sleeper = Thread.ofVirtual().start(() -> {
            try {
                t.sleep(Duration.ofSeconds(10));
                woke.countDown();
            } catch (InterruptedException ignored) {
                // not expected
            }
        });
        t.awaitSleeps(1);
        t.awaitWaiters(1);
        t.advance(Duration.ofSeconds(9));
        assertFalse(woke.await(50, TimeUnit.MILLISECONDS), "not before its end");
        t.advance(Duration.ofSeconds(1));
        assertTrue(woke.await(10, TimeUnit.SECONDS));
        assertTrue(sleeper.join(Duration.ofSeconds(10)));
        t.awaitNoWaiters();
        assertEquals(List.of(Duration.ofSeconds(10)), t.sleeps());
    }

    @Test
    void await_endsWhenAdvancedPastItsEnd_orWhenSignalled() throws Exception {
        ManualTicker t = new ManualTicker();
        ReentrantLock lock = new ReentrantLock();
        Condition c = lock.newCondition();
        CountDownLatch returned = new CountDownLatch(2);
        Runnable waitOnce = () -> {
            lock.lock();
            try {
                t.await(lock, c, TimeUnit.SECONDS.toNanos(5));
                returned.countDown();
            } catch (InterruptedException ignored) {
                // not expected
            } finally {
                lock.unlock();
            }
        };
        Thread.ofVirtual().start(waitOnce);
        t.awaitWaiters(1);
        t.advance(Duration.ofSeconds(5)); // its end: woken by the ticker
        t.awaitNoWaiters();

        Thread.ofVirtual().start(waitOnce);
        t.awaitWaiters(1);
        lock.lock();
        try {
            c.signalAll(); // woken by a signal, the time standing still
        } finally {
            lock.unlock();
        }
        assertTrue(returned.await(10, TimeUnit.SECONDS));
        t.awaitNoWaiters();
        assertEquals(List.of(Duration.ofSeconds(5), Duration.ofSeconds(5)), t.waits());
    }

    @Test
    void autoAdvancing_jumpsByEachWait_butAnUntimedWaitStillWaitsForASignal() throws Exception {
        ManualTicker t = ManualTicker.autoAdvancing();
        t.sleep(Duration.ofSeconds(3));
        ReentrantLock lock = new ReentrantLock();
        Condition c = lock.newCondition();
        lock.lock();
        try {
            t.await(lock, c, TimeUnit.SECONDS.toNanos(2));
        } finally {
            lock.unlock();
        }
        assertEquals(START.plusSeconds(5), t.instant());

        AtomicBoolean done = new AtomicBoolean();
        Thread waiter = Thread.ofVirtual().start(() -> {
            lock.lock();
            try {
                t.await(lock, c, Ticker.FOREVER);
                done.set(true);
            } catch (InterruptedException ignored) {
                // not expected
            } finally {
                lock.unlock();
            }
        });
        t.awaitWaiters(1);
        assertFalse(done.get());
        lock.lock();
        try {
            c.signalAll();
        } finally {
            lock.unlock();
        }
        assertTrue(waiter.join(Duration.ofSeconds(10)));
        assertTrue(done.get());
        assertEquals(START.plusSeconds(5), t.instant());
    }

    @Test
    void interrupted_sleepAndAwaitThrow() {
        ManualTicker t = ManualTicker.autoAdvancing();
        ReentrantLock lock = new ReentrantLock();
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> t.sleep(Duration.ofSeconds(1)));
        Thread.currentThread().interrupt();
        lock.lock();
        try {
            assertThrows(InterruptedException.class, () -> t.await(lock, lock.newCondition(), 1_000));
        } finally {
            lock.unlock();
            Thread.interrupted();
        }
        assertEquals(START, t.instant(), "an interrupted wait does not move the time");
    }
}
