package dev.parley.cache;

import dev.parley.internal.WaitGauge;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.parley.LlmException;
import dev.parley.spi.CallScope;
import dev.parley.internal.Failures;

/**
 * The state one {@link CachePolicy} shares between every provider it decorates: the store, the
 * calls in flight, the counters; and the cache's logic: look up, coalesce, load, store.
 * Thread-safe.
 */
final class CacheCore {

    private final Clock clock;
    private final Duration ttl;
    final CacheStore store;
    private final Consumer<String> warnings;
    private final ConcurrentHashMap<String, CompletableFuture<Object>> flights = new ConcurrentHashMap<>();
    private final WaitGauge waiting = new WaitGauge();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder coalesced = new LongAdder();
    private final LongAdder bypassed = new LongAdder();
    private final LongAdder loadFailures = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder unreadable = new LongAdder();

    CacheCore(Clock clock, Duration ttl, CacheStore store, Consumer<String> warnings) {
        this.clock = clock;
        this.ttl = ttl;
        this.store = store;
        this.warnings = warnings;
    }

    CacheStats stats() {
        return new CacheStats(hits.sum(), misses.sum(), coalesced.sum(), bypassed.sum(), loadFailures.sum(),
                expired.sum() + store.evictionCount(), unreadable.sum() + store.unreadableCount());
    }

    void bypass() {
        bypassed.increment();
    }

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    /** {@return the callers now waiting for an identical call in flight; for tests} */
    int waitingCallers() {
        return waiting.get();
    }

    /** Waits until at least {@code n} callers wait for a call in flight; for tests. */
    boolean awaitWaitingCallers(int n, Duration timeout) throws InterruptedException {
        return waiting.awaitAtLeast(n, timeout);
    }

    /**
     * Answers from the store, or calls {@code call} once for all identical calls in flight and
     * stores its result. Identical calls wait for the one that claimed the key first, whether it
     * is looking the key up or calling the provider, at most until the call's deadline.
     */
    <T> T load(String key, CallScope scope, Supplier<T> call, Function<byte[], T> read, Function<T, byte[]> write) {
        // Claim the key before looking it up: a caller that arrives while we look up or call
        // waits for us, and one that arrives after we let go finds what we stored.
        CompletableFuture<Object> mine = new CompletableFuture<>();
        CompletableFuture<Object> inFlight = flights.putIfAbsent(key, mine);
        if (inFlight != null) {
            return awaitFlight(inFlight, scope);
        }
        try {
            T cached = lookup(key, read);
            if (cached != null) {
                hits.increment();
                mine.complete(cached);
                return cached;
            }
            misses.increment();
            T result;
            try {
                result = call.get();
            } catch (RuntimeException | Error e) {
                loadFailures.increment();
                mine.completeExceptionally(e);
                throw e;
            }
            save(key, write, result);
            mine.complete(result);
            return result;
        } finally {
            if (!mine.isDone()) { // never leave waiters hanging, whatever happened
                mine.completeExceptionally(new IllegalStateException("cache load ended without a result"));
            }
            flights.remove(key, mine);
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T awaitFlight(CompletableFuture<Object> flight, CallScope scope) {
        coalesced.increment();
        Duration remaining = scope.remaining(clock);
        waiting.increment();
        try {
            Object result = remaining == null ? flight.get()
                    : flight.get(WaitGauge.saturatedNanos(remaining), TimeUnit.NANOSECONDS);
            hits.increment();
            return (T) result;
        } catch (ExecutionException e) {
            misses.increment();
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw LlmException.newBuilder(LlmException.Kind.SERVER_ERROR)
                    .message("cache: the identical call this one waited for failed: " + Failures.describe(cause))
                    .cause(cause).build();
        } catch (TimeoutException e) {
            misses.increment();
            throw LlmException.newBuilder(LlmException.Kind.TIMEOUT)
                    .message("cache: the deadline passed while waiting for an identical call in flight")
                    .build();
        } catch (InterruptedException e) {
            misses.increment();
            Thread.currentThread().interrupt();
            throw LlmException.newBuilder(LlmException.Kind.TIMEOUT)
                    .message("cache: interrupted while waiting for an identical call in flight")
                    .cause(e).build();
        } finally {
            waiting.decrement();
        }
    }

    /** {@return the fresh, readable entry under {@code key}, decoded; null on a miss} */
    <T> T lookup(String key, Function<byte[], T> read) {
        Optional<CacheEntry> found;
        try {
            found = store.get(key);
        } catch (RuntimeException e) {
            warnings.accept("Parley cache: " + store + " failed to read entry " + key + " ("
                    + e.getClass().getName() + ")");
            return null;
        }
        if (found.isEmpty()) {
            return null;
        }
        CacheEntry entry = found.get();
        boolean fresh;
        try {
            fresh = clock.instant().isBefore(entry.writtenAt().plus(ttl));
        } catch (RuntimeException e) { // a write time near Instant.MAX
            fresh = false;
        }
        if (!fresh) {
            expired.increment();
            remove(key);
            return null;
        }
        try {
            return read.apply(entry.json());
        } catch (RuntimeException e) {
            unreadable.increment();
            warnings.accept("Parley cache: skipped unreadable entry " + key + " in " + store + " ("
                    + e.getClass().getName() + ")");
            remove(key);
            return null;
        }
    }

    /** Stores {@code result} under {@code key}; a failure is reported, never thrown. */
    <T> void save(String key, Function<T, byte[]> write, T result) {
        try {
            store.put(key, new CacheEntry(write.apply(result), clock.instant()));
        } catch (RuntimeException e) {
            warnings.accept("Parley cache: could not store entry " + key + " in " + store + " ("
                    + e.getClass().getName() + ")");
        }
    }

    private void remove(String key) {
        try {
            store.remove(key);
        } catch (RuntimeException e) {
            warnings.accept("Parley cache: " + store + " failed to remove entry " + key + " ("
                    + e.getClass().getName() + ")");
        }
    }
}
