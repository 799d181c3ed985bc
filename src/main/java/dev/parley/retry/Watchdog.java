package dev.parley.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

import dev.parley.internal.Sleeper;

/**
 * A timer on its own virtual thread: it sleeps until the deadline its {@link Timer} names,
 * asks again (the deadline may have moved, as an idle timer's does with each chunk), and calls
 * {@link Timer#expired} once the deadline has passed. {@link #stop()} ends it at any time.
 *
 * <p>One virtual thread per watched call or stream, named {@value #THREAD_NAME}; used only where
 * the shared {@link CallTimer} cannot be (an injected clock or sleeper, or a call that must run on
 * a thread of its own). Nothing is created before {@link #start()}. Time and sleeping come from the injected clock and sleeper.
 * Thread-safe.
 */
final class Watchdog implements Runnable {

    /** The name of watchdog threads. */
    static final String THREAD_NAME = "parley-timeout-watchdog";

    /** What a watchdog watches. */
    interface Timer {
        /** {@return the instant at which the timer expires, as of {@code now}; null to stop watching} */
        Instant deadline(Instant now);

        /** Called once, on the watchdog's thread, when {@code now} reached the deadline. */
        void expired(Instant now);
    }

    private final Clock clock;
    private final Sleeper sleeper;
    private final Timer timer;
    private volatile boolean stopped;
    private volatile Thread thread;

    Watchdog(Clock clock, Sleeper sleeper, Timer timer) {
        this.clock = clock;
        this.sleeper = sleeper;
        this.timer = timer;
    }

    /** Watchdogs started so far in this JVM; for tests. */
    private static final LongAdder STARTS = new LongAdder();

    /** {@return how many watchdogs were started so far in this JVM; for tests} */
    static long starts() {
        return STARTS.sum();
    }

    /** Starts watching, on a new virtual thread. Call once. */
    void start() {
        STARTS.increment();
        Thread t = Thread.ofVirtual().name(THREAD_NAME).unstarted(this);
        thread = t;
        if (!stopped) {
            t.start();
        }
    }

    /** Stops watching: {@link Timer#expired} is not called after this returns unless it already runs. */
    void stop() {
        stopped = true;
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
        }
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                Instant now = clock.instant();
                Instant at = timer.deadline(now);
                if (at == null) {
                    return;
                }
                if (!now.isBefore(at)) {
                    if (!stopped) {
                        timer.expired(now);
                    }
                    return;
                }
                sleeper.sleep(Duration.between(now, at));
            }
        } catch (InterruptedException stoppedWhileSleeping) {
            // stop() was called: nothing to do
        }
    }
}
