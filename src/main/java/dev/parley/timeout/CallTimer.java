package dev.parley.timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.spi.Ticker;

/**
 * Interrupts the threads of calls that pass their deadline, and ends the streams that pass
 * theirs: one timer thread for all the calls a {@link TimeoutPolicy} runs on their callers' own
 * threads and all the streams it watches, so that a call or a stream costs no thread start, no
 * park and no wake-up of its own.
 *
 * <p>A stream's deadline moves (an idle deadline with each chunk), so a stream is a {@link Task}
 * that the timer asks for its deadline again when the one it knew of passes; a chunk only
 * records its time, and the timer looks about once per timeout, not once per chunk. A task
 * whose deadline really passed is {@linkplain Task#expired ended} on a new virtual thread named
 * {@value #EXPIRY_THREAD_NAME}, so that what the stream's subscriber does on the error never
 * holds up the timer; that thread ends when {@code expired} returns.
 *
 * <p>Time is a {@link Ticker}'s: {@link #SHARED} runs on {@link Ticker#system()}, and a
 * {@link TimeoutPolicy} given another ticker (a test's) has a timer of its own on it, which waits
 * through the ticker, so that the test's ticker moves it.
 *
 * <p>The timer thread sleeps until the earliest deadline it knew of when it last looked, or for
 * its idle period ({@value #IDLE_SECONDS} seconds for the shared timer) when no call was running
 * then; a call that starts with a later deadline does not wake it (it looks again when it wakes),
 * so with calls that end in time it wakes about once per timeout or idle period, not once per
 * call. It is a daemon thread named {@value #THREAD_NAME}, started with the first call and ended
 * after an idle period in which no call started. A timer with no idle period ends its thread as
 * soon as the last call it times ends, so that a test's ticker, which never moves by itself, is
 * left with no thread waiting on it.
 *
 * <p>Thread-safe: all state is guarded by one lock, held briefly.
 */
final class CallTimer {

    static final String THREAD_NAME = "parley-timeouts";
    static final String EXPIRY_THREAD_NAME = "parley-timeout-expiry";
    static final long IDLE_SECONDS = 30;

    /** The timer on the system ticker. */
    static final CallTimer SHARED = new CallTimer(Ticker.system(), TimeUnit.SECONDS.toNanos(IDLE_SECONDS));

    /** A deadline that may move: a stream's. */
    interface Task {
        /**
         * {@return the deadline as of {@code now}, both in the ticker's {@link Ticker#nanos()}}; not
         * after {@code now} to end the task. Called on the timer thread with its lock held, so it
         * must only read a few fields.
         */
        long deadline(long now);

        /** Called once, on a new virtual thread, after {@link #deadline} said the deadline passed at {@code now}. */
        void expired(long now);
    }

    /** One call or stream being timed: the call's thread or the stream's task, and the deadline (the ticker's nanos). */
    static final class Entry {
        private final Thread thread;
        private final Task task;
        // Guarded by the timer's lock.
        private long deadline;
        // Guarded by the timer's lock.
        private Entry prev;
        private Entry next;
        private boolean fired;
        private boolean done;

        private Entry(Thread thread, Task task, long deadline) {
            this.thread = thread;
            this.task = task;
            this.deadline = deadline;
        }
    }

    private final Ticker ticker;
    /** Whether the ticker is the system's, read directly on the hot path. */
    private final boolean system;
    private final long idleNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    // Guarded by lock.
    private final Entry head = new Entry(null, null, 0); // sentinel of a circular list
    private long wakeAt;
    private boolean sleepingUntilWakeAt;
    private Thread timer;
    private long starts;
    private long looks;

    /**
     * @param ticker    the time of the deadlines, and what the timer thread waits on
     * @param idleNanos how long the thread stays when no call is running; 0 to end it at once
     */
    CallTimer(Ticker ticker, long idleNanos) {
        this.ticker = ticker;
        this.system = ticker == Ticker.system();
        this.idleNanos = idleNanos;
        head.prev = head;
        head.next = head;
    }

    /**
     * Starts timing a call on the current thread, which is interrupted if the call has not
     * {@linkplain #stop stopped} by {@code deadline}.
     *
     * @param deadline in the ticker's {@link Ticker#nanos()}
     * @return the entry, to hand to {@link #stop}
     */
    Entry start(long deadline) {
        return add(new Entry(Thread.currentThread(), null, deadline));
    }

    /**
     * Starts timing a stream: when {@code deadline} passes, the timer asks {@code task} for its
     * deadline again, and calls {@link Task#expired} if that has passed too, unless the task was
     * {@linkplain #stop stopped} first.
     *
     * @param deadline the first deadline, in the ticker's {@link Ticker#nanos()}
     * @return the entry, to hand to {@link #stop} when the stream ends
     */
    Entry schedule(long deadline, Task task) {
        return add(new Entry(null, task, deadline));
    }

    /** {@return the ticker's time now}: {@link System#nanoTime()} for the system ticker, without a virtual call */
    long now() {
        return system ? System.nanoTime() : ticker.nanos();
    }

    /** {@return the ticker deadlines are measured on} */
    Ticker ticker() {
        return ticker;
    }

    private Entry add(Entry e) {
        long deadline = e.deadline;
        lock.lock();
        try {
            starts++;
            e.prev = head.prev;
            e.next = head;
            head.prev.next = e;
            head.prev = e;
            if (timer == null) {
                timer = Thread.ofPlatform().daemon().name(THREAD_NAME).start(this::run);
            } else if (!sleepingUntilWakeAt || deadline - wakeAt < 0) {
                wake.signal();
            }
        } finally {
            lock.unlock();
        }
        return e;
    }

    /**
     * Stops timing a call or stream; called by the call's thread when the call ends, or when the
     * stream ends.
     *
     * @return whether the deadline passed first, in which case the call's thread has been
     *     interrupted, or the stream's task expired (or is about to)
     */
    boolean stop(Entry e) {
        lock.lock();
        try {
            if (!e.done) {
                e.done = true;
                e.prev.next = e.next;
                e.next.prev = e.prev;
                if (idleNanos == 0 && head.next == head && sleepingUntilWakeAt) {
                    wake.signal(); // nothing left to time: let the thread end now
                }
            }
            return e.fired;
        } finally {
            lock.unlock();
        }
    }

    /** {@return how many times the timer thread looked at the calls; for tests} */
    long looks() {
        lock.lock();
        try {
            return looks;
        } finally {
            lock.unlock();
        }
    }

    /** {@return the calls being timed; for tests} */
    int active() {
        lock.lock();
        try {
            int n = 0;
            for (Entry e = head.next; e != head; e = e.next) {
                n++;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        lock.lock();
        try {
            long startsAtLastLook = -1;
            while (true) {
                looks++;
                long now = now();
                boolean any = false;
                long earliest = 0;
                List<Entry> expired = null;
                for (Entry e = head.next; e != head; ) {
                    Entry next = e.next;
                    if (e.deadline - now <= 0 && e.task != null) {
                        long at = e.task.deadline(now);
                        if (at - now > 0) {
                            e.deadline = at; // the stream moved on: look again then
                        }
                    }
                    if (e.deadline - now <= 0) {
                        e.fired = true;
                        e.done = true;
                        e.prev.next = e.next;
                        e.next.prev = e.prev;
                        if (e.thread != null) {
                            e.thread.interrupt();
                        } else {
                            if (expired == null) {
                                expired = new ArrayList<>();
                            }
                            expired.add(e);
                        }
                    } else if (!any || e.deadline - earliest < 0) {
                        earliest = e.deadline;
                        any = true;
                    }
                    e = next;
                }
                if (expired != null) {
                    lock.unlock();
                    try {
                        for (Entry e : expired) {
                            Task task = e.task;
                            try {
                                Thread.ofVirtual().name(EXPIRY_THREAD_NAME).start(() -> task.expired(now));
                            } catch (Throwable noThread) { // out of memory: expire it here rather than never
                                expireQuietly(task, now);
                            }
                        }
                    } finally {
                        lock.lock();
                    }
                    continue; // calls may have started meanwhile without waking the timer: look again
                }
                long until;
                if (any) {
                    until = earliest;
                } else if (idleNanos == 0 || startsAtLastLook == starts) {
                    timer = null; // a whole idle period without a call: the next call starts a new timer
                    return;
                } else {
                    // No call now: sleep an idle period, like any deadline, so that calls that start
                    // and end meanwhile (with later deadlines) do not wake the timer one by one.
                    startsAtLastLook = starts;
                    until = now + idleNanos;
                }
                wakeAt = until;
                sleepingUntilWakeAt = true;
                try {
                    ticker.await(lock, wake, until - now);
                } catch (InterruptedException ignored) {
                    // nobody interrupts the timer; look again
                } finally {
                    sleepingUntilWakeAt = false;
                }
            }
        } catch (Throwable t) {
            // The timer is dying (out of memory, say): let the next call start a new one.
            timer = null;
            throw t;
        } finally {
            lock.unlock();
        }
    }

    private static void expireQuietly(Task task, long now) {
        try {
            task.expired(now);
        } catch (Throwable ignored) {
            // the timer must go on for the other calls
        }
    }
}
