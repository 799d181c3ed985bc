package dev.parley.gateway;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.spi.Ticker;

/**
 * {@link KeyLimits} kept in this process: per key name, a one-minute sliding log of requests and
 * of tokens, and a count of requests running. A request is admitted only if all three have room;
 * otherwise it is refused at once (never queued: a client of a gateway retries on its own) with
 * the time until the window has room as {@code Retry-After}. Counts are kept by key name, so a
 * reload that changes a key's limits keeps what it has used this minute.
 *
 * <p>Parley's own {@code dev.parley.limit.SlidingWindow} is not used: it belongs to a policy
 * that queues callers, and lives package-private in another package; this log is the small
 * part of it a refuse-at-once limit needs. Thread-safe: each key's state has its own lock.
 */
final class LocalKeyLimits implements KeyLimits {

    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    private final Ticker ticker;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    LocalKeyLimits(Ticker ticker) {
        this.ticker = ticker;
    }

    @Override
    public Permit acquire(VirtualKey key, long tokens) {
        if (key.rpm() == 0 && key.tpm() == 0 && key.concurrency() == 0) {
            return Permit.NONE;
        }
        State s = states.computeIfAbsent(key.name(), n -> new State());
        long now = ticker.nanos();
        s.lock.lock();
        try {
            s.expire(now);
            if (key.concurrency() > 0 && s.running >= key.concurrency()) {
                throw refused(key, "concurrent requests", key.concurrency(), TimeUnit.SECONDS.toNanos(1));
            }
            if (key.rpm() > 0 && s.requests.size() >= key.rpm()) {
                throw refused(key, "requests per minute", key.rpm(), s.waitForRequest(key.rpm(), now));
            }
            long need = Math.min(tokens, key.tpm());
            if (key.tpm() > 0 && s.tokensUsed + need > key.tpm()) {
                throw refused(key, "tokens per minute", key.tpm(), s.waitForTokens(need, key.tpm(), now));
            }
            long[] request = {now, 1};
            long[] used = {now, tokens, 1};
            s.requests.addLast(request);
            s.tokens.addLast(used);
            s.tokensUsed += tokens;
            s.running++;
            return new Permit() {
                private boolean released;

                @Override
                public void release(long actualTokens) {
                    s.lock.lock();
                    try {
                        if (released) {
                            return;
                        }
                        released = true;
                        s.running--;
                        if (actualTokens >= 0 && used[2] == 1) { // still in the window
                            s.tokensUsed += actualTokens - used[1];
                            used[1] = actualTokens;
                        }
                    } finally {
                        s.lock.unlock();
                    }
                }
            };
        } finally {
            s.lock.unlock();
        }
    }

    private static ApiError refused(VirtualKey key, String what, long limit, long waitNanos) {
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        return new ApiError(429, "rate_limit_error", "rate_limit_exceeded", null,
                "Rate limit reached for key '" + key.name() + "': " + limit + " " + what + ". Retry in " + seconds + " s.")
                .withHeader("Retry-After", Long.toString(seconds));
    }

    /** One key's counts. Guarded by its lock. */
    private static final class State {
        final ReentrantLock lock = new ReentrantLock();
        /** Each admitted request: {time, 1}. */
        final ArrayDeque<long[]> requests = new ArrayDeque<>();
        /** Each admitted request's tokens: {time, tokens, 1 while in the window}, corrected when it ends. */
        final ArrayDeque<long[]> tokens = new ArrayDeque<>();
        long tokensUsed;
        int running;

        void expire(long now) {
            while (!requests.isEmpty() && requests.peekFirst()[0] + MINUTE <= now) {
                requests.pollFirst();
            }
            while (!tokens.isEmpty() && tokens.peekFirst()[0] + MINUTE <= now) {
                long[] t = tokens.pollFirst();
                tokensUsed -= t[1];
                t[2] = 0;
            }
        }

        /** {@return nanoseconds until fewer than {@code limit} requests are in the window (more than one may have to leave, after a reload lowered the limit)} */
        long waitForRequest(long limit, long now) {
            long leave = requests.size() - limit; // the index of the last request that must leave
            for (long[] r : requests) {
                if (leave-- == 0) {
                    return r[0] + MINUTE - now;
                }
            }
            return MINUTE;
        }

        long waitForTokens(long need, long limit, long now) {
            long excess = tokensUsed + need - limit;
            for (long[] t : tokens) {
                excess -= t[1];
                if (excess <= 0) {
                    return t[0] + MINUTE - now;
                }
            }
            return MINUTE;
        }
    }
}
