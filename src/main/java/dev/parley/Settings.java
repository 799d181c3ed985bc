package dev.parley;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import dev.parley.internal.Durations;
import dev.parley.spi.ProviderEnvironment;

/**
 * Reads Parley's settings from environment-style variables (see the README's table), with
 * errors that name the variable and the form expected. Immutable.
 */
final class Settings {

    private final ProviderEnvironment values;

    Settings(Map<String, String> values) {
        this.values = ProviderEnvironment.of(values);
    }

    /** {@return the process environment, overridden by system properties of the same names} */
    static Settings fromEnvironment() {
        Map<String, String> all = new HashMap<>(System.getenv());
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.equals(name.toUpperCase(Locale.ROOT)) && name.indexOf('.') < 0) {
                all.put(name, System.getProperty(name));
            }
        }
        return new Settings(all);
    }

    /** {@return the settings as provider factories read them} */
    ProviderEnvironment environment() {
        return values;
    }

    /** {@return the value of {@code name}, trimmed, or null when unset or blank} */
    String get(String name) {
        return values.get(name);
    }

    /** {@return the secret {@code name}, or the content of the file named by {@code name_FILE}, or null} */
    ApiKey secret(String name) {
        return values.secret(name);
    }

    boolean bool(String name, boolean fallback) {
        String v = get(name);
        if (v == null) {
            return fallback;
        }
        Boolean b = dev.parley.internal.Flags.parse(v);
        if (b == null) {
            throw config(name, "expected true or false, got \"" + v + "\"");
        }
        return b;
    }

    Integer integer(String name, int min, int max) {
        return values.integer(name, min, max);
    }

    Double decimal(String name, double min, double max) {
        String v = get(name);
        if (v == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(v);
            if (!(d >= min && d <= max)) {
                throw config(name, "expected a number from " + min + " to " + max + ", got " + v);
            }
            return d;
        } catch (NumberFormatException e) {
            throw config(name, "expected a number from " + min + " to " + max + ", got \"" + v + "\"");
        }
    }

    /**
     * {@return a duration}: a number of seconds ({@code 30}), or with a unit ({@code 500ms},
     * {@code 30s}, {@code 10m}, {@code 1h}), or ISO-8601 ({@code PT30S}); null when unset
     */
    Duration duration(String name, Duration max) {
        String v = get(name);
        if (v == null) {
            return null;
        }
        Duration d;
        try {
            d = Durations.parse(v, max);
        } catch (IllegalArgumentException e) {
            throw config(name, e.getMessage());
        }
        if (d.isNegative() || d.isZero() || d.compareTo(max) > 0) {
            throw config(name, "expected a duration more than 0 and at most " + max + ", got \"" + v + "\"");
        }
        return d;
    }

    URI url(String name) {
        return values.url(name);
    }

    static ConfigurationException config(String variable, String problem) {
        return ProviderEnvironment.invalid(variable, problem);
    }
}
