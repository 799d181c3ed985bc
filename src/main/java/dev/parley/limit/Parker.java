package dev.parley.limit;

import java.util.concurrent.locks.Condition;

/**
 * How a waiting caller parks on its condition; injectable so that tests can move a fake clock
 * instead of waiting in real time.
 */
@FunctionalInterface
interface Parker {

    /** Waits untimed when asked for this many nanoseconds. */
    long FOREVER = Long.MAX_VALUE;

    /** Parks with {@link Condition#awaitNanos}, or {@link Condition#await} for {@link #FOREVER}. */
    Parker SYSTEM = (condition, nanos) -> {
        if (nanos == FOREVER) {
            condition.await();
        } else {
            condition.awaitNanos(nanos);
        }
    };

    /**
     * Waits on {@code condition}, whose lock the caller holds, until it is signalled or about
     * {@code nanos} have passed; may return early (the caller re-checks).
     *
     * @param condition the condition
     * @param nanos     how long at most, more than 0, or {@link #FOREVER}
     * @throws InterruptedException if the thread is interrupted
     */
    void park(Condition condition, long nanos) throws InterruptedException;
}
