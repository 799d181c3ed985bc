package dev.parley.limit;

/**
 * A sliding-window limit: at most {@code limit} permits in any window of {@code windowNanos},
 * so with a limit of <i>n</i> per minute exactly <i>n</i> calls pass in each minute when calls
 * keep coming. Each grant is logged with its time and amount and counts until one window after
 * it; an amount can be corrected afterwards (a call that used more or fewer tokens than it
 * reserved). Traffic that keeps to this limit also keeps to a provider's token bucket of the same
 * size and rate.
 *
 * <p>The provider's headers can lower what is available: a <i>hold</i> of permits that counts
 * as used until the provider's reset time.
 *
 * <p>The log is a growable ring of parallel arrays, so granting allocates nothing once the ring
 * has grown to the traffic. Times are nanoseconds in the policy's time (see {@code Limiter.now()}). Not thread-safe: the
 * owning {@link Lane} guards it with its lock.
 */
final class SlidingWindow {

    final long limit;
    final long windowNanos;
    private long[] times = new long[16];
    private long[] amounts = new long[16];
    private int head;
    private int size;
    /** The sequence number of the entry at {@code head}; entries are numbered from 0 in grant order. */
    private long headSeq;
    private long used;
    private long hold;
    private long holdUntil = Long.MIN_VALUE;

    SlidingWindow(long limit, long windowNanos) {
        this.limit = limit;
        this.windowNanos = windowNanos;
    }

    /** Forgets grants that left the window, and a hold past its time. */
    void expire(long now) {
        long cutoff = now - windowNanos;
        int mask = times.length - 1;
        while (size > 0 && times[head] <= cutoff) {
            used -= amounts[head];
            head = (head + 1) & mask;
            size--;
            headSeq++;
        }
        if (hold != 0 && holdUntil <= now) {
            hold = 0;
        }
    }

    /** {@return the permits available now; call after {@link #expire}} */
    long available() {
        return limit - used - hold;
    }

    /**
     * {@return nanoseconds until {@code need} permits are available, 0 if they are now}. A need
     * above the limit waits for an empty window. Call after {@link #expire}.
     */
    long waitNanos(long need, long now) {
        long excess = used + hold + Math.min(need, limit) - limit;
        if (excess <= 0) {
            return 0;
        }
        int mask = times.length - 1;
        long freed = 0;
        boolean holdFreed = hold == 0;
        for (int k = 0; k < size; k++) {
            int i = (head + k) & mask;
            long expiry = times[i] + windowNanos;
            if (!holdFreed && holdUntil <= expiry) {
                holdFreed = true;
                freed += hold;
                if (freed >= excess) {
                    return Math.max(1, holdUntil - now);
                }
            }
            freed += amounts[i];
            if (freed >= excess) {
                return Math.max(1, expiry - now);
            }
        }
        return Math.max(1, (holdFreed ? now + windowNanos : holdUntil) - now);
    }

    /**
     * {@return a lower bound of the nanoseconds until {@code total} permits will have been
     * granted, for callers in line: beyond one window's worth, each window's worth takes a window}
     */
    long drainNanos(long total, long now) {
        if (total <= limit) {
            return waitNanos(total, now);
        }
        long windows = Math.ceilDiv(total, limit) - 1;
        long first = waitNanos(limit, now);
        return windows >= (Long.MAX_VALUE - first) / windowNanos ? Long.MAX_VALUE : first + windows * windowNanos;
    }

    /** Logs a grant of {@code amount} at {@code now}. @return its sequence number, to correct it later */
    long add(long now, long amount) {
        if (size == times.length) {
            grow();
        }
        int tail = (head + size) & (times.length - 1);
        times[tail] = now;
        amounts[tail] = amount;
        size++;
        used += amount;
        return headSeq + size - 1;
    }

    private void grow() {
        int n = times.length;
        long[] t = new long[n * 2];
        long[] a = new long[n * 2];
        for (int k = 0; k < size; k++) {
            t[k] = times[(head + k) & (n - 1)];
            a[k] = amounts[(head + k) & (n - 1)];
        }
        times = t;
        amounts = a;
        head = 0;
    }

    /**
     * Corrects grant {@code seq} by {@code delta}: a refund while it is in the window, a charge
     * (logged now if it already left the window).
     */
    void adjust(long seq, long delta, long now) {
        expire(now);
        if (seq >= headSeq && seq < headSeq + size) {
            int i = (int) ((head + (seq - headSeq)) & (times.length - 1));
            long amount = Math.max(0, amounts[i] + delta);
            used += amount - amounts[i];
            amounts[i] = amount;
        } else if (delta > 0) {
            add(now, delta);
        }
    }

    /**
     * The provider says only {@code remaining} permits are left until {@code resetAt}: holds what
     * the window has beyond that until then. Never makes more available.
     *
     * @param resetAt the reset time, or {@code Long.MIN_VALUE} when unknown (held one window)
     */
    void tighten(long remaining, long resetAt, long now) {
        expire(now);
        if (resetAt != Long.MIN_VALUE && resetAt <= now) {
            return; // already reset
        }
        long excess = available() - Math.max(0, remaining);
        if (excess > 0) {
            hold += excess;
            holdUntil = Math.max(holdUntil, resetAt == Long.MIN_VALUE ? now + windowNanos : resetAt);
        }
    }
}
