package dev.parley.retry;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.parley.ChatChunk;
import dev.parley.retry.internal.Relay;

/**
 * The timeouts of one stream: hooks on its {@link Relay} that note subscription, demand and
 * chunks, and the {@link Watchdog.Timer} that turns them into the next deadline: the first-chunk
 * deadline until a chunk arrives, then the idle deadline (paused while the subscriber has no
 * demand outstanding), and never later than the overall deadline. On expiry it fails the relay,
 * which cancels the delegate's stream. Thread-safe.
 */
final class StreamWatch implements Relay.Hooks<ChatChunk>, Watchdog.Timer {

    private static final Watchdog ENDED = new Watchdog(null, null, null);

    private final TimeoutPolicy policy;
    private final String provider;
    private final Instant overall;
    private final AtomicReference<Watchdog> watchdog = new AtomicReference<>();
    private final AtomicLong outstanding = new AtomicLong();
    private volatile boolean unbounded;
    private volatile Relay.Control control;
    private volatile Instant subscribedAt;
    /** When the first chunk arrived; null before. */
    private volatile Instant firstChunkAt;
    /** When the current gap between chunks began: the last chunk, or the moment demand resumed. */
    private volatile Instant idleSince;

    StreamWatch(TimeoutPolicy policy, String provider, Instant overall) {
        this.policy = policy;
        this.provider = provider;
        this.overall = overall;
    }

    @Override
    public void started(Relay.Control control) {
        this.control = control;
        subscribedAt = policy.clock().instant();
        Watchdog w = new Watchdog(policy.clock(), policy.sleeper(), this);
        if (watchdog.compareAndSet(null, w)) {
            w.start();
        }
    }

    @Override
    public void requested(long n) {
        if (n == Long.MAX_VALUE) {
            unbounded = true;
        } else if (outstanding.getAndAdd(n) <= 0 && firstChunkAt != null) {
            idleSince = policy.clock().instant(); // demand resumed: the gap starts now
        }
    }

    @Override
    public void received(ChatChunk chunk) {
        if (!unbounded) {
            outstanding.decrementAndGet();
        }
        Instant now = policy.clock().instant();
        idleSince = now;
        if (firstChunkAt == null) {
            firstChunkAt = now;
        }
    }

    @Override
    public void ended(Relay.End end, Throwable error) {
        Watchdog w = watchdog.getAndSet(ENDED);
        if (w != null && w != ENDED) {
            w.stop();
        }
    }

    @Override
    public Instant deadline(Instant now) {
        Instant at;
        if (firstChunkAt == null) {
            at = subscribedAt.plus(policy.firstChunkTimeout());
        } else if (!unbounded && outstanding.get() <= 0) {
            at = now.plus(policy.idleTimeout()); // paused: look again later
        } else {
            at = idleSince.plus(policy.idleTimeout());
        }
        return overall != null && overall.isBefore(at) ? overall : at;
    }

    @Override
    public void expired(Instant now) {
        TimeoutPolicy.Limit limit = overall != null && !now.isBefore(overall) ? TimeoutPolicy.Limit.DEADLINE
                : firstChunkAt == null ? TimeoutPolicy.Limit.FIRST_CHUNK
                : TimeoutPolicy.Limit.IDLE;
        control.fail(policy.timedOut(provider, limit, Duration.between(subscribedAt, now), null));
    }
}
