package dev.parley.internal.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import dev.parley.spi.Ticker;

/**
 * A Redis client on the JDK alone: a pool of at most {@code poolSize} blocking sockets (cheap
 * for virtual threads, which park while they wait for a connection or a reply), pipelining, AUTH
 * with a user (ACL) or a password, TLS, and a deadline on every command.
 *
 * <p>When Redis cannot be reached the client says so at once instead of waiting: after a failed
 * connection attempt, the next is allowed only after a backoff (from 50 ms, doubling up to
 * {@code maxBackoff}, with jitter), and commands in between fail with an {@code UNAVAILABLE}
 * {@link RedisException} without touching the network. A connection that fails is closed, and so
 * are the idle ones (after a restart of Redis they are all stale). The client starts no thread;
 * reconnection happens on the next command after the backoff.
 *
 * <p>Thread-safe.
 */
public final class RedisClient implements AutoCloseable {

    private static final long FIRST_BACKOFF_NANOS = 50_000_000L;

    private final RedisSettings settings;
    private final Ticker clock;
    private final Semaphore permits;
    private final ConcurrentLinkedDeque<RedisConnection> idle = new ConcurrentLinkedDeque<>();
    private final long commandTimeoutNanos;
    private final long connectTimeoutNanos;
    private final long maxBackoffNanos;
    private final ReentrantLock stateLock = new ReentrantLock();
    // Guarded by stateLock.
    private boolean up = true;
    private Instant since;
    private String lastError;
    private long backoffNanos;
    private long nextAttempt = Long.MIN_VALUE;
    private volatile boolean closed;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();

    /**
     * Creates a client; it connects on first use.
     *
     * @param settings where Redis is
     */
    public RedisClient(RedisSettings settings) {
        this(settings, Ticker.system());
    }

    RedisClient(RedisSettings settings, Ticker clock) {
        this.settings = settings;
        this.clock = clock;
        this.permits = new Semaphore(settings.poolSize, true);
        this.commandTimeoutNanos = settings.commandTimeout.toNanos();
        this.connectTimeoutNanos = settings.connectTimeout.toNanos();
        this.maxBackoffNanos = settings.maxBackoff.toNanos();
        this.since = clock.instant();
    }

    RedisSettings settings() {
        return settings;
    }

    /**
     * {@return the reply to one command; an error reply is thrown}
     *
     * @param command the command and its arguments ({@code byte[]} as is, others as UTF-8 text)
     * @throws RedisException REPLY for an error reply, UNAVAILABLE if Redis cannot answer in time
     */
    public Object call(Object... command) {
        Object reply = pipeline(List.<Object[]>of(command)).get(0);
        if (reply instanceof RedisException e) {
            throw e;
        }
        return reply;
    }

    /**
     * Sends the commands together and returns their replies in order; an error reply is an
     * element (a {@link RedisException}), not thrown.
     *
     * @param commands the commands
     * @return the replies
     * @throws RedisException UNAVAILABLE if Redis cannot answer them all in time
     */
    public List<Object> pipeline(List<Object[]> commands) {
        long deadline = System.nanoTime() + commandTimeoutNanos;
        if (closed) {
            throw RedisException.unavailable("the Redis client is closed");
        }
        try {
            if (!permits.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw RedisException.unavailable("no Redis connection free in time (all " + settings.poolSize + " busy)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RedisException.unavailable("interrupted while waiting for a Redis connection");
        }
        RedisConnection c = null;
        try {
            c = idle.pollFirst();
            if (c == null) {
                c = connect(deadline);
            }
            sent.addAndGet(commands.size());
            List<Object> replies = c.execute(commands, deadline);
            markUp();
            return replies;
        } catch (RedisException e) {
            // An interrupted caller (a cancelled call) breaks its own connection; Redis is not down for that.
            if (e.unavailable() && !Thread.currentThread().isInterrupted()) {
                failures.incrementAndGet();
                markDown(e.backingOff() ? null : e.getMessage()); // a refusal in the backoff repeats the last error
                drainIdle();
            }
            throw e;
        } finally {
            if (c != null && !c.broken()) {
                if (closed) {
                    c.close();
                } else {
                    idle.offerFirst(c);
                }
            }
            permits.release();
        }
    }

    private RedisConnection connect(long deadline) {
        long now = System.nanoTime();
        stateLock.lock();
        try {
            if (nextAttempt != Long.MIN_VALUE && now - nextAttempt < 0) {
                throw RedisException.backingOff("Redis at " + settings.address() + " is unavailable (" + lastError
                        + "); next attempt in " + Math.ceilDiv(nextAttempt - now, 1_000_000L) + " ms");
            }
        } finally {
            stateLock.unlock();
        }
        try {
            RedisConnection c = RedisConnection.open(settings, Math.min(deadline, now + connectTimeoutNanos));
            connects.incrementAndGet();
            stateLock.lock();
            try {
                backoffNanos = 0;
                nextAttempt = Long.MIN_VALUE;
            } finally {
                stateLock.unlock();
            }
            return c;
        } catch (RedisException e) {
            if (e.unavailable()) {
                stateLock.lock();
                try {
                    backoffNanos = backoffNanos == 0 ? FIRST_BACKOFF_NANOS : Math.min(maxBackoffNanos, backoffNanos * 2);
                    long jittered = backoffNanos / 2 + ThreadLocalRandom.current().nextLong(backoffNanos / 2 + 1);
                    nextAttempt = System.nanoTime() + jittered;
                } finally {
                    stateLock.unlock();
                }
            }
            throw e;
        }
    }

    private void markUp() {
        stateLock.lock();
        try {
            if (!up) {
                up = true;
                since = clock.instant();
            }
        } finally {
            stateLock.unlock();
        }
    }

    private void markDown(String error) {
        stateLock.lock();
        try {
            if (error != null) {
                lastError = error;
            }
            if (up) {
                up = false;
                since = clock.instant();
            }
        } finally {
            stateLock.unlock();
        }
    }

    private void drainIdle() {
        RedisConnection c;
        while ((c = idle.pollFirst()) != null) {
            c.close();
        }
    }

    /**
     * {@return the result of a Lua script}: {@code EVALSHA}, and on {@code NOSCRIPT} (a Redis
     * that restarted or flushed its scripts) {@code EVAL}, which also caches it again.
     *
     * @param script the script
     * @param keys   the keys it touches
     * @param args   its other arguments
     * @throws RedisException as {@link #call(Object...)}
     */
    public Object eval(Script script, List<String> keys, List<?> args) {
        Object[] command = new Object[3 + keys.size() + args.size()];
        command[0] = "EVALSHA";
        command[1] = script.sha1();
        command[2] = keys.size();
        int i = 3;
        for (String k : keys) {
            command[i++] = k;
        }
        for (Object a : args) {
            command[i++] = a;
        }
        try {
            return call(command);
        } catch (RedisException e) {
            if (!"NOSCRIPT".equals(e.code())) {
                throw e;
            }
            command[0] = "EVAL";
            command[1] = script.source();
            return call(command);
        }
    }

    /**
     * {@return whether Redis answered the last command, since when, and the last failure}
     */
    public Status status() {
        stateLock.lock();
        try {
            return new Status(up, since, lastError, sent.get(), failures.get(), connects.get());
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * The client's state.
     *
     * @param up        whether the last command was answered
     * @param since     when {@code up} last changed (or the client was made)
     * @param lastError the last failure (host and port, never a password), or null
     * @param commands  commands sent
     * @param failures  commands that could not be answered
     * @param connects  connections opened
     */
    public record Status(boolean up, Instant since, String lastError, long commands, long failures, long connects) {
    }

    /** Closes every connection; commands after this fail. */
    @Override
    public void close() {
        closed = true;
        drainIdle();
    }

    @Override
    public String toString() {
        return "RedisClient[" + settings + "]";
    }

    /**
     * A Lua script, with its SHA-1 for {@code EVALSHA}.
     *
     * @param source the Lua source
     * @param sha1   its SHA-1, in lowercase hex
     */
    public record Script(String source, String sha1) {

        /**
         * {@return the script with its hash}
         *
         * @param source the Lua source
         */
        public static Script of(String source) {
            try {
                byte[] d = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
                return new Script(source, HexFormat.of().formatHex(d));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** {@return {@code reply} as a list, or a protocol failure} */
    static List<Object> list(Object reply) {
        if (reply instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        throw RedisException.unavailable("unexpected reply from Redis");
    }
}
