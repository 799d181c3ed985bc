package dev.parley.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.support.Fixtures;

class RateLimitHeadersTest {

    private static final Instant NOW = Instant.parse("2025-11-16T13:05:04Z");

    /** Reads a captured response's header file: a status line, then "name: value" lines. */
    static HttpHeaders fixtureHeaders(String path) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        List<String> lines = Fixtures.text(path).lines().toList();
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                map.computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
        }
        return HttpHeaders.of(map, (a, b) -> true);
    }

    @Test
    void parse_openAiFixture() {
        RateLimitHeaders h = RateLimitHeaders.parse(fixtureHeaders("openai/chat_with_headers.headers.txt"), NOW);
        assertEquals(new RateLimitHeaders(4999, NOW.plusMillis(12), 799986, NOW.plusMillis(1)), h);
    }

    @Test
    void parse_anthropicFixture() {
        RateLimitHeaders h = RateLimitHeaders.parse(fixtureHeaders("anthropic/message_basic.headers.txt"), NOW);
        assertEquals(new RateLimitHeaders(999, Instant.parse("2025-08-21T12:40:59Z"),
                96000, Instant.parse("2025-08-21T12:40:59Z")), h);
    }

    @Test
    void parse_withoutRateLimitHeaders_isNull() {
        assertNull(RateLimitHeaders.parse(HttpHeaders.of(Map.of("content-type", List.of("application/json")),
                (a, b) -> true), NOW));
    }

    @Test
    void parse_malformedValues_areIgnored() {
        HttpHeaders h = RateLimitPolicyTest.headers(Map.of(
                "x-ratelimit-remaining-requests", "lots",
                "x-ratelimit-remaining-tokens", "12",
                "x-ratelimit-reset-tokens", "soon",
                "anthropic-ratelimit-requests-reset", "yesterday"));
        assertEquals(new RateLimitHeaders(-1, null, 12, null), RateLimitHeaders.parse(h, NOW));
        HttpHeaders anthropic = RateLimitPolicyTest.headers(Map.of(
                "anthropic-ratelimit-requests-remaining", "-3",
                "anthropic-ratelimit-tokens-remaining", "5",
                "anthropic-ratelimit-tokens-reset", "2025-11-16T14:05:04+01:00"));
        assertEquals(new RateLimitHeaders(-1, null, 5, NOW), RateLimitHeaders.parse(anthropic, NOW));
    }

    @Test
    void parseDuration_goFormats() {
        assertEquals(Duration.ofSeconds(1), RateLimitHeaders.parseDuration("1s"));
        assertEquals(Duration.ofMinutes(6), RateLimitHeaders.parseDuration("6m0s"));
        assertEquals(Duration.ofMillis(20), RateLimitHeaders.parseDuration("20ms"));
        assertEquals(Duration.ofHours(1).plusMinutes(2).plusMillis(3500), RateLimitHeaders.parseDuration("1h2m3.5s"));
        assertEquals(Duration.ofMillis(179_560), RateLimitHeaders.parseDuration("2m59.56s"));
        assertEquals(Duration.ofNanos(1500), RateLimitHeaders.parseDuration("1.5us"));
        assertEquals(Duration.ofNanos(2000), RateLimitHeaders.parseDuration("2µs"));
        assertEquals(Duration.ofNanos(7), RateLimitHeaders.parseDuration("7ns"));
        assertEquals(Duration.ZERO, RateLimitHeaders.parseDuration("0"));
        assertEquals(Duration.ofMillis(1500), RateLimitHeaders.parseDuration(" 1.5 "));
        assertEquals(Duration.ofNanos(1), RateLimitHeaders.parseDuration("0.0000000001s"), "rounded up");
    }

    @Test
    void parseDuration_rejectsWhatIsNotOne() {
        for (String bad : List.of("", " ", "s", "1x", "-1s", "1m30", "1..5s", "1s2", "1 s", "abc", "25h", "1e3s")) {
            assertNull(RateLimitHeaders.parseDuration(bad), bad);
        }
    }
}
