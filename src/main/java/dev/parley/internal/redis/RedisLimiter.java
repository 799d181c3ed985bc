package dev.parley.internal.redis;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sliding-window limits shared by every instance that uses the same Redis: at most {@code limit}
 * units (requests, tokens ...) in any window, per key. One {@link #acquire} is one
 * {@code EVALSHA} round trip that checks every window of the key and, only if all have room,
 * takes from all of them, atomically; it never waits, it answers with the time to retry.
 *
 * <p>Each window is a sorted set of grants scored by their time on Redis's clock (so instances
 * with skewed clocks still agree) and a running sum; grants leave it one window after they were
 * made. An amount larger than the whole limit is admitted into an empty window (a single large
 * call is never refused for ever). An amount can be corrected after the call ({@link #adjust}),
 * such as estimated tokens to the tokens used.
 *
 * <p>A call may also take a {@link Lease}, one of at most {@code limit} places held at once
 * (calls in flight), in the same round trip: a sorted set of leases scored by their expiry on
 * Redis's clock. {@link #release} gives the place back (and corrects an amount, in the same round
 * trip); a lease that is never released, because its instance died, expires after its time to
 * live, and {@link #renew} extends the leases of calls still running.
 *
 * <p>While Redis cannot be reached, each instance decides alone, with each limit divided by the
 * number of instances ({@code PARLEY_REDIS_INSTANCES}, at least 1 per window and 1 lease), so
 * that together they stay within the limit; the decision says it was local, and it is counted.
 * Thread-safe.
 *
 * <p>Keys are identifiers (a virtual key's id), never secrets: they are visible in Redis.
 */
public final class RedisLimiter {

    /**
     * ARGV: the number of windows n, the grant's id, then limit, window (µs) and amount per window,
     * then, when KEYS has a lease set after the 2n window keys, the most leases and their time to
     * live (µs). Up to 100 grants are read at once when computing the time to retry.
     */
    private static final RedisClient.Script ACQUIRE = RedisClient.Script.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local n = tonumber(ARGV[1])
            local id = ARGV[2]
            local used = {}
            local wait = 0
            local ok = true
            for i = 1, n do
              local log, sum = KEYS[2 * i - 1], KEYS[2 * i]
              local limit, window, amount = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
              local cutoff = now - window
              local u = tonumber(redis.call('GET', sum) or '0')
              local old = redis.call('ZRANGEBYSCORE', log, '-inf', cutoff)
              if #old > 0 then
                for _, m in ipairs(old) do u = u - tonumber(string.match(m, '(%d+)$')) end
                redis.call('ZREMRANGEBYSCORE', log, '-inf', cutoff)
              end
              if u < 0 or redis.call('ZCARD', log) == 0 then u = 0 end
              used[i] = u
              if amount > 0 and u > 0 and u + amount > limit then
                ok = false
                local excess = u + math.min(amount, limit) - limit
                local freed, start, w = 0, 0, window
                while true do
                  local batch = redis.call('ZRANGE', log, start, start + 99, 'WITHSCORES')
                  if #batch == 0 then break end
                  local found = false
                  for j = 1, #batch, 2 do
                    freed = freed + tonumber(string.match(batch[j], '(%d+)$'))
                    if freed >= excess then w = tonumber(batch[j + 1]) + window - now; found = true; break end
                  end
                  if found then break end
                  start = start + 100
                end
                if w > wait then wait = w end
              end
            end
            local lease = KEYS[2 * n + 1]
            local leaseFull = 0
            if lease then
              redis.call('ZREMRANGEBYSCORE', lease, '-inf', now)
              if redis.call('ZCARD', lease) >= tonumber(ARGV[3 * n + 3]) then
                ok = false
                leaseFull = 1
                if wait < 1000000 then wait = 1000000 end
              end
            end
            for i = 1, n do
              local log, sum = KEYS[2 * i - 1], KEYS[2 * i]
              local window, amount = tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
              local ttl = math.ceil(window / 1000) + 1000
              if ok and amount > 0 then
                redis.call('ZADD', log, now, string.format('%.0f', now) .. ':' .. id .. ':' .. string.format('%.0f', amount))
                used[i] = used[i] + amount
              end
              redis.call('SET', sum, string.format('%.0f', used[i]), 'PX', ttl)
              redis.call('PEXPIRE', log, ttl)
            end
            if lease and ok then
              local ttl = tonumber(ARGV[3 * n + 4])
              redis.call('ZADD', lease, now + ttl, id)
              redis.call('PEXPIRE', lease, math.ceil(ttl / 1000) + 1000)
            end
            local out = {ok and 1 or 0, math.ceil(wait / 1000), string.format('%.0f', now), leaseFull}
            for i = 1, n do out[#out + 1] = tonumber(ARGV[3 * i]) - used[i] end
            return out
            """);

    /**
     * Ends or corrects a grant. ARGV[1] '1' when KEYS[1] is a lease set to remove the member
     * ARGV[2] from; then, when two more keys (a window's log and sum) follow: the grant's member in
     * the log, the delta, the window (µs) and the grant's id. A grant that is still in its window
     * changes its amount; a charge for one that left is logged now.
     */
    private static final RedisClient.Script RELEASE = RedisClient.Script.of("""
            local k = 1
            if ARGV[1] == '1' then
              redis.call('ZREM', KEYS[1], ARGV[2])
              k = 2
            end
            if not KEYS[k] then return 1 end
            local log, sum = KEYS[k], KEYS[k + 1]
            local member, delta, window = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
            local ttl = math.ceil(window / 1000) + 1000
            local score = redis.call('ZSCORE', log, member)
            local u = tonumber(redis.call('GET', sum) or '0')
            if score then
              local old = tonumber(string.match(member, '(%d+)$'))
              local new = math.max(0, old + delta)
              redis.call('ZREM', log, member)
              redis.call('ZADD', log, score, string.match(member, '^(.*:)') .. string.format('%.0f', new))
              u = math.max(0, u + new - old)
            elseif delta > 0 then
              local t = redis.call('TIME')
              local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
              redis.call('ZADD', log, now, string.format('%.0f', now) .. ':' .. ARGV[6] .. ':' .. string.format('%.0f', delta))
              u = u + delta
            else
              return 1
            end
            redis.call('SET', sum, string.format('%.0f', u), 'PX', ttl)
            redis.call('PEXPIRE', log, ttl)
            return 1
            """);

    /** Moves the expiry of the leases ARGV[2..] that are still held to now plus ARGV[1] µs. */
    private static final RedisClient.Script RENEW = RedisClient.Script.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local ttl = tonumber(ARGV[1])
            for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[i]) end
            redis.call('PEXPIRE', KEYS[1], math.ceil(ttl / 1000) + 1000)
            return 1
            """);

    /**
     * One window to take from.
     *
     * @param name   the window's name within the key, such as {@code "requests"} or {@code "tokens"}
     * @param limit  the most units in any window, at least 1
     * @param window the window, from 1 ms to 31 days
     * @param amount the units this call takes, 0 or more
     */
    public record Need(String name, long limit, Duration window, long amount) {

        /** Checks the values. */
        public Need {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty() || name.length() > 64 || name.chars().anyMatch(c -> c <= ' ' || c == '{' || c == '}')) {
                throw new IllegalArgumentException("name must be 1 to 64 characters without whitespace or braces");
            }
            if (limit < 1 || limit > 1_000_000_000_000L) {
                throw new IllegalArgumentException("limit must be from 1 to 10^12, got " + limit);
            }
            if (window.compareTo(Duration.ofMillis(1)) < 0 || window.compareTo(Duration.ofDays(31)) > 0) {
                throw new IllegalArgumentException("window must be from 1 ms to 31 days, got " + window);
            }
            if (amount < 0 || amount > 1_000_000_000_000L) {
                throw new IllegalArgumentException("amount must be from 0 to 10^12, got " + amount);
            }
        }
    }

    /**
     * A place among at most {@code limit} held at once, for as long as a call runs.
     *
     * @param limit the most leases held at once, from 1 to 1,000,000
     * @param ttl   how long a lease lasts unless {@linkplain #renew renewed} or released, from
     *              1 ms to 1 day: how long the places of an instance that died stay taken
     */
    public record Lease(int limit, Duration ttl) {

        /** Checks the values. */
        public Lease {
            if (limit < 1 || limit > 1_000_000) {
                throw new IllegalArgumentException("lease limit must be from 1 to 1000000, got " + limit);
            }
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.compareTo(Duration.ofMillis(1)) < 0 || ttl.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("lease ttl must be from 1 ms to 1 day, got " + ttl);
            }
        }
    }

    /**
     * The answer to {@link #acquire}.
     *
     * @param admitted    whether the call may go (and took its amounts, and its lease)
     * @param remaining   for each need, what its window has left after this call (at least 0)
     * @param retryAfter  when refused, how long until there is room (for a full lease set, 1 s);
     *                    otherwise zero
     * @param shared      true when Redis decided; false when this instance decided alone (Redis down)
     * @param grant       what to {@link #adjust} or {@link #release} later; null when refused
     * @param leaseRefused whether it was refused because every lease was held
     */
    public record Decision(boolean admitted, List<Long> remaining, Duration retryAfter, boolean shared, Grant grant,
                           boolean leaseRefused) {
    }

    /** What a call took, to correct and release later. Opaque. */
    public static final class Grant {
        private final String key;
        private final List<Need> needs;
        private final String member;
        private final String id;
        private final LocalWindow[] local;
        private final int[] localIds;
        private final Lease lease;
        /** The place taken on this instance while Redis was down, or null. */
        private final LocalLeases localLease;
        private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

        private Grant(String key, List<Need> needs, String member, String id, LocalWindow[] local, int[] localIds,
                      Lease lease, LocalLeases localLease) {
            this.key = key;
            this.needs = needs;
            this.member = member;
            this.id = id;
            this.local = local;
            this.localIds = localIds;
            this.lease = lease;
            this.localLease = localLease;
        }

        /** {@return whether this grant holds a lease on Redis, which {@link #renew} can extend} */
        public boolean leasedOnRedis() {
            return lease != null && localLease == null && !released.get();
        }
    }

    private final SharedState state;
    private final String instanceId;
    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentHashMap<String, LocalWindow> localWindows = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LocalLeases> localLeases = new ConcurrentHashMap<>();
    private final LongAdder localDecisions = new LongAdder();

    RedisLimiter(SharedState state) {
        this.state = state;
        this.instanceId = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
    }

    /** {@return how many decisions were made locally because Redis was down} */
    public long localDecisions() {
        return localDecisions.sum();
    }

    private String logKey(String key, String name) {
        return state.settings().prefix + "limit:{" + key + "}:" + name;
    }

    private String leaseKey(String key) {
        return state.settings().prefix + "lease:{" + key + "}";
    }

    /**
     * Takes every need's amount from its window for {@code key}, or none if any window lacks room.
     *
     * @param key   the key (an identifier, not a secret), 1 to 256 characters without braces
     * @param needs the windows and amounts, at least one, distinct names
     * @return the decision; never throws for Redis being down
     */
    public Decision acquire(String key, List<Need> needs) {
        if (needs.isEmpty()) {
            throw new IllegalArgumentException("needs must not be empty");
        }
        return acquire(key, needs, null);
    }

    /**
     * Takes every need's amount from its window for {@code key} and, when {@code lease} is
     * given, one of its places, all in one atomic round trip; or nothing if any lacks room.
     *
     * @param key   the key (an identifier, not a secret), 1 to 256 characters without braces
     * @param needs the windows and amounts, distinct names; may be empty when there is a lease
     * @param lease the places held at once, or null for none
     * @return the decision; never throws for Redis being down. An admitted call with a lease must
     *         be {@linkplain #release released} when it ends
     */
    public Decision acquire(String key, List<Need> needs, Lease lease) {
        checkKey(key);
        if (needs.isEmpty() && lease == null) {
            throw new IllegalArgumentException("needs must not be empty without a lease");
        }
        List<String> keys = new ArrayList<>(needs.size() * 2 + 1);
        List<Object> args = new ArrayList<>(needs.size() * 3 + 4);
        String id = instanceId + "." + sequence.incrementAndGet();
        args.add(needs.size());
        args.add(id);
        for (Need need : needs) {
            keys.add(logKey(key, need.name()));
            keys.add(logKey(key, need.name()) + ":sum");
            args.add(need.limit());
            args.add(need.window().toNanos() / 1000);
            args.add(need.amount());
        }
        if (keys.stream().distinct().count() != keys.size()) {
            throw new IllegalArgumentException("needs must have distinct names");
        }
        if (lease != null) {
            keys.add(leaseKey(key));
            args.add(lease.limit());
            args.add(lease.ttl().toNanos() / 1000);
        }
        try {
            List<Object> reply = RedisClient.list(state.client().eval(ACQUIRE, keys, args));
            boolean admitted = (Long) reply.get(0) == 1L;
            long waitMillis = (Long) reply.get(1);
            String now = new String((byte[]) reply.get(2), java.nio.charset.StandardCharsets.US_ASCII);
            boolean leaseFull = (Long) reply.get(3) == 1L;
            List<Long> remaining = new ArrayList<>(needs.size());
            for (int i = 0; i < needs.size(); i++) {
                remaining.add(Math.max(0, (Long) reply.get(4 + i)));
            }
            return new Decision(admitted, List.copyOf(remaining), Duration.ofMillis(admitted ? 0 : Math.max(1, waitMillis)),
                    true, admitted ? new Grant(key, List.copyOf(needs), now + ":" + id + ":", id, null, null, lease, null) : null,
                    leaseFull);
        } catch (RedisException | ClassCastException | IndexOutOfBoundsException e) {
            if (e instanceof RedisException re && !re.unavailable()) {
                state.recordFailure(re);
            }
            return local(key, needs, lease);
        }
    }

    /**
     * Corrects the amount a grant took for the need named {@code name} by {@code delta} units (a
     * refund when negative), once per need. Best effort: when Redis is down the correction is
     * dropped (and counted as a failure).
     *
     * @param grant the grant
     * @param name  the need's name
     * @param delta units to add (or remove, when negative)
     */
    public void adjust(Grant grant, String name, long delta) {
        int i = needIndex(grant, name);
        if (delta == 0) {
            return;
        }
        if (grant.local != null) {
            grant.local[i].adjust(grant.localIds[i], delta);
            return;
        }
        run(grant, false, i, delta);
    }

    /**
     * Ends a call: gives its lease's place back and, when {@code name} is not null, corrects the
     * amount it took for that need by {@code delta} (as {@link #adjust}); one round trip. Only the
     * first release of a grant does anything. Best effort: when Redis is down, the correction is
     * dropped and the lease expires after its time to live (counted as a failure).
     *
     * @param grant the grant
     * @param name  the need to correct, or null
     * @param delta units to add (or remove, when negative) to that need
     */
    public void release(Grant grant, String name, long delta) {
        int i = name == null ? -1 : needIndex(grant, name);
        if (!grant.released.compareAndSet(false, true)) {
            return;
        }
        if (grant.local != null || grant.localLease != null) {
            if (grant.localLease != null) {
                grant.localLease.release();
            }
            if (i >= 0 && delta != 0 && grant.local != null) {
                grant.local[i].adjust(grant.localIds[i], delta);
            }
            return;
        }
        boolean lease = grant.lease != null;
        if (!lease && (i < 0 || delta == 0)) {
            return;
        }
        run(grant, lease, delta == 0 ? -1 : i, delta);
    }

    private void run(Grant grant, boolean lease, int need, long delta) {
        List<String> keys = new ArrayList<>(3);
        List<Object> args = new ArrayList<>(6);
        args.add(lease ? "1" : "0");
        args.add(grant.id);
        if (lease) {
            keys.add(leaseKey(grant.key));
        }
        if (need >= 0) {
            Need n = grant.needs.get(need);
            String log = logKey(grant.key, n.name());
            keys.add(log);
            keys.add(log + ":sum");
            args.add(grant.member + n.amount());
            args.add(delta);
            args.add(n.window().toNanos() / 1000);
            args.add(grant.id);
        }
        try {
            state.client().eval(RELEASE, keys, args);
        } catch (RedisException e) {
            state.recordFailure(e);
        }
    }

    /**
     * Extends the leases of calls still running to their time to live from now, one round trip
     * per key; grants released, without a lease, or leased while Redis was down are skipped. Best
     * effort: a lease Redis cannot extend expires.
     *
     * @param grants the grants of the calls running
     */
    public void renew(java.util.Collection<Grant> grants) {
        java.util.Map<String, List<Grant>> byKey = new java.util.HashMap<>();
        for (Grant g : grants) {
            if (g.leasedOnRedis()) {
                byKey.computeIfAbsent(g.key, k -> new ArrayList<>()).add(g);
            }
        }
        for (java.util.Map.Entry<String, List<Grant>> e : byKey.entrySet()) {
            // One time to live per round trip: the longest among the key's grants (they share it in practice).
            long ttl = 0;
            List<Object> args = new ArrayList<>(e.getValue().size() + 1);
            args.add(0L);
            for (Grant g : e.getValue()) {
                ttl = Math.max(ttl, g.lease.ttl().toNanos() / 1000);
                args.add(g.id);
            }
            args.set(0, ttl);
            try {
                state.client().eval(RENEW, List.of(leaseKey(e.getKey())), args);
            } catch (RedisException ex) {
                state.recordFailure(ex);
            }
        }
    }

    private static int needIndex(Grant grant, String name) {
        int i = 0;
        while (i < grant.needs.size() && !grant.needs.get(i).name().equals(name)) {
            i++;
        }
        if (i == grant.needs.size()) {
            throw new IllegalArgumentException("no need named " + name + " in this grant");
        }
        return i;
    }

    private static void checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.length() > 256 || key.indexOf('{') >= 0 || key.indexOf('}') >= 0) {
            throw new IllegalArgumentException("key must be 1 to 256 characters without braces");
        }
    }

    /** Decides on this instance alone, with each limit divided by the instance count. */
    private Decision local(String key, List<Need> needs, Lease lease) {
        localDecisions.increment();
        state.recordLimitFallback();
        int instances = state.settings().instances();
        long now = System.nanoTime();
        LocalWindow[] windows = new LocalWindow[needs.size()];
        for (int i = 0; i < needs.size(); i++) {
            Need n = needs.get(i);
            String k = key + "\u0000" + n.name();
            LocalWindow w = localWindows.get(k);
            if (w == null) {
                if (localWindows.size() >= 100_000) {
                    localWindows.values().removeIf(LocalWindow::idle);
                }
                w = localWindows.computeIfAbsent(k, LocalWindow::new);
            }
            windows[i] = w;
        }
        LocalLeases leases = null;
        if (lease != null) {
            leases = localLeases.get(key);
            if (leases == null) {
                if (localLeases.size() >= 100_000) {
                    localLeases.values().removeIf(LocalLeases::idle);
                }
                leases = localLeases.computeIfAbsent(key, k -> new LocalLeases());
            }
        }
        // Lock in a fixed order (windows by name, then the leases) so that two calls never wait on each other.
        LocalWindow[] ordered = windows.clone();
        java.util.Arrays.sort(ordered, java.util.Comparator.comparing((LocalWindow w) -> w.name));
        for (LocalWindow w : ordered) {
            w.lock.lock();
        }
        if (leases != null) {
            leases.lock.lock();
        }
        try {
            long wait = 0;
            List<Long> remaining = new ArrayList<>(needs.size());
            for (int i = 0; i < needs.size(); i++) {
                Need n = needs.get(i);
                long limit = Math.max(1, n.limit() / instances);
                wait = Math.max(wait, windows[i].waitNanos(limit, n.window().toNanos(), n.amount(), now));
            }
            boolean leaseFull = leases != null && leases.held >= Math.max(1, lease.limit() / instances);
            if (leaseFull) {
                wait = Math.max(wait, 1_000_000_000L);
            }
            boolean admitted = wait == 0;
            int[] ids = new int[needs.size()];
            for (int i = 0; i < needs.size(); i++) {
                Need n = needs.get(i);
                long limit = Math.max(1, n.limit() / instances);
                if (admitted && n.amount() > 0) {
                    ids[i] = windows[i].add(now, n.amount());
                }
                remaining.add(Math.max(0, limit - windows[i].used));
            }
            if (admitted && leases != null) {
                leases.held++;
            }
            return new Decision(admitted, List.copyOf(remaining), Duration.ofNanos(admitted ? 0 : Math.max(1_000_000, wait)),
                    false, admitted ? new Grant(key, List.copyOf(needs), null, null, windows, ids, lease, leases) : null,
                    leaseFull);
        } finally {
            if (leases != null) {
                leases.lock.unlock();
            }
            for (LocalWindow w : ordered) {
                w.lock.unlock();
            }
        }
    }

    /** The leases held on this instance alone for one key, while Redis is down; guarded by its lock. */
    private static final class LocalLeases {
        final ReentrantLock lock = new ReentrantLock();
        int held;

        void release() {
            lock.lock();
            try {
                held = Math.max(0, held - 1);
            } finally {
                lock.unlock();
            }
        }

        boolean idle() {
            if (!lock.tryLock()) {
                return false;
            }
            try {
                return held == 0;
            } finally {
                lock.unlock();
            }
        }
    }

    /** A sliding window on this instance alone; guarded by its lock. */
    private static final class LocalWindow {
        final String name;
        final ReentrantLock lock = new ReentrantLock();
        private final ArrayDeque<long[]> grants = new ArrayDeque<>(); // {time, amount, id}
        long used;
        private int nextId;

        LocalWindow(String name) {
            this.name = name;
        }

        /** Forgets grants older than the window; {@return nanoseconds until {@code amount} fits, 0 if it does} */
        long waitNanos(long limit, long window, long amount, long now) {
            while (!grants.isEmpty() && now - grants.peekFirst()[0] >= window) {
                used -= grants.pollFirst()[1];
            }
            if (amount == 0 || used == 0 || used + amount <= limit) {
                return 0;
            }
            long excess = used + Math.min(amount, limit) - limit;
            long freed = 0;
            for (long[] g : grants) {
                freed += g[1];
                if (freed >= excess) {
                    return Math.max(1, g[0] + window - now);
                }
            }
            return window;
        }

        int add(long now, long amount) {
            grants.addLast(new long[] {now, amount, ++nextId});
            used += amount;
            return nextId;
        }

        void adjust(int id, long delta) {
            lock.lock();
            try {
                for (long[] g : grants) {
                    if (g[2] == id) {
                        long amount = Math.max(0, g[1] + delta);
                        used += amount - g[1];
                        g[1] = amount;
                        return;
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        boolean idle() {
            if (!lock.tryLock()) {
                return false;
            }
            try {
                return used == 0;
            } finally {
                lock.unlock();
            }
        }
    }
}
