package dev.parley.internal;

import java.math.BigDecimal;
import java.time.Duration;

import dev.parley.LlmException;

/**
 * Helpers for the errors policies throw: a copy of an error with a note, and durations written
 * for people.
 */
public final class Errors {

    private Errors() {
    }

    /**
     * {@return a copy of {@code error} of the same kind, with the same fields and retryability,
     * whose message ends with {@code note}, and whose cause is {@code error}}. Used when a policy
     * gives up: the caller still catches the same subclass, and the message tells the story.
     *
     * @param error the error to copy
     * @param note  what to add, such as "(gave up after 3 attempts)"
     */
    public static LlmException withNote(LlmException error, String note) {
        LlmException copy = error.toBuilder().note(note).cause(error).build();
        for (Throwable s : error.getSuppressed()) {
            copy.addSuppressed(s);
        }
        return copy;
    }

    /** {@return {@code d} for a message: "250 ms", "1.5 s", "30 s", "2 min 5 s", "1 h 30 min"} */
    public static String format(Duration d) {
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        long ms = d.toMillis();
        if (ms < 1000) {
            return new BigDecimal(d.toNanos()).movePointLeft(6).stripTrailingZeros().toPlainString() + " ms";
        }
        if (ms < 60_000) {
            return BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + " s";
        }
        long seconds = d.toSeconds();
        if (seconds < 3600) {
            return seconds % 60 == 0 ? seconds / 60 + " min" : seconds / 60 + " min " + seconds % 60 + " s";
        }
        long minutes = d.toMinutes();
        return minutes % 60 == 0 ? minutes / 60 + " h" : minutes / 60 + " h " + minutes % 60 + " min";
    }
}
