package dev.parley.cache;

import static dev.parley.spi.Chain.Operation.CHAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.ChatRequest;
import dev.parley.ConfigurationException;
import dev.parley.spi.Provider;
import dev.parley.testing.ScriptedProvider;

class CacheStoreTest {

    private static final String KEY = "a".repeat(64);
    private static final Instant T0 = Instant.parse("2025-03-04T05:06:07.123456789Z");

    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private CacheEntry entry(String json) {
        return new CacheEntry(json.getBytes(StandardCharsets.UTF_8), T0);
    }

    @Test
    void memory_evictsInLeastRecentlyUsedOrder() {
        MemoryCacheStore store = new MemoryCacheStore(3, 1 << 20);
        for (String k : List.of("k1", "k2", "k3")) {
            store.put(k, entry(k));
        }
        store.get("k1");
        store.put("k4", entry("k4")); // evicts k2
        store.get("k3");
        store.put("k5", entry("k5")); // evicts k1 (k3 and k4 are more recent)
        assertEquals(Optional.empty(), store.get("k2"));
        assertEquals(Optional.empty(), store.get("k1"));
        assertTrue(store.get("k3").isPresent() && store.get("k4").isPresent() && store.get("k5").isPresent());
        assertEquals(2, store.evictionCount());
        assertEquals(3, store.size());
    }

    @Test
    void memory_replacingAnEntry_keepsTheByteCountRight() {
        MemoryCacheStore store = new MemoryCacheStore(10, 1 << 20);
        store.put("k", entry("x".repeat(1000)));
        store.put("k", entry("y"));
        assertEquals(entry("y").weight("k"), store.bytes());
        store.remove("k");
        assertEquals(0, store.bytes());
        store.put("k", entry("z"));
        store.clear();
        assertEquals(0, store.size());
        assertEquals(0, store.bytes());
    }

    @Test
    void directory_roundTripsAndSurvivesANewInstance() {
        CacheStore first = new DirectoryCacheStore(dir, warnings::add);
        first.put(KEY, entry("{\"type\":\"chat\"}"));
        CacheStore second = new DirectoryCacheStore(dir, warnings::add);
        CacheEntry read = second.get(KEY).orElseThrow();
        assertArrayEquals(entry("{\"type\":\"chat\"}").json(), read.json());
        assertEquals(T0, read.writtenAt());
        assertEquals(1, second.size());
        second.remove(KEY);
        assertEquals(Optional.empty(), first.get(KEY));
        assertEquals(List.of(), warnings);
    }

    @Test
    void directory_cachedResponseSurvivesARestart() {
        ScriptedProvider fake = Echo.provider("fake");
        ChatRequest r = ChatRequest.of("m", "persist me");
        CachePolicy.newBuilder().store(CacheStore.directory(dir)).build().decorate(fake).chat(r);
        CachePolicy restarted = CachePolicy.newBuilder().store(CacheStore.directory(dir)).build();
        assertEquals("echo: persist me", restarted.decorate(fake).chat(r).text());
        assertEquals(1, fake.calls(CHAT));
        assertEquals(1, restarted.stats().hitCount());
    }

    @Test
    void directory_leavesNoTemporaryFiles() throws IOException {
        CacheStore store = new DirectoryCacheStore(dir, warnings::add);
        store.put(KEY, entry("1"));
        store.put(KEY, entry("2"));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(KEY + ".entry"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void directory_corruptTruncatedOrForeignFiles_areSkippedCountedAndReportedWithoutContent() throws IOException {
        CacheStore store = new DirectoryCacheStore(dir, warnings::add);
        store.put(KEY, entry("{\"text\":\"secret prompt\"}"));
        byte[] good = Files.readAllBytes(dir.resolve(KEY + ".entry"));

        byte[] flipped = good.clone();
        flipped[good.length - 10] ^= 1;
        byte[] otherVersion = good.clone();
        otherVersion[11] = 9;
        List<byte[]> bad = List.of(
                flipped,
                Arrays.copyOf(good, good.length - 3),
                Arrays.copyOf(good, 20),
                "secret prompt, not a cache file".getBytes(StandardCharsets.UTF_8),
                new byte[0],
                otherVersion);
        for (byte[] content : bad) {
            Files.write(dir.resolve(KEY + ".entry"), content);
            assertEquals(Optional.empty(), store.get(KEY));
        }
        assertEquals(bad.size(), store.unreadableCount());
        assertEquals(bad.size(), warnings.size());
        for (String w : warnings) {
            assertTrue(w.contains(KEY + ".entry"), w);
            assertFalse(w.contains("secret"), w);
        }
        assertTrue(warnings.get(0).contains("checksum"), warnings.get(0));
        assertTrue(warnings.get(1).contains("truncated"), warnings.get(1));
        assertTrue(warnings.get(3).contains("not a Parley cache file"), warnings.get(3));
        assertTrue(warnings.get(5).contains("format version 9"), warnings.get(5));
    }

    @Test
    void directory_defaultWarningsGoToTheSystemLoggerWithoutFailing() throws IOException {
        CacheStore store = CacheStore.directory(dir);
        Files.writeString(dir.resolve(KEY + ".entry"), "junk");
        assertEquals(Optional.empty(), store.get(KEY));
        assertEquals(1, store.unreadableCount());
    }

    @Test
    void directory_corruptFileBehindAPolicy_isAMissThatHeals() throws IOException {
        ScriptedProvider fake = Echo.provider("fake");
        ChatRequest r = ChatRequest.of("m", "hello");
        CachePolicy cache = CachePolicy.newBuilder().store(new DirectoryCacheStore(dir, warnings::add)).build();
        Provider p = cache.decorate(fake);
        p.chat(r);
        Path file;
        try (var files = Files.list(dir)) {
            file = files.findFirst().orElseThrow();
        }
        Files.write(file, "garbage".getBytes(StandardCharsets.UTF_8));
        assertEquals("echo: hello", p.chat(r).text());
        assertEquals(2, fake.calls(CHAT));
        assertEquals(1, cache.stats().unreadableCount());
        p.chat(r);
        assertEquals(2, fake.calls(CHAT), "rewritten after the miss");
    }

    @Test
    void directory_concurrentWritersAndReaders_neverSeeHalfAnEntry() throws Exception {
        CacheStore store = new DirectoryCacheStore(dir, warnings::add);
        byte[] big = "z".repeat(200_000).getBytes(StandardCharsets.UTF_8);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 50; i++) {
                threads.submit(() -> store.put(KEY, new CacheEntry(big, T0)));
                threads.submit(() -> store.get(KEY).ifPresent(e -> assertEquals(big.length, e.json().length)));
            }
        }
        assertEquals(0, store.unreadableCount(), warnings::toString);
        assertEquals(1, store.size());
    }

    @Test
    void directory_clearAndSize() {
        CacheStore store = new DirectoryCacheStore(dir, warnings::add);
        store.put("k1", entry("1"));
        store.put("k2", entry("2"));
        assertEquals(2, store.size());
        store.clear();
        assertEquals(0, store.size());
    }

    @Test
    void directory_rejectsKeysThatAreNotFileNames() {
        CacheStore store = new DirectoryCacheStore(dir, warnings::add);
        assertThrows(IllegalArgumentException.class, () -> store.get("../escape"));
        assertThrows(IllegalArgumentException.class, () -> store.put("a/b", entry("1")));
    }

    @Test
    void directory_thatCannotBeCreated_isAConfigurationError() throws IOException {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        assertThrows(ConfigurationException.class, () -> CacheStore.directory(file.resolve("sub")));
    }
}
