package dev.parley.cache;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

import dev.parley.ChatRequest;
import dev.parley.ChatStream;
import dev.parley.spi.Chain;
import dev.parley.spi.Policy;

/**
 * A response cache: answers a chat or embedding request that was answered before from a
 * {@link CacheStore}, without calling the provider.
 *
 * {@snippet :
 * CachePolicy cache = CachePolicy.newBuilder()
 *         .maximumSize(10_000)
 *         .expireAfterWrite(Duration.ofMinutes(30))
 *         .build();
 * Provider cached = cache.decorate(openai);
 * cached.chat(request);              // calls OpenAI
 * cached.chat(request);              // answered from the cache
 * System.out.println(cache.stats()); // 1 hit, 1 miss
 * }
 *
 * <p>Two requests are the same when the provider name, the model, every message (role, content
 * parts, tool calls and their ids, names, reasoning) and every option that changes the output
 * (temperature, topP, maxTokens, stop, seed, tools, toolChoice, responseFormat, user, extra) are
 * equal; the key is a SHA-256 hash of them, so a store never holds the prompt text. Affects:
 * <ul>
 * <li>{@code chat}: a hit returns the stored response, without its HTTP headers (the provider's
 *     raw body is kept). Identical calls in flight at the same time are coalesced: the provider
 *     is called once and every caller gets its response, or its error; errors are not cached. A
 *     caller waiting for another's call gives up at the deadline of its call (set by the
 *     {@code Llm} facade) with an {@code LlmTimeoutException}.</li>
 * <li>{@code stream}: a hit is replayed as a stream without a network call; a miss streams from
 *     the provider and, when the stream completes normally, stores the response it adds up to
 *     (a cancelled or failed stream stores nothing). Streams share entries with {@code chat} and
 *     are not coalesced.</li>
 * <li>{@code embed}: cached per request (model, inputs, dimensions, user, extra), coalesced
 *     like {@code chat}.</li>
 * <li>{@code models} is not cached.</li>
 * </ul>
 * A call made with the cache switched off (per request, through the {@code Llm} facade) neither
 * reads nor writes the cache.
 *
 * <p>Defaults: at most {@value #DEFAULT_MAXIMUM_SIZE} entries in memory, least recently used
 * dropped first, no byte bound, entries expire 1 hour after they were written, the system UTC
 * clock.
 *
 * <p>Thread-safe. One policy instance is one cache: providers decorated with the same instance
 * share its store, its calls in flight and its {@link #stats()} (keys include the provider's
 * name, so their entries never mix).
 */
public final class CachePolicy implements Policy {

    /** The default most entries of the in-memory store. */
    public static final long DEFAULT_MAXIMUM_SIZE = 1000;
    /** The most entries a store may be bounded to. */
    static final long MAX_ENTRIES = 1_000_000_000L;
    /** The largest byte bound a store may have, 1 TiB. */
    static final long MAX_BYTES = 1L << 40;
    static final long MIN_BYTES = 1024;
    private static final Duration MIN_TTL = Duration.ofMillis(1);
    private static final Duration MAX_TTL = Duration.ofDays(3650);

    private final Duration ttl;
    private final CacheCore core;

    private CachePolicy(Builder b) {
        this.ttl = b.ttl;
        this.core = new CacheCore(b.clock, b.ttl,
                b.store != null ? b.store : new MemoryCacheStore(b.maximumSize, b.maximumBytes), b.warnings);
    }

    /** {@return a builder with the defaults} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /**
     * Answers a chat or an embeddings call from the cache, or passes it on and caches the
     * answer; identical calls in flight wait for the first. A model listing is not cached.
     *
     * @param chain the call
     * @return the answer
     */
    @Override
    public <Q, R> R call(Chain<Q, R> chain) {
        return Caching.call(core, chain);
    }

    /**
     * Replays a cached answer as a stream, or passes the stream on and caches its answer once
     * it completes.
     *
     * @param chain the call
     * @return the stream
     */
    @Override
    public ChatStream stream(Chain<ChatRequest, ChatStream> chain) {
        return Caching.stream(core, chain);
    }

    /** {@return the counters since this policy was built} */
    public CacheStats stats() {
        return core.stats();
    }

    /** {@return the store holding the entries} */
    public CacheStore store() {
        return core.store;
    }

    /** Removes every entry from the store. Calls in flight still complete and store their result. */
    public void invalidateAll() {
        core.store.clear();
    }

    /** {@return the time-to-live of entries} */
    public Duration expireAfterWrite() {
        return ttl;
    }

    @Override
    public String toString() {
        return "CachePolicy[store=" + core.store + ", expireAfterWrite=" + ttl + "]";
    }

    /** {@return the shared state and logic, for the decorators and tests} */
    CacheCore core() {
        return core;
    }

    static long checkMaximumSize(long entries) {
        if (entries < 1 || entries > MAX_ENTRIES) {
            throw new IllegalArgumentException("maximumSize must be from 1 to " + MAX_ENTRIES + " entries, got " + entries);
        }
        return entries;
    }

    static long checkMaximumBytes(long bytes) {
        if (bytes < MIN_BYTES || bytes > MAX_BYTES) {
            throw new IllegalArgumentException("maximumBytes must be from " + MIN_BYTES + " to " + MAX_BYTES
                    + " bytes, got " + bytes);
        }
        return bytes;
    }

    /**
     * Builds a {@link CachePolicy}. Setters check their argument at once. Not thread-safe.
     */
    public static final class Builder {
        private long maximumSize = DEFAULT_MAXIMUM_SIZE;
        private long maximumBytes = MAX_BYTES;
        private boolean boundsSet;
        private Duration ttl = Duration.ofHours(1);
        private Clock clock = Clock.systemUTC();
        private CacheStore store;
        private Consumer<String> warnings = DirectoryCacheStore.LOG;

        private Builder() {
        }

        /**
         * Sets the most entries the in-memory store keeps; the least recently used are dropped
         * first. Default {@value CachePolicy#DEFAULT_MAXIMUM_SIZE}.
         *
         * @param entries from 1 to 1,000,000,000
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maximumSize(long entries) {
            this.maximumSize = checkMaximumSize(entries);
            this.boundsSet = true;
            return this;
        }

        /**
         * Bounds the approximate size of the responses the in-memory store keeps (their JSON
         * form); the least recently used are dropped first, and a response larger than the bound
         * is not stored. Default: no bound.
         *
         * @param bytes from 1024 to 2<sup>40</sup> (1 TiB)
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maximumBytes(long bytes) {
            this.maximumBytes = checkMaximumBytes(bytes);
            this.boundsSet = true;
            return this;
        }

        /**
         * Sets how long an entry is served after it was written. Default 1 hour.
         *
         * @param ttl from 1 millisecond to 3650 days
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder expireAfterWrite(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0) {
                throw new IllegalArgumentException("expireAfterWrite must be from " + MIN_TTL + " to " + MAX_TTL
                        + ", got " + ttl);
            }
            this.ttl = ttl;
            return this;
        }

        /**
         * Sets the clock that dates entries and judges expiry and deadlines. Default
         * {@link Clock#systemUTC()}.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets the store; by default an in-memory store bounded by {@link #maximumSize} and
         * {@link #maximumBytes}. A store given here keeps its own bounds, so it cannot be
         * combined with those two.
         *
         * @param store the store, such as {@link CacheStore#directory(java.nio.file.Path)}
         * @return this builder
         */
        public Builder store(CacheStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Sends warnings (unreadable entries, store failures) to {@code sink}; for tests. */
        Builder warnings(Consumer<String> sink) {
            this.warnings = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * {@return the policy}
         *
         * @throws IllegalStateException if a store was given together with maximumSize or maximumBytes
         */
        public CachePolicy build() {
            if (store != null && boundsSet) {
                throw new IllegalStateException("maximumSize and maximumBytes bound the default in-memory store;"
                        + " the store given to store(...) keeps its own bounds: " + store);
            }
            return new CachePolicy(this);
        }
    }
}
