package dev.parley.limit;

import java.math.BigDecimal;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * What a provider's response headers say about its rate limits: how many requests and tokens
 * remain, and when each limit is full again. Read from OpenAI's (and OpenAI-compatible servers')
 * {@code x-ratelimit-remaining-*} and {@code x-ratelimit-reset-*} (Go durations such as
 * {@code 6m0s}), and Anthropic's {@code anthropic-ratelimit-*-remaining} and
 * {@code anthropic-ratelimit-*-reset} (RFC 3339 times). Unparseable values are ignored.
 *
 * @param requestsRemaining requests left, or -1 when not reported
 * @param requestsReset     when the request limit is full again, or null
 * @param tokensRemaining   tokens left, or -1 when not reported
 * @param tokensReset       when the token limit is full again, or null
 */
record RateLimitHeaders(long requestsRemaining, Instant requestsReset, long tokensRemaining, Instant tokensReset) {

    /** {@return the limits in {@code headers}, or null when they report none} */
    static RateLimitHeaders parse(HttpHeaders headers, Instant now) {
        long requests = count(headers, "x-ratelimit-remaining-requests", "anthropic-ratelimit-requests-remaining");
        long tokens = count(headers, "x-ratelimit-remaining-tokens", "anthropic-ratelimit-tokens-remaining");
        if (requests < 0 && tokens < 0) {
            return null;
        }
        return new RateLimitHeaders(requests,
                reset(headers, "x-ratelimit-reset-requests", "anthropic-ratelimit-requests-reset", now),
                tokens,
                reset(headers, "x-ratelimit-reset-tokens", "anthropic-ratelimit-tokens-reset", now));
    }

    private static long count(HttpHeaders headers, String openai, String anthropic) {
        String v = headers.firstValue(openai).or(() -> headers.firstValue(anthropic)).orElse(null);
        if (v == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(v.trim());
            return n < 0 ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Instant reset(HttpHeaders headers, String openai, String anthropic, Instant now) {
        String after = headers.firstValue(openai).orElse(null);
        if (after != null) {
            Duration d = parseDuration(after);
            return d == null ? null : now.plus(d);
        }
        String at = headers.firstValue(anthropic).orElse(null);
        if (at != null) {
            try {
                return OffsetDateTime.parse(at.trim()).toInstant();
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }

    /** The longest duration accepted, so that an absurd header cannot hold a bucket for long. */
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Duration.ofDays(1).toNanos());

    /**
     * {@return a Go-style duration such as {@code 1s}, {@code 6m0s}, {@code 20ms} or
     * {@code 1h2m3.5s} (units h, m, s, ms, us or µs, ns; a bare number is seconds), or null if
     * it is not one or longer than a day}
     */
    static Duration parseDuration(String text) {
        String s = text.trim();
        if (s.isEmpty()) {
            return null;
        }
        BigDecimal total = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                return null;
            }
            BigDecimal value;
            try {
                value = new BigDecimal(s.substring(start, i));
            } catch (NumberFormatException e) {
                return null;
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            long nanosPerUnit = switch (s.substring(unitStart, i)) {
                case "h" -> 3_600_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "s" -> 1_000_000_000L;
                case "ms" -> 1_000_000L;
                case "us", "µs", "μs" -> 1_000L;
                case "ns" -> 1L;
                case "" -> start == 0 ? 1_000_000_000L : -1; // a bare number only on its own
                default -> -1;
            };
            if (nanosPerUnit < 0) {
                return null;
            }
            total = total.add(value.multiply(BigDecimal.valueOf(nanosPerUnit)));
            if (total.compareTo(MAX_NANOS) > 0) {
                return null;
            }
        }
        return Duration.ofNanos(total.setScale(0, java.math.RoundingMode.CEILING).longValueExact());
    }
}
