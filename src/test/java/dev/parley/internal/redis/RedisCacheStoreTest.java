package dev.parley.internal.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.cache.CacheEntry;
import dev.parley.cache.CachePolicy;
import dev.parley.spi.Provider;
import dev.parley.testing.ScriptedProvider;

/** The response cache on a real redis-server, shared by two instances. */
class RedisCacheStoreTest {

    private static final Instant T0 = Instant.parse("2025-03-04T05:06:07.123456789Z");
    private static RedisServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = RedisServer.start();
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    private static String key(char c) {
        return String.valueOf(c).repeat(64);
    }

    @Test
    void entries_roundTrip_acrossInstances_underTheCachePrefix_withATtl() throws IOException {
        try (SharedState a = SharedState.open(server.settings().prefix("t1:").cacheTtl(Duration.ofMinutes(5)).build());
                SharedState b = SharedState.open(server.settings().prefix("t1:").build())) {
            a.cacheStore().clear();
            byte[] json = "{\"type\":\"chat\",\"text\":\"é\"}".getBytes(UTF_8);
            a.cacheStore().put(key('a'), new CacheEntry(json, T0));
            CacheEntry read = b.cacheStore().get(key('a')).orElseThrow();
            assertArrayEquals(json, read.json());
            assertEquals(T0, read.writtenAt());
            long ttl = Long.parseLong(server.raw("PTTL", "t1:cache:" + key('a')));
            assertTrue(ttl > 0 && ttl <= 300_000, "ttl " + ttl);
            b.cacheStore().put(key('b'), new CacheEntry(json, T0));
            assertEquals(2, a.cacheStore().size());
            a.cacheStore().remove(key('a'));
            assertEquals(Optional.empty(), b.cacheStore().get(key('a')));
            b.cacheStore().clear();
            assertEquals(0, a.cacheStore().size());
            assertThrows(IllegalArgumentException.class, () -> a.cacheStore().get("not a key"));
        }
    }

    @Test
    void oversizeEntries_areNotStored_andForeignValuesAreMisses() throws IOException {
        try (SharedState g = SharedState.open(server.settings().prefix("t2:").maxValueBytes(1024).build())) {
            g.cacheStore().put(key('c'), new CacheEntry(new byte[2000], T0));
            assertEquals(Optional.empty(), g.cacheStore().get(key('c')));
            assertEquals(1, g.cacheStore().evictionCount());
            server.raw("SET", "t2:cache:" + key('d'), "not a cache entry");
            assertEquals(Optional.empty(), g.cacheStore().get(key('d')));
            assertEquals(1, g.cacheStore().unreadableCount());
        }
    }

    /** Two gateways with their own cache policies and providers: the second is answered from the first's call. */
    @Test
    void aCachePolicy_onRedis_answersTheSecondInstanceFromTheFirstsCall() {
        try (SharedState a = SharedState.open(server.settings().prefix("t3:").build());
                SharedState b = SharedState.open(server.settings().prefix("t3:").build())) {
            a.cacheStore().clear();
            ScriptedProvider upstreamA = ScriptedProvider.newBuilder("fake").reply("Sunny").build();
            ScriptedProvider upstreamB = ScriptedProvider.newBuilder("fake").reply("Rainy").build();
            Provider first = CachePolicy.newBuilder().store(a.cacheStore()).build().decorate(upstreamA);
            Provider second = CachePolicy.newBuilder().store(b.cacheStore()).build().decorate(upstreamB);
            assertEquals("Sunny", first.chat(ChatRequest.of("m", "Weather?")).text());
            assertEquals("Sunny", second.chat(ChatRequest.of("m", "Weather?")).text());
            assertTrue(upstreamB.requests().isEmpty(), "the second instance did not call its provider");
            assertFalse(a.health().cacheFailures() + b.health().cacheFailures() > 0);
        }
    }
}
