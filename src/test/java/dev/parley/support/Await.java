package dev.parley.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in tests for a state that must come, polled, with a deadline: never a bare sleep. */
public final class Await {

    private Await() {
    }

    /**
     * Returns once {@code condition} holds, polling every 10 ms.
     *
     * @throws AssertionError naming {@code what} if it does not hold within {@code max}, or if interrupted
     */
    public static void until(BooleanSupplier condition, Duration max, String what) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(10); // polling a state that must come, with a deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
