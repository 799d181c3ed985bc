package dev.parley.spi;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.parley.ApiKey;
import dev.parley.ConfigurationException;
import dev.parley.LlmException;

/**
 * The environment-style settings a {@link ProviderFactory} reads its provider's configuration
 * from: the process environment and system properties for {@code Llm.fromEnv()}, or the map given
 * to {@code Llm.Builder.settings(Map)}. Names are such as {@code OPENAI_API_KEY}; Parley's README
 * lists the settings of the built-in providers.
 *
 * <p>Each reader returns null when the setting is unset or blank, and fails with a
 * {@link ConfigurationException} that names the setting when its value is malformed. Read
 * secrets with {@link #secret(String)}: it accepts a file holding the key ({@code NAME_FILE}), as
 * container secrets are mounted, and never puts the key in a message.
 *
 * {@snippet :
 * ProviderEnvironment env = ProviderEnvironment.of(Map.of("ACME_API_KEY", "ak-123"));
 * ApiKey key = env.secret("ACME_API_KEY");        // or the content of the file ACME_API_KEY_FILE names
 * URI base = env.url("ACME_BASE_URL");            // null: not set
 * }
 *
 * <p>Immutable and thread-safe; {@link #toString()} shows the names set, never a value.
 */
public final class ProviderEnvironment {

    private final Map<String, String> values;

    private ProviderEnvironment(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /**
     * {@return settings read from {@code values}}, such as a test's map.
     *
     * @param values settings by name, such as {@code ACME_API_KEY}; no null names or values
     * @throws NullPointerException if {@code values} or one of its names or values is null
     */
    public static ProviderEnvironment of(Map<String, String> values) {
        return new ProviderEnvironment(values);
    }

    /**
     * {@return the value of setting {@code name}, with surrounding white space removed}, or null
     * when it is unset or blank.
     *
     * @param name the setting's name, such as {@code ACME_REGION}
     */
    public String get(String name) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        return v.strip();
    }

    /**
     * {@return whether the secret {@code name} is set}: {@code name} or {@code name_FILE}. Reads
     * no file; for choosing between settings before reading one.
     *
     * @param name the secret's name, such as {@code ACME_API_KEY}
     */
    public boolean hasSecret(String name) {
        return get(name) != null || get(name + "_FILE") != null;
    }

    /**
     * {@return the API key in setting {@code name}, or in the file whose path setting
     * {@code name_FILE} holds} (its trailing newline removed), or null when neither is set.
     *
     * @param name the secret's name, such as {@code ACME_API_KEY}
     * @throws ConfigurationException if both are set, the file cannot be read, or the key has a
     *         character that cannot be sent in an HTTP header; the message never shows the key
     */
    public ApiKey secret(String name) {
        String direct = get(name);
        String file = get(name + "_FILE");
        if (direct != null && file != null) {
            throw invalid(name, "both " + name + " and " + name + "_FILE are set; set only one");
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
            throw invalid(name + "_FILE", "could not read the key file " + file + ": " + whyUnreadable(file, e));
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
            throw invalid(name, e.getMessage());
        }
    }

    /**
     * {@return the http or https URL in setting {@code name}}, or null when it is unset.
     *
     * @param name the setting's name, such as {@code ACME_BASE_URL}
     * @throws ConfigurationException if the value is not an http or https URL with a host
     */
    public URI url(String name) {
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
            throw invalid(name, "expected an http or https URL such as https://api.openai.com/v1, got \"" + v + "\"");
        }
    }

    /**
     * {@return the whole number in setting {@code name}} (underscores allowed, as in
     * {@code 1_000}), or null when it is unset.
     *
     * @param name the setting's name, such as {@code ACME_MAX_TOKENS}
     * @param min  the smallest value allowed
     * @param max  the largest value allowed
     * @throws ConfigurationException if the value is not a whole number from {@code min} to {@code max}
     */
    public Integer integer(String name, int min, int max) {
        String v = get(name);
        if (v == null) {
            return null;
        }
        try {
            long n = Long.parseLong(v.replace("_", ""));
            if (n < min || n > max) {
                throw invalid(name, "expected a whole number from " + min + " to " + max + ", got " + v);
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw invalid(name, "expected a whole number from " + min + " to " + max + ", got \"" + v + "\"");
        }
    }

    /**
     * {@return the error for a setting that is missing or wrong}, with the message
     * {@code "NAME: problem"}. Never put a secret's value in {@code problem}.
     *
     * {@snippet :
     * throw ProviderEnvironment.invalid("ACME_REGION", "set the region, such as eu-west-1");
     * }
     *
     * @param name    the setting to name, such as {@code ACME_REGION}
     * @param problem what is wrong and what to do, for someone who has never seen your code
     */
    public static ConfigurationException invalid(String name, String problem) {
        return (ConfigurationException) LlmException.newBuilder(LlmException.Kind.CONFIGURATION)
                .message(name + ": " + problem)
                .build();
    }

    @Override
    public String toString() {
        return "ProviderEnvironment" + values.keySet().stream().sorted().toList();
    }
}
