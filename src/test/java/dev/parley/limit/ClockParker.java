package dev.parley.limit;

import dev.parley.support.MutableClock;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;

/**
 * A parker for tests: a timed wait moves the fake clock forward by the time asked for and
 * returns at once (simulated time); an untimed wait waits for a signal as usual.
 */
final class ClockParker implements Parker {

    final AtomicLong parkedNanos = new AtomicLong();
    final AtomicLong timedParks = new AtomicLong();
    private final MutableClock clock;

    ClockParker(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public void park(Condition condition, long nanos) throws InterruptedException {
        if (nanos == FOREVER) {
            condition.await();
        } else {
            timedParks.incrementAndGet();
            parkedNanos.addAndGet(nanos);
            clock.advance(Duration.ofNanos(nanos));
        }
    }
}
