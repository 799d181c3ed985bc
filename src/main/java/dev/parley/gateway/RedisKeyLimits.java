package dev.parley.gateway;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.internal.redis.RedisLimiter;
import dev.parley.internal.redis.RedisLimiter.Decision;
import dev.parley.internal.redis.RedisLimiter.Grant;
import dev.parley.internal.redis.RedisLimiter.Lease;
import dev.parley.internal.redis.RedisLimiter.Need;

/**
 * {@link KeyLimits} shared by every gateway instance on one Redis: each key's requests and tokens
 * per minute are sliding windows on Redis's clock, and its requests at once are leases; the three
 * are checked and taken in one atomic round trip ({@link RedisLimiter}), by key name (never the
 * key). After the call, one more round trip frees the lease and replaces the token estimate by
 * what the call used.
 *
 * <p>A lease lasts {@link #LEASE_TTL} unless renewed: while the gateway runs, a virtual thread
 * renews the leases of the calls still running every third of that, so a long stream keeps its
 * place, and an instance that dies frees its places within a minute.
 *
 * <p>While Redis cannot be reached, each instance decides alone with every limit divided by
 * {@code PARLEY_REDIS_INSTANCES} (at least 1), and the decision is counted in the shared state's
 * health. Thread-safe.
 */
final class RedisKeyLimits implements KeyLimits, AutoCloseable {

    /** How long a call's place among a key's requests at once lasts unless renewed. */
    static final Duration LEASE_TTL = Duration.ofSeconds(60);
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final long MAX = 1_000_000_000_000L;
    private static final System.Logger LOG = System.getLogger("dev.parley.gateway");

    private final RedisLimiter limiter;
    private final Duration leaseTtl;
    /** The grants of calls running with a lease on Redis, which the keeper renews. */
    private final Set<Grant> leased = ConcurrentHashMap.newKeySet();
    private final ReentrantLock keeperLock = new ReentrantLock();
    private Thread keeper; // guarded by keeperLock
    private volatile boolean closed;

    RedisKeyLimits(RedisLimiter limiter, Duration leaseTtl) {
        this.limiter = limiter;
        this.leaseTtl = leaseTtl;
    }

    @Override
    public Permit acquire(VirtualKey key, long tokens) {
        if (key.rpm() == 0 && key.tpm() == 0 && key.concurrency() == 0) {
            return Permit.NONE;
        }
        List<Need> needs = new ArrayList<>(2);
        if (key.rpm() > 0) {
            needs.add(new Need("requests", Math.min(key.rpm(), MAX), MINUTE, 1));
        }
        long estimate = Math.max(0, Math.min(tokens, MAX));
        if (key.tpm() > 0) {
            needs.add(new Need("tokens", Math.min(key.tpm(), MAX), MINUTE, estimate));
        }
        Lease lease = key.concurrency() > 0 ? new Lease(key.concurrency(), leaseTtl) : null;
        Decision d = limiter.acquire(key.name(), needs, lease);
        if (!d.admitted()) {
            throw refused(key, d, needs);
        }
        Grant grant = d.grant();
        if (grant.leasedOnRedis()) {
            leased.add(grant);
        }
        boolean countsTokens = key.tpm() > 0;
        AtomicBoolean released = new AtomicBoolean();
        return actualTokens -> {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            leased.remove(grant);
            long delta = countsTokens && actualTokens >= 0 ? Math.min(actualTokens, MAX) - estimate : 0;
            limiter.release(grant, delta != 0 ? "tokens" : null, delta);
        };
    }

    /** {@return the 429 for a refused decision, naming the limit that refused it} */
    private static ApiError refused(VirtualKey key, Decision d, List<Need> needs) {
        String what;
        long limit;
        if (d.leaseRefused()) {
            what = "concurrent requests";
            limit = key.concurrency();
        } else {
            int i = 0;
            while (i < needs.size() - 1 && d.remaining().get(i) >= needs.get(i).amount()) {
                i++;
            }
            what = needs.get(i).name().equals("requests") ? "requests per minute" : "tokens per minute";
            limit = needs.get(i).name().equals("requests") ? key.rpm() : key.tpm();
        }
        long seconds = Math.max(1, TimeUnit.MILLISECONDS.toSeconds(d.retryAfter().toMillis() + 999));
        return new ApiError(429, "rate_limit_error", "rate_limit_exceeded", null,
                "Rate limit reached for key '" + key.name() + "': " + limit + " " + what + ". Retry in " + seconds + " s.")
                .withHeader("Retry-After", Long.toString(seconds));
    }

    /** Starts renewing the leases of running calls, on a virtual thread, until {@link #close()}. */
    void start() {
        keeperLock.lock();
        try {
            if (keeper != null || closed) {
                return;
            }
            long every = Math.max(1, leaseTtl.toNanos() / 3);
            keeper = Thread.ofVirtual().name("parley-gateway-leases").start(() -> {
                while (!closed) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(every); // a timer: leases are renewed every third of their life
                    } catch (InterruptedException e) {
                        return;
                    }
                    try {
                        limiter.renew(List.copyOf(leased));
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "gateway: renewing the leases of running calls failed", e);
                    }
                }
            });
        } finally {
            keeperLock.unlock();
        }
    }

    /** Stops renewing leases and waits (a second at most) for the renewing thread to end. */
    @Override
    public void close() {
        Thread t;
        keeperLock.lock();
        try {
            closed = true;
            t = keeper;
        } finally {
            keeperLock.unlock();
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@return whether the renewing thread runs, for tests} */
    boolean renewing() {
        keeperLock.lock();
        try {
            return keeper != null && keeper.isAlive();
        } finally {
            keeperLock.unlock();
        }
    }

    /** {@return how many running calls hold a lease on Redis, for tests} */
    int leasesHeld() {
        return leased.size();
    }

    @Override
    public String toString() {
        return "RedisKeyLimits[leases held=" + leased.size() + "]";
    }
}
