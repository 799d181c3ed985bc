package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ApiKeyTest {

    @Test
    void redact_aShortKey_neitherManglesTextNorShowsWhereTheKeyIs() {
        ApiKey x = ApiKey.of("x");
        assertEquals("could not connect (ConnectException)", x.redact("could not connect (ConnectException)"));
        assertEquals("Incorrect API key provided: [redacted].", x.redact("Incorrect API key provided: x."));
        assertEquals("key \"[redacted]\"", x.redact("key \"x\""));
        ApiKey digits = ApiKey.of("1234");
        assertEquals("port 12345, key [redacted]", digits.redact("port 12345, key 1234"));
    }

    @Test
    void redact_aRealLookingKey_removesEveryOccurrence() {
        ApiKey k = ApiKey.of("sk-canary-7f3a9c1e5b2d");
        assertEquals("[redacted] and x[redacted]y and Bearer [redacted]",
                k.redact("sk-canary-7f3a9c1e5b2d and xsk-canary-7f3a9c1e5b2dy and Bearer sk-canary-7f3a9c1e5b2d"));
        assertEquals(null, k.redact(null));
    }
}
