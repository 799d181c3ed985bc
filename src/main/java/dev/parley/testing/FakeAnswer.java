package dev.parley.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * The deterministic answer {@link FakeLlmServer} gives: the reply text (scripted, or
 * {@code "You said: <last user message>"}), cut to the token limit the request set, with token
 * counts of about one token per four characters, and its split into stream pieces.
 *
 * @param text             the answer
 * @param truncated        whether it was cut at the request's token limit (finish reason "length")
 * @param promptTokens     tokens in the prompt: its characters / 4, rounded up, at least 1
 * @param completionTokens tokens in the answer, counted the same way
 */
record FakeAnswer(String text, boolean truncated, long promptTokens, long completionTokens) {

    /**
     * {@return the answer}
     *
     * @param scripted  the reply set on the server, or null to echo
     * @param prompt    every text of the prompt, for the token count
     * @param lastUser  the last user message's text, or null
     * @param maxTokens the request's token limit, or null
     */
    static FakeAnswer of(String scripted, List<String> prompt, String lastUser, Integer maxTokens) {
        String text = scripted != null ? scripted : lastUser != null ? "You said: " + lastUser : "Hello from FakeLlmServer.";
        long promptChars = 0;
        for (String p : prompt) {
            promptChars += p.length();
        }
        boolean truncated = false;
        if (maxTokens != null && maxTokens > 0 && tokens(text.length()) > maxTokens) {
            long keep = Math.min(text.length(), (long) maxTokens * 4);
            int end = text.offsetByCodePoints(0, text.codePointCount(0, (int) keep));
            text = text.substring(0, end);
            truncated = true;
        }
        return new FakeAnswer(text, truncated, tokens(promptChars), tokens(text.length()));
    }

    /** {@return about one token per four characters, at least 1} */
    static long tokens(long chars) {
        return Math.max(1, (chars + 3) / 4);
    }

    /** {@return the text split into at most {@code n} pieces of about equal length, never inside a surrogate pair; none for an empty text} */
    List<String> pieces(int n) {
        List<String> out = new ArrayList<>();
        int points = text.codePointCount(0, text.length());
        if (points == 0) {
            return out;
        }
        int count = Math.max(1, Math.min(n, points));
        int start = 0;
        for (int i = 0; i < count; i++) {
            int take = points / count + (i < points % count ? 1 : 0);
            int end = text.offsetByCodePoints(start, take);
            out.add(text.substring(start, end));
            start = end;
        }
        return out;
    }
}
