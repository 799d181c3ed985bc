package dev.parley.internal;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import dev.parley.ApiKey;

/**
 * Makes text from the network and exceptions safe to print or log: {@link #controls(String)}
 * removes what a terminal or a log would act on, {@link #redact(Throwable, ApiKey)} takes the
 * key out of a whole chain of causes. Shared by the CLI, the logging layer and the gateway.
 * Stateless and thread-safe.
 */
public final class Scrub {

    /** How deep a cause chain is copied; a deeper one is cut (a cycle, or a pathological chain). */
    private static final int MAX_DEPTH = 16;

    private Scrub() {
    }

    /**
     * {@return {@code t} itself when no message in its chain (causes and suppressed exceptions)
     * shows the key; otherwise a copy of the chain with the key redacted from every message},
     * with the same stack traces, each printing as its original did ({@code class: message}).
     * Null for null.
     *
     * @param t   a throwable about to be wrapped, printed or logged
     * @param key the key, or null (then {@code t} is returned)
     */
    public static Throwable redact(Throwable t, ApiKey key) {
        if (t == null || key == null || !shows(t, key, Collections.newSetFromMap(new IdentityHashMap<>()), 0)) {
            return t;
        }
        return copy(t, key, 0);
    }

    private static boolean shows(Throwable t, ApiKey key, Set<Throwable> seen, int depth) {
        if (t == null || depth > MAX_DEPTH || !seen.add(t)) {
            return false;
        }
        String s = t.toString();
        if (!s.equals(key.redact(s))) {
            return true;
        }
        for (Throwable x : t.getSuppressed()) {
            if (shows(x, key, seen, depth + 1)) {
                return true;
            }
        }
        return shows(t.getCause(), key, seen, depth + 1);
    }

    private static Throwable copy(Throwable t, ApiKey key, int depth) {
        Redacted r = new Redacted(key.redact(t.toString()), key.redact(t.getMessage()));
        r.setStackTrace(t.getStackTrace());
        if (depth < MAX_DEPTH) {
            if (t.getCause() != null && t.getCause() != t) {
                r.initCause(copy(t.getCause(), key, depth + 1));
            }
            for (Throwable x : t.getSuppressed()) {
                r.addSuppressed(copy(x, key, depth + 1));
            }
        }
        return r;
    }

    /** A copy of a throwable whose messages showed the key: prints as the original did, redacted. */
    private static final class Redacted extends Exception {
        private static final long serialVersionUID = 1L;
        private final String shown;

        Redacted(String shown, String message) {
            super(message);
            this.shown = shown;
        }

        @Override
        public String toString() {
            return shown;
        }
    }
}
