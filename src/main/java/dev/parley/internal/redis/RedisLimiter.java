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
 * <p>While Redis cannot be reached, each instance decides alone, with each limit divided by the
 * number of instances ({@code PARLEY_REDIS_INSTANCES}, at least 1 per window), so that together
 * they stay within the limit; the decision says it was local, and it is counted. Thread-safe.
 *
 * <p>Keys are identifiers (a virtual key's id), never secrets: they are visible in Redis.
 */
public final class RedisLimiter {

    /** Up to 100 grants are read at once when computing the time to retry. */
    private static final RedisClient.Script ACQUIRE = RedisClient.Script.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local n = #KEYS / 2
            local id = ARGV[#ARGV]
            local used = {}
            local wait = 0
            local ok = true
            for i = 1, n do
              local log, sum = KEYS[2 * i - 1], KEYS[2 * i]
              local limit, window, amount = tonumber(ARGV[3 * i - 2]), tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
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
            for i = 1, n do
              local log, sum = KEYS[2 * i - 1], KEYS[2 * i]
              local window, amount = tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
              local ttl = math.ceil(window / 1000) + 1000
              if ok and amount > 0 then
                redis.call('ZADD', log, now, string.format('%.0f', now) .. ':' .. id .. ':' .. string.format('%.0f', amount))
                used[i] = used[i] + amount
              end
              redis.call('SET', sum, string.format('%.0f', used[i]), 'PX', ttl)
              redis.call('PEXPIRE', log, ttl)
            end
            local out = {ok and 1 or 0, math.ceil(wait / 1000), string.format('%.0f', now)}
            for i = 1, n do out[#out + 1] = tonumber(ARGV[3 * i - 2]) - used[i] end
            return out
            """);

    /** Changes a grant's amount, if it is still in its window; a charge for one that left is logged now. */
    private static final RedisClient.Script ADJUST = RedisClient.Script.of("""
            local member, delta, window = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
            local ttl = math.ceil(window / 1000) + 1000
            local score = redis.call('ZSCORE', KEYS[1], member)
            local u = tonumber(redis.call('GET', KEYS[2]) or '0')
            if score then
              local old = tonumber(string.match(member, '(%d+)$'))
              local new = math.max(0, old + delta)
              redis.call('ZREM', KEYS[1], member)
              redis.call('ZADD', KEYS[1], score, string.match(member, '^(.*:)') .. string.format('%.0f', new))
              u = math.max(0, u + new - old)
            elseif delta > 0 then
              local t = redis.call('TIME')
              local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
              redis.call('ZADD', KEYS[1], now, string.format('%.0f', now) .. ':' .. ARGV[4] .. ':' .. string.format('%.0f', delta))
              u = u + delta
            else
              return 0
            end
            redis.call('SET', KEYS[2], string.format('%.0f', u), 'PX', ttl)
            redis.call('PEXPIRE', KEYS[1], ttl)
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
     * The answer to {@link #acquire}.
     *
     * @param admitted   whether the call may go (and took its amounts)
     * @param remaining  for each need, what its window has left after this call (at least 0)
     * @param retryAfter when refused, how long until there is room; otherwise zero
     * @param shared     true when Redis decided; false when this instance decided alone (Redis down)
     * @param grant      what to {@link #adjust} later; null when refused
     */
    public record Decision(boolean admitted, List<Long> remaining, Duration retryAfter, boolean shared, Grant grant) {
    }

    /** What a call took, to correct later. Opaque. */
    public static final class Grant {
        private final String key;
        private final List<Need> needs;
        private final String member;
        private final String id;
        private final LocalWindow[] local;
        private final int[] localIds;

        private Grant(String key, List<Need> needs, String member, String id, LocalWindow[] local, int[] localIds) {
            this.key = key;
            this.needs = needs;
            this.member = member;
            this.id = id;
            this.local = local;
            this.localIds = localIds;
        }
    }

    private final SharedState state;
    private final String instanceId;
    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentHashMap<String, LocalWindow> localWindows = new ConcurrentHashMap<>();
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

    /**
     * Takes every need's amount from its window for {@code key}, or none if any window lacks room.
     *
     * @param key   the key (an identifier, not a secret), 1 to 256 characters without braces
     * @param needs the windows and amounts, at least one, distinct names
     * @return the decision; never throws for Redis being down
     */
    public Decision acquire(String key, List<Need> needs) {
        checkKey(key);
        if (needs.isEmpty()) {
            throw new IllegalArgumentException("needs must not be empty");
        }
        List<String> keys = new ArrayList<>(needs.size() * 2);
        List<Object> args = new ArrayList<>(needs.size() * 3 + 1);
        for (Need need : needs) {
            keys.add(logKey(key, need.name()));
            keys.add(logKey(key, need.name()) + ":sum");
            args.add(need.limit());
            args.add(need.window().toNanos() / 1000);
            args.add(need.amount());
        }
        String id = instanceId + "." + sequence.incrementAndGet();
        args.add(id);
        try {
            List<Object> reply = RedisClient.list(state.client().eval(ACQUIRE, keys, args));
            boolean admitted = (Long) reply.get(0) == 1L;
            long waitMillis = (Long) reply.get(1);
            String now = new String((byte[]) reply.get(2), java.nio.charset.StandardCharsets.US_ASCII);
            List<Long> remaining = new ArrayList<>(needs.size());
            for (int i = 0; i < needs.size(); i++) {
                remaining.add(Math.max(0, (Long) reply.get(3 + i)));
            }
            return new Decision(admitted, List.copyOf(remaining), Duration.ofMillis(admitted ? 0 : Math.max(1, waitMillis)),
                    true, admitted ? new Grant(key, List.copyOf(needs), now + ":" + id + ":", id, null, null) : null);
        } catch (RedisException | ClassCastException | IndexOutOfBoundsException e) {
            if (e instanceof RedisException re && !re.unavailable()) {
                state.recordFailure(re);
            }
            return local(key, needs);
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
        int i = 0;
        while (i < grant.needs.size() && !grant.needs.get(i).name().equals(name)) {
            i++;
        }
        if (i == grant.needs.size()) {
            throw new IllegalArgumentException("no need named " + name + " in this grant");
        }
        Need need = grant.needs.get(i);
        if (delta == 0) {
            return;
        }
        if (grant.local != null) {
            grant.local[i].adjust(grant.localIds[i], delta);
            return;
        }
        String log = logKey(grant.key, name);
        try {
            state.client().eval(ADJUST, List.of(log, log + ":sum"),
                    List.of(grant.member + need.amount(), delta, need.window().toNanos() / 1000, grant.id));
        } catch (RedisException e) {
            state.recordFailure(e);
        }
    }

    private static void checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.length() > 256 || key.indexOf('{') >= 0 || key.indexOf('}') >= 0) {
            throw new IllegalArgumentException("key must be 1 to 256 characters without braces");
        }
    }

    /** Decides on this instance alone, with each limit divided by the instance count. */
    private Decision local(String key, List<Need> needs) {
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
        // Lock in a fixed order (by name) so that two calls never wait on each other's windows.
        LocalWindow[] ordered = windows.clone();
        java.util.Arrays.sort(ordered, java.util.Comparator.comparing((LocalWindow w) -> w.name));
        for (LocalWindow w : ordered) {
            w.lock.lock();
        }
        try {
            long wait = 0;
            List<Long> remaining = new ArrayList<>(needs.size());
            for (int i = 0; i < needs.size(); i++) {
                Need n = needs.get(i);
                long limit = Math.max(1, n.limit() / instances);
                wait = Math.max(wait, windows[i].waitNanos(limit, n.window().toNanos(), n.amount(), now));
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
            return new Decision(admitted, List.copyOf(remaining), Duration.ofNanos(admitted ? 0 : Math.max(1_000_000, wait)),
                    false, admitted ? new Grant(key, List.copyOf(needs), null, null, windows, ids) : null);
        } finally {
            for (LocalWindow w : ordered) {
                w.lock.unlock();
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
