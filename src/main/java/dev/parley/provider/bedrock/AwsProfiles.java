package dev.parley.provider.bedrock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.parley.ApiKey;
import dev.parley.ConfigurationException;
import dev.parley.spi.ProviderEnvironment;

/**
 * Finds AWS credentials and the region the way the AWS SDKs document it, for what a library
 * without the SDK can do: the environment first ({@code AWS_ACCESS_KEY_ID},
 * {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}; {@code AWS_REGION}, then
 * {@code AWS_DEFAULT_REGION}), then the profile {@code AWS_PROFILE} names ({@code default} when
 * unset) in the shared credentials file ({@code AWS_SHARED_CREDENTIALS_FILE}, default
 * {@code ~/.aws/credentials}, sections {@code [name]}) and the shared config file
 * ({@code AWS_CONFIG_FILE}, default {@code ~/.aws/config}, sections {@code [profile name]} and
 * {@code [default]}); a key in the credentials file wins over the same key in the config file.
 *
 * <p>Only static keys are read: {@code aws_access_key_id}, {@code aws_secret_access_key},
 * {@code aws_session_token} and {@code region}. A profile that gets its credentials another way
 * (IAM Identity Center / SSO, {@code credential_process}, {@code role_arn}, web identity) fails
 * with a {@link ConfigurationException} that names it; so does finding no credentials at all.
 * Instance (IMDS) and container (ECS, EKS) credentials are not looked for.
 *
 * <p>Stateless and thread-safe. Messages never show a secret or a session token.
 */
final class AwsProfiles {

    private AwsProfiles() {
    }

    /** What was found: the credentials and the region, which may be null. */
    record Found(AwsCredentials credentials, String region) {
    }

    /**
     * {@return the credentials and region the settings and shared files give}
     *
     * @throws ConfigurationException if none are found, a file cannot be read, or the profile
     *         needs a way of getting credentials that Parley does not support
     */
    static Found resolve(ProviderEnvironment env) {
        String region = env.get("AWS_REGION");
        if (region == null) {
            region = env.get("AWS_DEFAULT_REGION");
        }
        String id = env.get("AWS_ACCESS_KEY_ID");
        boolean hasSecret = env.hasSecret("AWS_SECRET_ACCESS_KEY");
        if (id != null || hasSecret) {
            if (id == null) {
                throw ProviderEnvironment.invalid("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY is set but"
                        + " AWS_ACCESS_KEY_ID is not; set both");
            }
            if (!hasSecret) {
                throw ProviderEnvironment.invalid("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID is set but"
                        + " AWS_SECRET_ACCESS_KEY is not; set both");
            }
            AwsCredentials credentials = new AwsCredentials(id, env.secret("AWS_SECRET_ACCESS_KEY"),
                    env.secret("AWS_SESSION_TOKEN"));
            if (region == null) {
                region = profile(env).get("region");
            }
            return new Found(credentials, region);
        }
        String name = profileName(env);
        Map<String, String> profile = profile(env);
        if (region == null) {
            region = profile.get("region");
        }
        String keyId = profile.get("aws_access_key_id");
        String secret = profile.get("aws_secret_access_key");
        if (keyId != null && secret != null) {
            String token = profile.get("aws_session_token");
            return new Found(new AwsCredentials(keyId, key(name, "aws_secret_access_key", secret),
                    token == null ? null : key(name, "aws_session_token", token)), region);
        }
        String unsupported = profile.containsKey("sso_session") || profile.containsKey("sso_start_url")
                ? "IAM Identity Center (SSO) sign-in"
                : profile.containsKey("credential_process") ? "credential_process"
                : profile.containsKey("role_arn") ? "assuming a role (role_arn)"
                : profile.containsKey("web_identity_token_file") ? "web identity tokens" : null;
        String export = " Export temporary keys with `aws configure export-credentials --profile " + name
                + " --format env` and set the AWS_* variables it prints.";
        if (unsupported != null) {
            throw ProviderEnvironment.invalid("AWS_PROFILE", "profile " + name + " gets its credentials through "
                    + unsupported + ", which Parley does not support: it reads static keys only." + export);
        }
        throw ProviderEnvironment.invalid("AWS_ACCESS_KEY_ID", "the bedrock provider found no AWS credentials: set"
                + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), or give"
                + " profile " + name + " aws_access_key_id and aws_secret_access_key in " + credentialsFile(env)
                + ". Instance (IMDS) and container (ECS) credentials are not supported.");
    }

    /** {@return the profile's keys: the config file's, replaced by the credentials file's} */
    private static Map<String, String> profile(ProviderEnvironment env) {
        String name = profileName(env);
        Map<String, String> merged = new LinkedHashMap<>();
        Path config = configFile(env);
        Map<String, Map<String, String>> c = read(config, "AWS_CONFIG_FILE", true);
        merged.putAll(c.getOrDefault(name, Map.of()));
        Map<String, Map<String, String>> k = read(credentialsFile(env), "AWS_SHARED_CREDENTIALS_FILE", false);
        merged.putAll(k.getOrDefault(name, Map.of()));
        return merged;
    }

    private static String profileName(ProviderEnvironment env) {
        String name = env.get("AWS_PROFILE");
        return name != null ? name : "default";
    }

    private static Path configFile(ProviderEnvironment env) {
        String f = env.get("AWS_CONFIG_FILE");
        return f != null ? Path.of(f) : home(env).resolve(".aws").resolve("config");
    }

    private static Path credentialsFile(ProviderEnvironment env) {
        String f = env.get("AWS_SHARED_CREDENTIALS_FILE");
        return f != null ? Path.of(f) : home(env).resolve(".aws").resolve("credentials");
    }

    private static Path home(ProviderEnvironment env) {
        String home = env.get("HOME");
        return Path.of(home != null ? home : System.getProperty("user.home"));
    }

    /** {@return the sections of a shared file; none when it does not exist} */
    private static Map<String, Map<String, String>> read(Path file, String setting, boolean configFile) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException | RuntimeException e) {
            throw ProviderEnvironment.invalid(setting, "could not read " + file + " (" + (Files.isDirectory(file)
                    ? "it is a directory" : "it is not readable UTF-8 text") + ")");
        }
        return parse(text, configFile);
    }

    /**
     * {@return the sections of a shared file's text, by profile name}: in a config file
     * {@code [profile name]} is profile {@code name} and {@code [default]} is {@code default}
     * (other sections, such as {@code [sso-session x]}, are skipped); in a credentials file a
     * section is named as written. Keys are lower case; comment lines ({@code #}, {@code ;}),
     * blank lines and indented sub-settings are skipped.
     */
    static Map<String, Map<String, String>> parse(String text, boolean configFile) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                String name = line.substring(1, line.length() - 1).strip();
                if (configFile && name.startsWith("profile ")) {
                    name = name.substring("profile ".length()).strip();
                } else if (configFile && !name.equals("default")) {
                    current = null; // sso-session, services and other non-profile sections
                    continue;
                }
                current = sections.computeIfAbsent(name, n -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (current == null || eq <= 0 || Character.isWhitespace(raw.charAt(0))) {
                continue;
            }
            current.put(line.substring(0, eq).strip().toLowerCase(Locale.ROOT), line.substring(eq + 1).strip());
        }
        return sections;
    }

    private static ApiKey key(String profile, String name, String value) {
        try {
            return ApiKey.of(value);
        } catch (IllegalArgumentException e) {
            throw ProviderEnvironment.invalid("AWS_PROFILE", "profile " + profile + ": " + name + " is not usable: "
                    + e.getMessage());
        }
    }
}
