package dev.parley.retry;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Interrupts the threads of calls that pass their deadline: one timer thread for all the calls
 * a {@link TimeoutProvider} runs on their callers' own threads, so that a call costs no thread
 * start, no park and no wake-up of its own.
 *
 * <p>The timer thread sleeps until the earliest deadline it knew of when it last looked, or for
 * {@value #IDLE_SECONDS} seconds when no call was running then; a call that starts with a later
 * deadline does not wake it (it looks again when it wakes), so with calls that end in time it
 * wakes about once per timeout or idle period, not once per call. It is a daemon thread named
 * {@value #THREAD_NAME}, started with the first call and ended after an idle period in which no
 * call started.
 *
 * <p>Thread-safe: all state is guarded by one lock, held briefly.
 */
final class CallTimer {

    static final String THREAD_NAME = "parley-timeouts";
    static final long IDLE_SECONDS = 30;

    static final CallTimer SHARED = new CallTimer();

    /** One call being timed: its thread and deadline ({@link System#nanoTime()}). */
    static final class Entry {
        private final Thread thread;
        private final long deadline;
        // Guarded by the timer's lock.
        private Entry prev;
        private Entry next;
        private boolean fired;
        private boolean done;

        private Entry(Thread thread, long deadline) {
            this.thread = thread;
            this.deadline = deadline;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    // Guarded by lock.
    private final Entry head = new Entry(null, 0); // sentinel of a circular list
    private long wakeAt;
    private boolean sleepingUntilWakeAt;
    private Thread timer;
    private long starts;
    private long looks;

    CallTimer() {
        head.prev = head;
        head.next = head;
    }

    /**
     * Starts timing a call on the current thread, which is interrupted if the call has not
     * {@linkplain #stop stopped} by {@code deadline}.
     *
     * @param deadline in {@link System#nanoTime()} terms
     * @return the entry, to hand to {@link #stop}
     */
    Entry start(long deadline) {
        Entry e = new Entry(Thread.currentThread(), deadline);
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
     * Stops timing a call; called by the call's thread when the call ends.
     *
     * @return whether the deadline passed first, in which case the thread has been interrupted
     */
    boolean stop(Entry e) {
        lock.lock();
        try {
            if (!e.done) {
                e.done = true;
                e.prev.next = e.next;
                e.next.prev = e.prev;
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
                long now = System.nanoTime();
                boolean any = false;
                long earliest = 0;
                for (Entry e = head.next; e != head; ) {
                    Entry next = e.next;
                    if (e.deadline - now <= 0) {
                        e.fired = true;
                        e.done = true;
                        e.prev.next = e.next;
                        e.next.prev = e.prev;
                        e.thread.interrupt();
                    } else if (!any || e.deadline - earliest < 0) {
                        earliest = e.deadline;
                        any = true;
                    }
                    e = next;
                }
                long until;
                if (any) {
                    until = earliest;
                } else if (startsAtLastLook == starts) {
                    timer = null; // a whole idle period without a call: the next call starts a new timer
                    return;
                } else {
                    // No call now: sleep an idle period, like any deadline, so that calls that start
                    // and end meanwhile (with later deadlines) do not wake the timer one by one.
                    startsAtLastLook = starts;
                    until = now + TimeUnit.SECONDS.toNanos(IDLE_SECONDS);
                }
                wakeAt = until;
                sleepingUntilWakeAt = true;
                try {
                    wake.awaitNanos(until - now);
                } catch (InterruptedException ignored) {
                    // nobody interrupts the timer; look again
                } finally {
                    sleepingUntilWakeAt = false;
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
