package dev.parley.timeout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;

import dev.parley.ChatChunk;
import dev.parley.internal.flow.Relay;
import dev.parley.spi.CallScope;

/**
 * The timeouts of one stream: hooks on its {@link Relay} that note subscription, demand and
 * chunks, and the deadline they make: the first-chunk deadline until a chunk arrives, then the
 * idle deadline (paused while the subscriber has no demand outstanding), and never later than the
 * overall deadline. On expiry it fails the relay, which cancels the delegate's stream.
 *
 * <p>The stream is a task on the policy's {@link CallTimer}, and time is the timer's ticker's
 * nanoseconds ({@link System#nanoTime()}, read directly, on the system ticker). A chunk costs
 * one reading of the time and two ordered writes: the timer reads them when the deadline it knew
 * of passes, not the other way round.
 *
 * <p>Thread-safe: {@link #requested} runs in the relay's loop, {@link #received} on the
 * delegate's thread (one at a time), the deadline on the timer's thread.
 */
final class StreamWatch implements Relay.Hooks<ChatChunk>, CallTimer.Task {

    private static final VarHandle RECEIVED;
    private static final VarHandle LAST_ACTIVITY;
    private static final VarHandle HANDLE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            RECEIVED = lookup.findVarHandle(StreamWatch.class, "received", long.class);
            LAST_ACTIVITY = lookup.findVarHandle(StreamWatch.class, "lastActivity", long.class);
            HANDLE = lookup.findVarHandle(StreamWatch.class, "handle", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What {@link #handle} holds once the stream ended. */
    private static final Object ENDED = new Object();

    private final TimeoutPolicy policy;
    private final String provider;
    private final CallTimer timer;
    private final long firstChunkNanos;
    private final long idleNanos;
    private final boolean hasOverall;
    private final long overall;

    /** The timer's entry, once started; {@link #ENDED} once ended. */
    @SuppressWarnings("unused") // accessed through HANDLE
    private volatile Object handle;
    private volatile Relay.Control control;
    private volatile long subscribedAt;
    private volatile boolean unbounded;
    /** Items requested so far; written only by {@link #requested}. */
    private volatile long requested;
    /** Chunks received so far; written only by {@link #received}, with release semantics. */
    private long received;
    /** When the current gap between chunks began: the last chunk, or the moment demand resumed. */
    private long lastActivity;

    /**
     * @param policy   the limits
     * @param provider the delegate's name, for the error
     * @param scope    the call's scope, with its overall deadline if any
     * @param timer    the policy's timer
     */
    StreamWatch(TimeoutPolicy policy, String provider, CallScope scope, CallTimer timer) {
        this.policy = policy;
        this.provider = provider;
        this.timer = timer;
        this.firstChunkNanos = policy.firstChunkLimit().toNanos();
        this.idleNanos = policy.idleTimeout().toNanos();
        Duration left = scope.remaining(timer.ticker());
        this.hasOverall = left != null;
        this.overall = left == null ? 0 : saturatedAdd(timer.now(), nanos(left));
    }

    @Override
    public void started(Relay.Control control) {
        this.control = control;
        long now = timer.now();
        subscribedAt = now;
        CallTimer.Entry e = timer.schedule(deadline(now), this);
        if (!HANDLE.compareAndSet(this, null, e)) {
            timer.stop(e); // ended already
        }
    }

    @Override
    public void requested(long n) {
        long got = (long) RECEIVED.getAcquire(this);
        long before = requested;
        if (!unbounded && before - got <= 0 && got > 0) {
            LAST_ACTIVITY.setRelease(this, timer.now()); // demand resumed: the gap starts now
        }
        if (n == Long.MAX_VALUE) {
            unbounded = true;
            return;
        }
        requested = before + n;
    }

    @Override
    public void received(ChatChunk chunk) {
        LAST_ACTIVITY.setRelease(this, timer.now());
        RECEIVED.setRelease(this, received + 1);
    }

    @Override
    public void ended(Relay.End end, Throwable error) {
        Object h = HANDLE.getAndSet(this, ENDED);
        if (h instanceof CallTimer.Entry e) {
            timer.stop(e);
        }
    }

    @Override
    public long deadline(long now) {
        long got = (long) RECEIVED.getAcquire(this); // before the demand, which never trails it
        long at;
        if (got == 0) {
            at = subscribedAt + firstChunkNanos;
            if (now + idleNanos - at < 0) {
                // The first chunk starts the idle limit, which may then end before this deadline:
                // look again within an idle period.
                at = now + idleNanos;
            }
        } else if (!unbounded && requested - got <= 0) {
            at = now + idleNanos; // paused: look again later
        } else {
            at = (long) LAST_ACTIVITY.getAcquire(this) + idleNanos;
        }
        return hasOverall && overall - at < 0 ? overall : at;
    }

    @Override
    public void expired(long now) {
        if (handle == ENDED) {
            return; // the stream ended as the deadline passed
        }
        TimeoutPolicy.Limit limit = hasOverall && now - overall >= 0 ? TimeoutPolicy.Limit.DEADLINE
                : (long) RECEIVED.getAcquire(this) == 0 ? policy.firstChunkLimitKind()
                : TimeoutPolicy.Limit.IDLE;
        control.fail(policy.timedOut(provider, limit, Duration.ofNanos(now - subscribedAt), null));
    }

    private static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (b < 0 ? Long.MIN_VALUE / 4 : Long.MAX_VALUE / 4) : r;
    }
}
