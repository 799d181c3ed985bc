package dev.parley.internal;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.UnaryOperator;

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
        return key == null ? t : rewrite(t, key::redact);
    }

    /**
     * {@return {@code t} itself when no message in its chain holds a control character;
     * otherwise a copy of the chain with {@link #controls(String)} applied to every message}
     * (same stack traces). Null for null.
     *
     * @param t a throwable about to be printed or logged
     */
    public static Throwable controls(Throwable t) {
        return rewrite(t, Scrub::controls);
    }

    private static Throwable rewrite(Throwable t, UnaryOperator<String> f) {
        if (t == null || !changes(t, f, Collections.newSetFromMap(new IdentityHashMap<>()), 0)) {
            return t;
        }
        return copy(t, f, 0);
    }

    private static boolean changes(Throwable t, UnaryOperator<String> f, Set<Throwable> seen, int depth) {
        if (t == null || depth > MAX_DEPTH || !seen.add(t)) {
            return false;
        }
        String s = t.toString();
        if (!s.equals(f.apply(s))) {
            return true;
        }
        for (Throwable x : t.getSuppressed()) {
            if (changes(x, f, seen, depth + 1)) {
                return true;
            }
        }
        return changes(t.getCause(), f, seen, depth + 1);
    }

    private static Throwable copy(Throwable t, UnaryOperator<String> f, int depth) {
        Rewritten r = new Rewritten(f.apply(t.toString()), f.apply(t.getMessage()));
        r.setStackTrace(t.getStackTrace());
        if (depth < MAX_DEPTH) {
            if (t.getCause() != null && t.getCause() != t) {
                r.initCause(copy(t.getCause(), f, depth + 1));
            }
            for (Throwable x : t.getSuppressed()) {
                r.addSuppressed(copy(x, f, depth + 1));
            }
        }
        return r;
    }

    /**
     * {@return {@code text} with control characters removed}: C0 and C1 controls (so escape
     * sequences, carriage returns, NUL), DEL, line and paragraph separators and bidirectional
     * overrides, which could forge lines, move the cursor, set a terminal's title or reorder
     * what is shown. A line break or tab becomes a space, so a message stays one line; runs of
     * spaces are kept. Null for null.
     *
     * @param text text that came from the network (a provider's error message, a header)
     */
    public static String controls(String text) {
        return clean(text, false);
    }

    /**
     * {@return {@code text} with control characters removed as {@link #controls(String)} does,
     * but line breaks ({@code \n}) and tabs kept}: for multi-line text such as a model's answer.
     * Null for null.
     *
     * @param text text that came from the network
     */
    public static String keepingLines(String text) {
        return clean(text, true);
    }

    private static String clean(String text, boolean keepLines) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && (!unsafe(text.charAt(i)) || (keepLines && kept(text.charAt(i))))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length()).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!unsafe(c) || (keepLines && kept(c))) {
                sb.append(c);
            } else if (c == '\n' || c == '\t' || c == '\u2028' || c == '\u2029') {
                sb.append(' ');
            }
        }
        return sb.toString();
    }

    private static boolean kept(char c) {
        return c == '\n' || c == '\t';
    }

    private static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u200E' || c == '\u200F';
    }

    /** A copy of a throwable whose messages were rewritten: prints as the original did, rewritten. */
    private static final class Rewritten extends Exception {
        private static final long serialVersionUID = 1L;
        private final String shown;

        Rewritten(String shown, String message) {
            super(message);
            this.shown = shown;
        }

        @Override
        public String toString() {
            return shown;
        }
    }
}
