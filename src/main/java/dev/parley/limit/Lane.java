package dev.parley.limit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.LlmException;
import dev.parley.spi.CallScope;

/**
 * The permits of one provider (or one model, with {@code perModel}): a request window, a token
 * window, a number of concurrency slots and a pause the provider asked for, all optional, and a
 * FIFO queue of the callers waiting for them.
 *
 * <p>A caller is granted at once when nobody waits and every limit allows it; otherwise it joins
 * the queue and parks on its own condition. Only the head of the queue is ever granted, so
 * callers are served in arrival order and a large token request at the head is not overtaken by
 * small ones behind it. The head waits, timed, for grants to leave the windows, or, untimed, to be
 * signalled when a slot is released; it signals the next head when it leaves. A caller gives up
 * with a {@link dev.parley.RateLimitException} as soon as its wait is known to outlast its
 * deadline, and at the deadline otherwise.
 *
 * <p>Thread-safe: all state is guarded by one {@link ReentrantLock} (no pinning of virtual
 * threads). The uncontended path takes the lock once and allocates nothing.
 */
final class Lane {

    /** What {@link #tryAcquire} returns when the caller would have to wait. */
    static final long NOT_GRANTED = Long.MIN_VALUE;

    private final Limiter policy;
    private final String provider;
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private final SlidingWindow requests;
    private final SlidingWindow tokens;
    private final int maxConcurrent;
    private int inFlight;
    private long pausedUntil = Long.MIN_VALUE;
    private long queuedTokens;

    Lane(Limiter policy, String provider) {
        this.policy = policy;
        this.provider = provider;
        Limiter.Limit r = policy.requestLimit();
        Limiter.Limit t = policy.tokenLimit();
        this.requests = r == null ? null : new SlidingWindow(r.permits(), r.windowNanos());
        this.tokens = t == null ? null : new SlidingWindow(t.permits(), t.windowNanos());
        this.maxConcurrent = policy.maxConcurrent();
    }

    private static final class Waiter {
        final Condition condition;
        final long tokens;
        final long arrivedAt;

        Waiter(Condition condition, long tokens, long arrivedAt) {
            this.condition = condition;
            this.tokens = tokens;
            this.arrivedAt = arrivedAt;
        }
    }

    /**
     * Takes a request permit, {@code estimate} tokens and a concurrency slot, waiting in line
     * for them; the caller must {@link #release} them once the call ends.
     *
     * @param estimate the tokens to reserve
     * @param scope    the call's scope: its deadline, and the observer told of a wait
     * @return the handle of the token reservation, to hand to {@link #release}
     * @throws LlmException a {@code RateLimitException} if the deadline passes (or would) first;
     *                      an {@code LlmTimeoutException} if the thread is interrupted
     */
    long acquire(long estimate, CallScope scope) {
        long deadline = Limiter.deadline(scope);
        lock.lock();
        try {
            long now = policy.now();
            expire(now);
            if (queue.isEmpty() && inFlight < maxConcurrent && rateWait(1, estimate, now) == 0) {
                policy.recordGrant(0);
                return grant(estimate, now);
            }
            return awaitTurn(estimate, deadline, now, scope);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@return the handle of the token reservation if the permits were taken at once (nobody
     * waits and every limit allows), or {@link #NOT_GRANTED}}
     */
    long tryAcquire(long estimate) {
        lock.lock();
        try {
            long now = policy.now();
            expire(now);
            if (queue.isEmpty() && inFlight < maxConcurrent && rateWait(1, estimate, now) == 0) {
                policy.recordGrant(0);
                return grant(estimate, now);
            }
            return NOT_GRANTED;
        } finally {
            lock.unlock();
        }
    }

    private long awaitTurn(long estimate, long deadline, long now, CallScope scope) {
        // Fail fast when even the rate limits alone, served in order, outlast the deadline.
        long ahead = rateWait(queue.size() + 1, queuedTokens + estimate, now);
        if (ahead > remaining(deadline, now)) {
            throw reject(ahead, deadline, now, queue.size(), queuedTokens + estimate, estimate);
        }
        if (ahead > 0) {
            scope.waiting("a rate-limit permit: " + binding(queue.size(), queuedTokens + estimate, estimate, now),
                    Duration.ofNanos(ahead));
        }
        Waiter me = new Waiter(lock.newCondition(), estimate, now);
        queue.addLast(me);
        queuedTokens += estimate;
        policy.waiting().increment();
        try {
            while (true) {
                long wait = Parker.FOREVER; // behind others, or for a slot: until signalled
                if (queue.peekFirst() == me) {
                    long rate = rateWait(1, estimate, now);
                    if (rate == 0 && inFlight < maxConcurrent) {
                        policy.recordGrant(now - me.arrivedAt);
                        return grant(estimate, now);
                    }
                    if (rate > 0) {
                        if (rate > remaining(deadline, now)) {
                            throw reject(rate, deadline, now, 0, estimate, estimate);
                        }
                        wait = rate;
                    }
                }
                long left = remaining(deadline, now);
                if (left <= 0) {
                    throw reject(-1, deadline, now, positionOf(me), estimate, estimate);
                }
                policy.parker().park(me.condition, Math.min(wait, left));
                now = policy.now();
                expire(now);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw LlmException.newBuilder(LlmException.Kind.TIMEOUT)
                    .provider(provider)
                    .message("interrupted while waiting for a rate-limit permit")
                    .cause(e)
                    .build();
        } finally {
            boolean wasHead = queue.peekFirst() == me;
            if (wasHead) {
                queue.removeFirst();
            } else {
                queue.remove(me);
            }
            queuedTokens -= estimate;
            policy.waiting().decrement();
            if (wasHead) {
                signalHead();
            }
        }
    }

    private static long remaining(long deadline, long now) {
        return deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - now;
    }

    /** {@return nanoseconds until {@code n} requests and {@code t} tokens are available, counting a pause} */
    private long rateWait(int n, long t, long now) {
        long wait = pausedUntil > now ? pausedUntil - now : 0;
        if (requests != null) {
            wait = Math.max(wait, requests.drainNanos(n, now));
        }
        if (tokens != null && t > 0) {
            wait = Math.max(wait, n == 1 ? tokens.waitNanos(t, now) : tokens.drainNanos(t, now));
        }
        return wait;
    }

    private void expire(long now) {
        if (requests != null) {
            requests.expire(now);
        }
        if (tokens != null) {
            tokens.expire(now);
        }
    }

    /** Takes the permits. @return the handle of the token reservation, or -1 without a token limit */
    private long grant(long estimate, long now) {
        if (requests != null) {
            requests.add(now, 1);
        }
        inFlight++;
        return tokens == null ? -1 : tokens.add(now, estimate);
    }

    private void signalHead() {
        Waiter head = queue.peekFirst();
        if (head != null) {
            head.condition.signal();
        }
    }

    /**
     * Gives back the concurrency slot of a call that ended, and settles its tokens: refunds
     * what the estimate overshot, charges what it undershot.
     *
     * @param estimate the tokens reserved
     * @param actual   the tokens the call used, or -1 when unknown (the estimate stands)
     * @param handle   what {@link #acquire} returned
     */
    void release(long estimate, long actual, long handle) {
        policy.recordRelease();
        lock.lock();
        try {
            inFlight--;
            if (tokens != null && handle >= 0 && actual >= 0 && actual != estimate) {
                tokens.adjust(handle, actual - estimate, policy.now());
            }
            signalHead();
        } finally {
            lock.unlock();
        }
    }

    /** Follows what the provider's headers say remains: tightens the windows, or pauses at zero. */
    void observe(RateLimitHeaders h, long now, long requestsResetAt, long tokensResetAt) {
        lock.lock();
        try {
            expire(now);
            if (h.requestsRemaining() >= 0) {
                if (requests != null) {
                    requests.tighten(h.requestsRemaining(), requestsResetAt, now);
                } else if (h.requestsRemaining() == 0) {
                    pauseUntil(requestsResetAt);
                }
            }
            if (h.tokensRemaining() >= 0) {
                if (tokens != null) {
                    tokens.tighten(h.tokensRemaining(), tokensResetAt, now);
                } else if (h.tokensRemaining() == 0) {
                    pauseUntil(tokensResetAt);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Grants nothing before {@code until} (the provider answered 429 and asked to wait). */
    void pauseUntil(long until) {
        lock.lock();
        try {
            pausedUntil = Math.max(pausedUntil, until);
        } finally {
            lock.unlock();
        }
    }

    private int positionOf(Waiter me) {
        int i = 0;
        for (Waiter w : queue) {
            if (w == me) {
                return i;
            }
            i++;
        }
        return i;
    }

    /**
     * Counts and describes a caller giving up.
     *
     * @param wait         the wait that was too long, or -1 when the deadline passed while waiting
     * @param ahead        callers ahead of this one
     * @param tokensNeeded the tokens the callers ahead and this one need
     * @param estimate     the tokens this one needs
     */
    private LlmException reject(long wait, long deadline, long now, int ahead, long tokensNeeded, long estimate) {
        policy.recordRejection();
        StringBuilder sb = new StringBuilder("rate limit: ");
        if (wait < 0) {
            if (ahead > 0) {
                sb.append(ahead).append(ahead == 1 ? " call was" : " calls were").append(" still ahead in line");
            } else {
                sb.append("all ").append(maxConcurrent).append(" concurrent call slots were still busy");
            }
            sb.append(" when the deadline passed");
        } else {
            sb.append("waiting for ").append(binding(ahead, tokensNeeded, estimate, now));
            if (ahead > 0) {
                sb.append(", behind ").append(ahead).append(ahead == 1 ? " waiting call" : " waiting calls");
            }
            sb.append(" would take ").append(Limiter.format(wait)).append(", more than the ")
                    .append(Limiter.format(Math.max(0, deadline - now))).append(" left before the deadline");
        }
        return LlmException.newBuilder(LlmException.Kind.RATE_LIMITED)
                .provider(provider)
                .message(sb.toString())
                .retryable(false)
                .build();
    }

    /** {@return which limit makes the longest wait, described for a message} */
    private String binding(int ahead, long tokensNeeded, long estimate, long now) {
        long pause = pausedUntil > now ? pausedUntil - now : 0;
        long r = requests == null ? 0 : requests.drainNanos(ahead + 1, now);
        long t = tokens == null ? 0
                : ahead == 0 ? tokens.waitNanos(tokensNeeded, now) : tokens.drainNanos(tokensNeeded, now);
        if (pause >= r && pause >= t) {
            return "the pause the provider asked for";
        }
        if (r >= t) {
            return "the request limit (" + policy.requestLimit() + ")";
        }
        return "the token limit (" + policy.tokenLimit() + "; this call reserves " + estimate + " tokens)";
    }

    /** Wakes the head of the line to look again; for tests that move a fake clock. */
    void wake() {
        lock.lock();
        try {
            signalHead();
        } finally {
            lock.unlock();
        }
    }

    /** {@return callers now in flight} */
    int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /** {@return the tokens available now; for tests} */
    long tokensAvailable() {
        lock.lock();
        try {
            tokens.expire(policy.now());
            return tokens.available();
        } finally {
            lock.unlock();
        }
    }
}
