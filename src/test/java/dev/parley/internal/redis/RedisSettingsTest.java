package dev.parley.internal.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.ConfigurationException;

/** PARLEY_REDIS_* settings, and that the password never shows. */
class RedisSettingsTest {

    private static final String CANARY = "pw-canary-81c2";

    @Test
    void url_givesHostPortUserPasswordDatabaseAndTls() {
        RedisSettings s = RedisSettings.newBuilder().url("rediss://alice:" + CANARY + "%40x@cache.example:6380/3").build();
        assertEquals("cache.example", s.host);
        assertEquals(6380, s.port);
        assertEquals("alice", s.user);
        assertEquals(CANARY + "@x", s.password());
        assertEquals(3, s.database);
        assertTrue(s.tls);
        assertEquals("RedisSettings[rediss://alice:***@cache.example:6380/3, instances=1, budgetWhenDown=refuse]", s.toString());

        RedisSettings plain = RedisSettings.newBuilder().url("redis://:" + CANARY + "@[::1]").build();
        assertEquals("::1", plain.host);
        assertEquals(6379, plain.port);
        assertNull(plain.user);
        assertEquals(CANARY, plain.password());
        assertFalse(plain.tls);
        assertEquals("[::1]:6379", plain.address());
        assertFalse(plain.toString().contains(CANARY));
    }

    @Test
    void environment_readsTheThreeVariables() {
        assertNull(RedisSettings.fromEnvironment(Map.of()));
        RedisSettings s = RedisSettings.fromEnvironment(Map.of("PARLEY_REDIS_URL", "redis://127.0.0.1:7000",
                "PARLEY_REDIS_INSTANCES", "3", "PARLEY_REDIS_BUDGET_WHEN_DOWN", "Allow"));
        assertEquals(3, s.instances());
        assertEquals(RedisSettings.BudgetWhenDown.ALLOW, s.budgetWhenDown());
        assertEquals(RedisSettings.BudgetWhenDown.REFUSE,
                RedisSettings.fromEnvironment(Map.of("PARLEY_REDIS_URL", "redis://h")).budgetWhenDown());
    }

    @Test
    void urlFile_isReadLikeAContainerSecret(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("redis-url");
        java.nio.file.Files.writeString(file, "redis://:" + CANARY + "@h:7001\n");
        RedisSettings s = RedisSettings.fromEnvironment(Map.of("PARLEY_REDIS_URL_FILE", file.toString()));
        assertEquals(CANARY, s.password());
        assertEquals(7001, s.port);
        ConfigurationException both = assertThrows(ConfigurationException.class, () -> RedisSettings.fromEnvironment(
                Map.of("PARLEY_REDIS_URL_FILE", file.toString(), "PARLEY_REDIS_URL", "redis://h")));
        assertEquals("PARLEY_REDIS_URL and PARLEY_REDIS_URL_FILE are both set; set one", both.getMessage());
        ConfigurationException missing = assertThrows(ConfigurationException.class, () -> RedisSettings.fromEnvironment(
                Map.of("PARLEY_REDIS_URL_FILE", dir.resolve("none").toString())));
        assertTrue(missing.getMessage().startsWith("PARLEY_REDIS_URL_FILE names a file that cannot be read"), missing.getMessage());
    }

    @Test
    void badValues_areClearErrors_thatNeverQuoteTheUrl() {
        for (String url : new String[] {"http://u:" + CANARY + "@h", "redis://u:" + CANARY + "@/0", "redis://u:" + CANARY + "@h/x",
            "redis://u:" + CANARY + "@h:1/0?x=1", "redis://u:" + CANARY + "%zz@h", "redis://u:" + CANARY + " @h"}) {
            ConfigurationException e = assertThrows(ConfigurationException.class,
                    () -> RedisSettings.fromEnvironment(Map.of("PARLEY_REDIS_URL", url)), url);
            assertFalse(e.getMessage().contains(CANARY), e.getMessage());
            assertTrue(e.getMessage().contains("redis://[user[:password]@]host[:port][/db]"), e.getMessage());
        }
        ConfigurationException n = assertThrows(ConfigurationException.class, () -> RedisSettings.fromEnvironment(
                Map.of("PARLEY_REDIS_URL", "redis://h", "PARLEY_REDIS_INSTANCES", "two")));
        assertEquals("PARLEY_REDIS_INSTANCES must be a whole number from 1 to 1000, got \"two\"", n.getMessage());
        assertThrows(ConfigurationException.class, () -> RedisSettings.fromEnvironment(
                Map.of("PARLEY_REDIS_URL", "redis://h", "PARLEY_REDIS_INSTANCES", "0")));
        ConfigurationException w = assertThrows(ConfigurationException.class, () -> RedisSettings.fromEnvironment(
                Map.of("PARLEY_REDIS_URL", "redis://h", "PARLEY_REDIS_BUDGET_WHEN_DOWN", "maybe")));
        assertEquals("PARLEY_REDIS_BUDGET_WHEN_DOWN must be \"refuse\" or \"allow\", got \"maybe\"", w.getMessage());
    }
}
