package dev.parley.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way Parley reads a duration that a person wrote (a setting, a command-line option): a
 * number of seconds ({@code 30}, {@code 0.5}), or a number with a unit ({@code 500ms},
 * {@code 30s}, {@code 10m}, {@code 1h}), or ISO-8601 ({@code PT30S}). Stateless and thread-safe.
 */
public final class Durations {

    /** How the forms are described in error messages. */
    public static final String FORMS = "30 (seconds), 500ms, 30s, 10m, 1h or PT30S";

    private static final Pattern NUMBER_AND_UNIT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

    private Durations() {
    }

    /**
     * {@return the duration {@code text} says}, capped just above {@code max} so that a huge
     * number does not overflow (the caller then reports it as too long)
     *
     * @param text the text, such as {@code 30} or {@code 500ms}
     * @param max  the longest duration the caller accepts
     * @throws IllegalArgumentException if it is in none of the forms
     */
    public static Duration parse(String text, Duration max) {
        String v = text.strip();
        Matcher m = NUMBER_AND_UNIT.matcher(v.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            double n = Double.parseDouble(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            double millis = switch (unit) {
                case "ms" -> n;
                case "s" -> n * 1000;
                case "m" -> n * 60_000;
                default -> n * 3_600_000;
            };
            return millis > max.toMillis() ? max.plusMillis(1) : Duration.ofMillis((long) millis);
        }
        try {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("expected a duration such as " + FORMS + ", got \"" + v + "\"");
        }
    }
}
