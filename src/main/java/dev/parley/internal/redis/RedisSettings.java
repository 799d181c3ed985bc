package dev.parley.internal.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import javax.net.ssl.SSLContext;

import dev.parley.LlmException;

/**
 * How to reach Redis and how to behave when it cannot be reached. Made from a URL,
 * {@code redis://[user[:password]@]host[:port][/db]} ({@code rediss://} for TLS), or from the
 * environment ({@link #fromEnvironment(Map)}). Immutable; {@link #toString()} never shows the
 * password, and neither does any error about the URL.
 */
public final class RedisSettings {

    /** What a budget check does while Redis cannot be reached. */
    public enum BudgetWhenDown {
        /** Refuse the call: no spend goes untracked (the default). */
        REFUSE,
        /** Allow the call, untracked; counted in the health snapshot. */
        ALLOW
    }

    /** The environment variable with the URL. */
    public static final String URL_VARIABLE = "PARLEY_REDIS_URL";
    /** The environment variable with the number of gateway instances sharing Redis. */
    public static final String INSTANCES_VARIABLE = "PARLEY_REDIS_INSTANCES";
    /** The environment variable with {@code refuse} or {@code allow}. */
    public static final String BUDGET_VARIABLE = "PARLEY_REDIS_BUDGET_WHEN_DOWN";

    final String host;
    final int port;
    final String user;
    private final String password;
    final int database;
    final boolean tls;
    final SSLContext sslContext;
    final Duration connectTimeout;
    final Duration commandTimeout;
    final int poolSize;
    final Duration maxBackoff;
    final int instances;
    final BudgetWhenDown budgetWhenDown;
    final int maxValueBytes;
    final Duration cacheTtl;
    final String prefix;

    private RedisSettings(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.user = b.user;
        this.password = b.password;
        this.database = b.database;
        this.tls = b.tls;
        this.sslContext = b.sslContext;
        this.connectTimeout = b.connectTimeout;
        this.commandTimeout = b.commandTimeout;
        this.poolSize = b.poolSize;
        this.maxBackoff = b.maxBackoff;
        this.instances = b.instances;
        this.budgetWhenDown = b.budgetWhenDown;
        this.maxValueBytes = b.maxValueBytes;
        this.cacheTtl = b.cacheTtl;
        this.prefix = b.prefix;
    }

    /** {@return the password, or null; for AUTH only} */
    String password() {
        return password;
    }

    /** {@return how many gateway instances share Redis; local fallback limits are divided by it} */
    public int instances() {
        return instances;
    }

    /** {@return what budgets do while Redis is down} */
    public BudgetWhenDown budgetWhenDown() {
        return budgetWhenDown;
    }

    /** {@return "host:port", for messages} */
    String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * {@return settings from {@code PARLEY_REDIS_URL} (or {@code PARLEY_REDIS_URL_FILE}, the path
     * of a file holding it, as container secrets are mounted), {@code PARLEY_REDIS_INSTANCES} and
     * {@code PARLEY_REDIS_BUDGET_WHEN_DOWN}, or null when the URL is not set}
     *
     * @param env the environment, such as {@code System.getenv()}
     * @throws dev.parley.ConfigurationException if a value is malformed (the message never quotes the URL)
     */
    public static RedisSettings fromEnvironment(Map<String, String> env) {
        String url = env.get(URL_VARIABLE);
        String file = env.get(URL_VARIABLE + "_FILE");
        if (file != null && !file.isBlank()) {
            if (url != null && !url.isBlank()) {
                throw config(URL_VARIABLE + " and " + URL_VARIABLE + "_FILE are both set; set one");
            }
            try {
                url = java.nio.file.Files.readString(java.nio.file.Path.of(file.strip()));
            } catch (java.io.IOException | RuntimeException e) {
                throw config(URL_VARIABLE + "_FILE names a file that cannot be read: " + file.strip());
            }
        }
        if (url == null || url.isBlank()) {
            return null;
        }
        Builder b = newBuilder().url(url.strip());
        String instances = env.get(INSTANCES_VARIABLE);
        if (instances != null && !instances.isBlank()) {
            try {
                b.instances(Integer.parseInt(instances.strip()));
            } catch (NumberFormatException e) {
                throw config(INSTANCES_VARIABLE + " must be a whole number from 1 to 1000, got \"" + instances.strip() + "\"");
            }
        }
        String when = env.get(BUDGET_VARIABLE);
        if (when != null && !when.isBlank()) {
            switch (when.strip().toLowerCase(Locale.ROOT)) {
                case "refuse" -> b.budgetWhenDown(BudgetWhenDown.REFUSE);
                case "allow" -> b.budgetWhenDown(BudgetWhenDown.ALLOW);
                default -> throw config(BUDGET_VARIABLE + " must be \"refuse\" or \"allow\", got \"" + when.strip() + "\"");
            }
        }
        return b.build();
    }

    static LlmException config(String message) {
        return LlmException.newBuilder(LlmException.Kind.CONFIGURATION).message(message).build();
    }

    /** {@return a builder for Redis on 127.0.0.1:6379, database 0, no password} */
    public static Builder newBuilder() {
        return new Builder();
    }

    @Override
    public String toString() {
        return "RedisSettings[" + (tls ? "rediss://" : "redis://")
                + (user != null || password != null ? (user == null ? "" : user) + (password == null ? "" : ":***") + "@" : "")
                + address() + "/" + database + ", instances=" + instances + ", budgetWhenDown="
                + budgetWhenDown.name().toLowerCase(Locale.ROOT) + "]";
    }

    /** Builds {@link RedisSettings}; setters check their argument at once. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 6379;
        private String user;
        private String password;
        private int database;
        private boolean tls;
        private SSLContext sslContext;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration commandTimeout = Duration.ofSeconds(1);
        private int poolSize = 16;
        private Duration maxBackoff = Duration.ofSeconds(5);
        private int instances = 1;
        private BudgetWhenDown budgetWhenDown = BudgetWhenDown.REFUSE;
        private int maxValueBytes = 4 << 20;
        private Duration cacheTtl = Duration.ofDays(1);
        private String prefix = "parley:";

        private Builder() {
        }

        /**
         * Sets host, port, user, password, database and TLS from a URL:
         * {@code redis://[user[:password]@]host[:port][/db]}, or {@code rediss://} for TLS. The
         * user and password may be percent-encoded; a password alone is {@code redis://:password@host}.
         *
         * @param url the URL
         * @return this builder
         * @throws dev.parley.ConfigurationException if it is malformed (the message never quotes it)
         */
        public Builder url(String url) {
            Objects.requireNonNull(url, "url");
            String expected = "; expected redis://[user[:password]@]host[:port][/db] or rediss://...";
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw config("the Redis URL is malformed" + expected);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("redis") && !scheme.equals("rediss")) {
                throw config("the Redis URL must start with redis:// or rediss://" + expected);
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw config("the Redis URL has no host" + expected);
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw config("the Redis URL has a query or fragment" + expected);
            }
            String h = uri.getHost();
            host = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
            port = uri.getPort() == -1 ? 6379 : uri.getPort();
            tls = scheme.equals("rediss");
            user = null;
            password = null;
            String info = uri.getRawUserInfo();
            if (info != null) {
                int colon = info.indexOf(':');
                String u = decode(colon < 0 ? info : info.substring(0, colon));
                user = u.isEmpty() ? null : u;
                if (colon >= 0) {
                    String p = decode(info.substring(colon + 1));
                    password = p.isEmpty() ? null : p;
                }
            }
            String path = uri.getRawPath();
            database = 0;
            if (path != null && !path.isEmpty() && !path.equals("/")) {
                try {
                    database = Integer.parseInt(path.substring(1));
                } catch (NumberFormatException e) {
                    database = -1;
                }
                if (database < 0 || database > 65535) {
                    throw config("the Redis URL's database must be a number from 0 to 65535" + expected);
                }
            }
            return this;
        }

        private static String decode(String s) {
            try {
                return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw config("the Redis URL has a malformed percent-encoding in its user or password");
            }
        }

        /**
         * Sets the TLS context for {@code rediss://} (to trust a private CA). Default: the JDK's.
         *
         * @param context the context
         * @return this builder
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * Sets how long a connection (with TLS handshake and AUTH) may take. Default 2 s.
         *
         * @param timeout from 1 ms to 1 min
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = check(timeout, "connectTimeout");
            return this;
        }

        /**
         * Sets how long a command (or pipeline), waiting for a connection included, may take. Default 1 s.
         *
         * @param timeout from 1 ms to 1 min
         * @return this builder
         */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = check(timeout, "commandTimeout");
            return this;
        }

        /**
         * Sets the longest wait between attempts to reconnect to a Redis that is down. Default 5 s.
         *
         * @param backoff from 1 ms to 1 min
         * @return this builder
         */
        public Builder maxBackoff(Duration backoff) {
            this.maxBackoff = check(backoff, "maxBackoff");
            return this;
        }

        private static Duration check(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(Duration.ofMillis(1)) < 0 || d.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException(name + " must be from 1 ms to 1 min, got " + d);
            }
            return d;
        }

        /**
         * Sets the most connections open at once; callers beyond wait (virtual threads wait cheaply). Default 16.
         *
         * @param size from 1 to 1024
         * @return this builder
         */
        public Builder poolSize(int size) {
            if (size < 1 || size > 1024) {
                throw new IllegalArgumentException("poolSize must be from 1 to 1024, got " + size);
            }
            this.poolSize = size;
            return this;
        }

        /**
         * Sets how many gateway instances share Redis: while it is down, each enforces its
         * limits divided by this (at least 1 per window). Default 1.
         *
         * @param n from 1 to 1000
         * @return this builder
         */
        public Builder instances(int n) {
            if (n < 1 || n > 1000) {
                throw config(INSTANCES_VARIABLE + " must be a whole number from 1 to 1000, got " + n);
            }
            this.instances = n;
            return this;
        }

        /**
         * Sets what budget checks do while Redis is down. Default {@link BudgetWhenDown#REFUSE}.
         *
         * @param when refuse or allow
         * @return this builder
         */
        public Builder budgetWhenDown(BudgetWhenDown when) {
            this.budgetWhenDown = Objects.requireNonNull(when, "when");
            return this;
        }

        /**
         * Sets the largest cache entry stored; larger ones are not stored. Default 4 MiB.
         *
         * @param bytes from 1 KiB to 64 MiB
         * @return this builder
         */
        public Builder maxValueBytes(int bytes) {
            if (bytes < 1024 || bytes > 64 << 20) {
                throw new IllegalArgumentException("maxValueBytes must be from 1 KiB to 64 MiB, got " + bytes);
            }
            this.maxValueBytes = bytes;
            return this;
        }

        /**
         * Sets how long Redis keeps a cache entry. Default 1 day.
         *
         * @param ttl from 1 ms to 365 days
         * @return this builder
         */
        public Builder cacheTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.compareTo(Duration.ofMillis(1)) < 0 || ttl.compareTo(Duration.ofDays(365)) > 0) {
                throw new IllegalArgumentException("cacheTtl must be from 1 ms to 365 days, got " + ttl);
            }
            this.cacheTtl = ttl;
            return this;
        }

        /**
         * Sets the prefix of every key Parley writes. Default {@code "parley:"}.
         *
         * @param prefix 1 to 64 characters, no whitespace
         * @return this builder
         */
        public Builder prefix(String prefix) {
            if (prefix == null || prefix.isEmpty() || prefix.length() > 64 || prefix.chars().anyMatch(c -> c <= ' ')) {
                throw new IllegalArgumentException("prefix must be 1 to 64 characters without whitespace");
            }
            this.prefix = prefix;
            return this;
        }

        /** {@return the settings} */
        public RedisSettings build() {
            return new RedisSettings(this);
        }
    }
}
