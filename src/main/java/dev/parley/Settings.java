package dev.parley;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import dev.parley.internal.Durations;

/**
 * Reads Parley's settings from environment-style variables (see the README's table), with
 * errors that name the variable and the form expected. Immutable.
 */
final class Settings {

    private final Map<String, String> values;

    Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
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

    /** {@return the value of {@code name}, trimmed, or null when unset or blank} */
    String get(String name) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        return v.strip();
    }

    /** {@return the secret {@code name}, or the content of the file named by {@code name_FILE}, or null} */
    ApiKey secret(String name) {
        String direct = get(name);
        String file = get(name + "_FILE");
        if (direct != null && file != null) {
            throw config(name, "both " + name + " and " + name + "_FILE are set; set only one");
        }
        if (direct != null) {
            return key(name, direct);
        }
        if (file == null) {
            return null;
        }
        String content;
        try {
            content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw config(name + "_FILE", "could not read the key file " + file + ": " + whyUnreadable(file, e));
        }
        return key(name + "_FILE", content);
    }

    /** {@return why a key file could not be read, for a person (never the exception's class)} */
    private static String whyUnreadable(String file, Exception e) {
        if (e instanceof java.nio.file.InvalidPathException) {
            return "it is not a valid path";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "there is no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.charset.CharacterCodingException) {
            return "it is not UTF-8 text";
        }
        if (Files.isDirectory(Path.of(file))) {
            return "it is a directory";
        }
        return "an input/output error";
    }

    private static ApiKey key(String name, String value) {
        try {
            return ApiKey.of(value);
        } catch (IllegalArgumentException e) {
            throw config(name, e.getMessage());
        }
    }

    boolean bool(String name, boolean fallback) {
        String v = get(name);
        if (v == null) {
            return fallback;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw config(name, "expected true or false, got \"" + v + "\"");
        };
    }

    Integer integer(String name, int min, int max) {
        String v = get(name);
        if (v == null) {
            return null;
        }
        try {
            long n = Long.parseLong(v.replace("_", ""));
            if (n < min || n > max) {
                throw config(name, "expected a whole number from " + min + " to " + max + ", got " + v);
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw config(name, "expected a whole number from " + min + " to " + max + ", got \"" + v + "\"");
        }
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
        String v = get(name);
        if (v == null) {
            return null;
        }
        try {
            URI u = URI.create(v);
            if (u.getScheme() == null || u.getHost() == null
                    || !(u.getScheme().equalsIgnoreCase("http") || u.getScheme().equalsIgnoreCase("https"))) {
                throw new IllegalArgumentException();
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw config(name, "expected an http or https URL such as https://api.openai.com/v1, got \"" + v + "\"");
        }
    }

    static ConfigurationException config(String variable, String problem) {
        return (ConfigurationException) LlmException.newBuilder(LlmException.Kind.CONFIGURATION)
                .message(variable + ": " + problem)
                .build();
    }
}
