package dev.parley.testing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What {@link FakeLlmServer} saw: request counts per path, clients that left, and the last
 * requests, kept for {@code requests()} and, until taken, for {@code takeRequest()}. At most
 * {@code limit} requests are kept in each; the oldest go first. Thread-safe.
 */
final class RequestLog {

    private final int limit;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();
    private final LongAdder disconnects = new LongAdder();
    private final BlockingDeque<RecordedRequest> unread = new LinkedBlockingDeque<>();
    private final ArrayDeque<RecordedRequest> history = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();

    RequestLog(int limit) {
        this.limit = limit;
    }

    /** Counts a request to {@code path}. */
    void arrived(String path) {
        total.increment();
        counts.computeIfAbsent(path, p -> new LongAdder()).increment();
    }

    /** Counts a response that could not be written because the client had gone. */
    void clientLeft() {
        disconnects.increment();
    }

    /** Keeps a request, dropping the oldest beyond the limit. */
    void record(RecordedRequest r) {
        if (limit == 0) {
            return;
        }
        lock.lock();
        try {
            if (history.size() == limit) {
                history.pollFirst();
            }
            history.addLast(r);
            if (unread.size() >= limit) {
                unread.pollFirst();
            }
            unread.addLast(r);
        } finally {
            lock.unlock();
        }
    }

    /** {@return how many requests arrived for {@code path}} */
    long countOf(String path) {
        LongAdder n = counts.get(path);
        return n == null ? 0 : n.sum();
    }

    long total() {
        return total.sum();
    }

    long disconnects() {
        return disconnects.sum();
    }

    List<RecordedRequest> requests() {
        lock.lock();
        try {
            return List.copyOf(history);
        } finally {
            lock.unlock();
        }
    }

    /** {@return the oldest request not yet taken, or null if none came within {@code timeout}} */
    RecordedRequest take(Duration timeout) throws InterruptedException {
        return unread.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
