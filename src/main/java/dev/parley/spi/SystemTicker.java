package dev.parley.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/** The real time of the JVM; the only instance is {@link Ticker#system()}. */
final class SystemTicker implements Ticker {

    static final SystemTicker INSTANCE = new SystemTicker();

    private SystemTicker() {
    }

    @Override
    public long nanos() {
        return System.nanoTime();
    }

    @Override
    public Instant instant() {
        return Instant.now();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration);
    }

    @Override
    public void await(Lock lock, Condition condition, long nanos) throws InterruptedException {
        if (nanos == FOREVER) {
            condition.await();
        } else {
            condition.awaitNanos(nanos);
        }
    }

    @Override
    public String toString() {
        return "Ticker.system()";
    }
}
