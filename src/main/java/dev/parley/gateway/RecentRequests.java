package dev.parley.gateway;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.json.JsonObject;
import dev.parley.spi.Ticker;

/**
 * What the admin API tells about recent requests: the access-log lines of the last
 * {@value #CAPACITY} requests (never a prompt or an answer: the lines hold none), how many
 * {@code /v1} requests and errors each of the last 60 seconds saw, and latency and time-to-first-
 * token percentiles over the {@code /v1} requests of the ring no older than five minutes. Kept
 * in memory only. Thread-safe: one short lock.
 */
final class RecentRequests {

    static final int CAPACITY = 1000;
    static final int SECONDS = 60;
    static final long PERCENTILE_WINDOW_NANOS = 300_000_000_000L;

    /**
     * One finished request.
     *
     * @param atNanos       when it ended, on the gateway's ticker
     * @param api           whether it was a {@code /v1} request
     * @param status        the status it was answered with
     * @param latencyMicros from its arrival to the end of its answer
     * @param ttftMicros    to a stream's first chunk, or -1
     * @param line          its access-log line
     */
    record Done(long atNanos, boolean api, int status, long latencyMicros, long ttftMicros, JsonObject line) {
    }

    /**
     * Requests in the last {@value #SECONDS} seconds.
     *
     * @param requests  {@code /v1} requests that ended in the window
     * @param errors    those answered with a status of 400 or more
     * @param perSecond requests per second, oldest second first, the current one last
     */
    record Window(long requests, long errors, long[] perSecond) {
    }

    /**
     * Percentiles in milliseconds, nearest rank; all 0 when {@code samples} is 0.
     *
     * @param samples how many requests they come from
     */
    record Percentiles(int samples, double p50, double p90, double p99, double max) {
    }

    private final Ticker ticker;
    private final ReentrantLock lock = new ReentrantLock();
    private final Done[] ring = new Done[CAPACITY];
    private long added;
    private final long[] second = new long[SECONDS];
    private final long[] requests = new long[SECONDS];
    private final long[] errors = new long[SECONDS];

    RecentRequests(Ticker ticker) {
        this.ticker = ticker;
        Arrays.fill(second, Long.MIN_VALUE);
    }

    /** {@return the ticker's time now, in nanoseconds} */
    long now() {
        return ticker.nanos();
    }

    /** Adds a finished request. */
    void add(Done d) {
        lock.lock();
        try {
            ring[(int) (added++ % CAPACITY)] = d;
            if (d.api()) {
                long s = Math.floorDiv(d.atNanos(), 1_000_000_000L);
                int i = (int) Math.floorMod(s, SECONDS);
                if (second[i] != s) {
                    second[i] = s;
                    requests[i] = 0;
                    errors[i] = 0;
                }
                requests[i]++;
                if (d.status() >= 400) {
                    errors[i]++;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@return the access-log lines of the last {@code n} requests, newest first} */
    List<JsonObject> last(int n) {
        lock.lock();
        try {
            int count = (int) Math.min(Math.min(n, CAPACITY), added);
            List<JsonObject> out = new ArrayList<>(count);
            for (int k = 1; k <= count; k++) {
                out.add(ring[(int) ((added - k) % CAPACITY)].line());
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** {@return the {@code /v1} requests of the last {@value #SECONDS} seconds} */
    Window lastMinute() {
        long now = Math.floorDiv(ticker.nanos(), 1_000_000_000L);
        long[] per = new long[SECONDS];
        long total = 0;
        long errs = 0;
        lock.lock();
        try {
            for (int k = 0; k < SECONDS; k++) {
                long s = now - (SECONDS - 1) + k;
                int i = (int) Math.floorMod(s, SECONDS);
                if (second[i] == s) {
                    per[k] = requests[i];
                    total += requests[i];
                    errs += errors[i];
                }
            }
        } finally {
            lock.unlock();
        }
        return new Window(total, errs, per);
    }

    /** {@return latency percentiles of the recent {@code /v1} requests} */
    Percentiles latency() {
        return percentiles(false);
    }

    /** {@return time-to-first-token percentiles of the recent {@code /v1} streams} */
    Percentiles ttft() {
        return percentiles(true);
    }

    private Percentiles percentiles(boolean firstToken) {
        long since = ticker.nanos() - PERCENTILE_WINDOW_NANOS;
        long[] values = new long[CAPACITY];
        int n = 0;
        lock.lock();
        try {
            int count = (int) Math.min(CAPACITY, added);
            for (int k = 1; k <= count; k++) {
                Done d = ring[(int) ((added - k) % CAPACITY)];
                long v = firstToken ? d.ttftMicros() : d.latencyMicros();
                if (d.api() && v >= 0 && d.atNanos() - since >= 0) {
                    values[n++] = v;
                }
            }
        } finally {
            lock.unlock();
        }
        if (n == 0) {
            return new Percentiles(0, 0, 0, 0, 0);
        }
        Arrays.sort(values, 0, n);
        return new Percentiles(n, rank(values, n, 0.50), rank(values, n, 0.90), rank(values, n, 0.99),
                values[n - 1] / 1000.0);
    }

    private static double rank(long[] sorted, int n, double p) {
        int i = (int) Math.ceil(p * n) - 1;
        return sorted[Math.max(0, Math.min(n - 1, i))] / 1000.0;
    }
}
