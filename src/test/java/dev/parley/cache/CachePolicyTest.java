package dev.parley.cache;

import dev.parley.testing.ManualTicker;

import static dev.parley.spi.Chain.Operation.CHAT;
import static dev.parley.spi.Chain.Operation.EMBED;
import static dev.parley.spi.Chain.Operation.MODELS;
import static dev.parley.spi.Chain.Operation.STREAM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.spi.CallScope;
import dev.parley.spi.Provider;
import dev.parley.testing.ScriptedProvider;

class CachePolicyTest {

    private final ManualTicker clock = new ManualTicker();
    private final ScriptedProvider fake = Echo.provider("fake");

    private static ChatRequest ask(String text) {
        return ChatRequest.of("m", text);
    }

    @Test
    void chat_identicalRequestTwice_callsTheProviderOnce() {
        CachePolicy cache = CachePolicy.newBuilder().ticker(clock).build();
        Provider p = cache.decorate(fake);
        ChatResponse first = p.chat(ask("hi"));
        ChatResponse second = p.chat(ask("hi"));
        assertEquals(1, fake.calls(CHAT));
        assertEquals(first.text(), second.text());
        assertEquals(first.usage(), second.usage());
        assertEquals(first.finishReason(), second.finishReason());
        assertEquals(new CacheStats(1, 1, 0, 0, 0, 0, 0), cache.stats());
        assertEquals(0.5, cache.stats().hitRate());
    }

    @Test
    void chat_hit_keepsTheRawBodyButNotTheHeaders() {
        JsonObject raw = JsonObject.of("id", JsonString.of("chatcmpl-1"), "object", JsonString.of("chat.completion"));
        ScriptedProvider scripted = ScriptedProvider.newBuilder("fake").reply(ChatResponse.newBuilder()
                .provider("fake").text("x").raw(raw)
                .headers(java.net.http.HttpHeaders.of(java.util.Map.of("x-request-id", List.of("r1")), (a, b) -> true))
                .requestId("r1").build()).build();
        Provider p = CachePolicy.newBuilder().build().decorate(scripted);
        p.chat(ask("hi"));
        ChatResponse hit = p.chat(ask("hi"));
        assertEquals(raw, hit.raw());
        assertEquals("r1", hit.requestId());
        assertTrue(hit.headers().map().isEmpty());
    }

    @Test
    void chat_differentRequests_missSeparately() {
        CachePolicy cache = CachePolicy.newBuilder().build();
        Provider p = cache.decorate(fake);
        p.chat(ask("a"));
        p.chat(ask("b"));
        p.chat(ChatRequest.of("other-model", "a"));
        assertEquals(3, fake.calls(CHAT));
        assertEquals(3, cache.stats().missCount());
    }

    @Test
    void chat_entryOlderThanTtl_isReloaded() {
        CachePolicy cache = CachePolicy.newBuilder().ticker(clock).expireAfterWrite(Duration.ofMinutes(10)).build();
        Provider p = cache.decorate(fake);
        p.chat(ask("hi"));
        clock.advance(Duration.ofMinutes(10).minusMillis(1));
        p.chat(ask("hi"));
        assertEquals(1, fake.calls(CHAT), "still fresh 1 ms before the TTL");
        clock.advance(Duration.ofMillis(1));
        p.chat(ask("hi"));
        assertEquals(2, fake.calls(CHAT), "expired at the TTL");
        assertEquals(1, cache.stats().evictionCount());
        p.chat(ask("hi"));
        assertEquals(2, fake.calls(CHAT), "the reloaded entry is fresh again");
    }

    @Test
    void chat_beyondMaximumSize_dropsTheLeastRecentlyUsed() {
        CachePolicy cache = CachePolicy.newBuilder().maximumSize(2).build();
        Provider p = cache.decorate(fake);
        p.chat(ask("a"));
        p.chat(ask("b"));
        p.chat(ask("a")); // a is now more recent than b
        p.chat(ask("c")); // evicts b
        assertEquals(3, fake.calls(CHAT));
        p.chat(ask("a"));
        p.chat(ask("c"));
        assertEquals(3, fake.calls(CHAT), "a and c are still cached");
        p.chat(ask("b"));
        assertEquals(4, fake.calls(CHAT), "b was evicted");
        assertEquals(2, cache.stats().evictionCount());
        assertEquals(2, cache.store().size());
    }

    @Test
    void chat_beyondMaximumBytes_dropsTheLeastRecentlyUsed() {
        String big = "x".repeat(1500);
        ScriptedProvider scripted = ScriptedProvider.newBuilder("fake")
                .answer(r -> ChatResponse.newBuilder().provider("fake").text(r.messages().get(0).text() + big).build())
                .build();
        CachePolicy cache = CachePolicy.newBuilder().maximumBytes(4096).build();
        Provider p = cache.decorate(scripted);
        p.chat(ask("a"));
        p.chat(ask("b"));
        assertEquals(2, cache.store().size());
        p.chat(ask("c")); // three ~1.7 KB entries do not fit in 4 KB
        assertEquals(2, cache.store().size());
        assertEquals(1, cache.stats().evictionCount());
        p.chat(ask("a"));
        assertEquals(4, scripted.calls(CHAT), "a, the oldest, was evicted");
        assertTrue(((MemoryCacheStore) cache.store()).bytes() <= 4096);
    }

    @Test
    void chat_responseLargerThanTheByteBound_isNotStored() {
        ScriptedProvider scripted = ScriptedProvider.newBuilder("fake").reply("y".repeat(5000)).build();
        CachePolicy cache = CachePolicy.newBuilder().maximumBytes(4096).build();
        Provider p = cache.decorate(scripted);
        p.chat(ask("a"));
        p.chat(ask("a"));
        assertEquals(2, scripted.calls(CHAT));
        assertEquals(0, cache.store().size());
    }

    @Test
    void chat_error_isNotCached() {
        LlmException boom = LlmException.newBuilder(LlmException.Kind.SERVER_ERROR).message("boom").build();
        ScriptedProvider scripted = ScriptedProvider.newBuilder("fake").fail(boom).answer(Echo::answer).build();
        CachePolicy cache = CachePolicy.newBuilder().build();
        Provider p = cache.decorate(scripted);
        assertSame(boom, assertThrows(LlmException.class, () -> p.chat(ask("a"))));
        assertEquals("echo: a", p.chat(ask("a")).text());
        assertEquals(2, scripted.calls(CHAT));
        assertEquals(1, cache.stats().loadFailureCount());
    }

    @Test
    void chat_cacheSwitchedOffInTheCallScope_neitherReadsNorWrites() {
        CachePolicy cache = CachePolicy.newBuilder().build();
        Provider p = cache.decorate(fake);
        CallScope off = CallScope.of(null, false);
        p.chat(ask("a"), off);
        assertEquals(0, cache.store().size(), "not written");
        p.chat(ask("a"));
        p.chat(ask("a"), off);
        assertEquals(3, fake.calls(CHAT), "not read");
        p.embed(EmbeddingRequest.of("e", List.of("x")), off);
        p.stream(ask("a"), off).collect();
        assertEquals(4, cache.stats().bypassCount());
        assertEquals(1, cache.stats().missCount());
        assertEquals(1, fake.calls(STREAM));
    }

    @Test
    void embed_identicalBatch_isCachedWithExactVectors() {
        CachePolicy cache = CachePolicy.newBuilder().build();
        Provider p = cache.decorate(fake);
        EmbeddingRequest r = EmbeddingRequest.of("e", List.of("alpha", "beta"));
        EmbeddingResponse first = p.embed(r);
        EmbeddingResponse second = p.embed(r);
        assertEquals(1, fake.calls(EMBED));
        assertNotSame(first, second);
        assertEquals(first, second);
        assertArrayEquals(first.vector(1), second.vector(1));
        p.embed(EmbeddingRequest.of("e", List.of("alpha")));
        assertEquals(2, fake.calls(EMBED), "another batch is another entry");
    }

    @Test
    void models_areNotCached_andNameAndCapabilitiesPassThrough() {
        Provider p = CachePolicy.newBuilder().build().decorate(fake);
        p.models();
        p.models();
        assertEquals(2, fake.calls(MODELS));
        assertEquals("fake", p.name());
        assertEquals(fake.capabilities(), p.capabilities());
    }

    @Test
    void sharedPolicy_sharesItsStoreButNotAcrossProviderNames() {
        CachePolicy cache = CachePolicy.newBuilder().build();
        ScriptedProvider other = Echo.provider("other");
        cache.decorate(fake).chat(ask("a"));
        cache.decorate(fake).chat(ask("a"));
        cache.decorate(other).chat(ask("a"));
        assertEquals(1, fake.calls(CHAT));
        assertEquals(1, other.calls(CHAT));
    }

    @Test
    void failingStore_behavesAsAMiss_andIsReported() {
        List<String> warnings = new ArrayList<>();
        CacheStore broken = new CacheStore() {
            @Override
            public Optional<CacheEntry> get(String key) {
                throw new IllegalStateException("disk on fire");
            }

            @Override
            public void put(String key, CacheEntry entry) {
                throw new IllegalStateException("disk on fire");
            }

            @Override
            public void remove(String key) {
            }

            @Override
            public void clear() {
            }

            @Override
            public long size() {
                return 0;
            }
        };
        Provider p = CachePolicy.newBuilder().store(broken).warnings(warnings::add).build().decorate(fake);
        assertEquals("echo: secret prompt", p.chat(ask("secret prompt")).text());
        assertEquals(2, warnings.size(), warnings::toString); // one read, one write
        warnings.forEach(w -> assertTrue(!w.contains("secret"), w));
    }

    @Test
    void unreadableEntry_isSkippedRemovedAndCounted() {
        List<String> warnings = new ArrayList<>();
        CachePolicy cache = CachePolicy.newBuilder().warnings(warnings::add).ticker(clock).build();
        Provider p = cache.decorate(fake);
        String key = CacheKey.chat("fake", ask("secret prompt"));
        cache.store().put(key, new CacheEntry("{\"type\":\"embedding\"}".getBytes(), clock.instant()));
        assertEquals("echo: secret prompt", p.chat(ask("secret prompt")).text());
        assertEquals(1, cache.stats().unreadableCount());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains(key) && !warnings.get(0).contains("secret"), warnings.get(0));
        p.chat(ask("secret prompt"));
        assertEquals(1, fake.calls(CHAT), "the good entry replaced the unreadable one");
    }

    @Test
    void entryWrittenAtTheEndOfTime_isTreatedAsExpired() {
        CachePolicy cache = CachePolicy.newBuilder().ticker(clock).build();
        Provider p = cache.decorate(fake);
        String key = CacheKey.chat("fake", ask("a"));
        cache.store().put(key, new CacheEntry(CacheCodec.writeChat(Echo.answer(ask("a"))), java.time.Instant.MAX));
        p.chat(ask("a"));
        assertEquals(1, fake.calls(CHAT));
        assertEquals(1, cache.stats().evictionCount());
    }

    @Test
    void invalidateAll_emptiesTheStore() {
        CachePolicy cache = CachePolicy.newBuilder().build();
        Provider p = cache.decorate(fake);
        p.chat(ask("a"));
        cache.invalidateAll();
        p.chat(ask("a"));
        assertEquals(2, fake.calls(CHAT));
    }

    @Test
    void builder_rejectsAbsurdValues_namingTheParameter() {
        CachePolicy.Builder b = CachePolicy.newBuilder();
        assertEquals("maximumSize must be from 1 to 1000000000 entries, got 0",
                assertThrows(IllegalArgumentException.class, () -> b.maximumSize(0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.maximumSize(-5));
        assertThrows(IllegalArgumentException.class, () -> b.maximumSize(Long.MAX_VALUE));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.maximumBytes(10))
                .getMessage().startsWith("maximumBytes must be from 1024"));
        assertThrows(IllegalArgumentException.class, () -> b.maximumBytes(1L << 41));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.expireAfterWrite(Duration.ZERO))
                .getMessage().startsWith("expireAfterWrite must be from"));
        assertThrows(IllegalArgumentException.class, () -> b.expireAfterWrite(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> b.expireAfterWrite(Duration.ofDays(10_000)));
        assertThrows(NullPointerException.class, () -> b.expireAfterWrite(null));
        assertThrows(IllegalStateException.class, () -> CachePolicy.newBuilder()
                .store(CacheStore.inMemory(10, 1 << 20)).maximumSize(5).build());
        assertThrows(IllegalArgumentException.class, () -> CacheStore.inMemory(0, 1 << 20));
        assertEquals(Duration.ofHours(1), CachePolicy.newBuilder().build().expireAfterWrite());
    }
}
