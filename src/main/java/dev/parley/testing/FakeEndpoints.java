package dev.parley.testing;

import java.util.Map;

/** The paths {@link FakeLlmServer} answers, with their methods. Stateless and thread-safe. */
final class FakeEndpoints {

    private static final Map<String, String> METHODS = Map.of(
            "/v1/chat/completions", "POST",
            "/v1/embeddings", "POST",
            "/v1/models", "GET",
            "/v1/messages", "POST",
            "/api/chat", "POST",
            "/api/embed", "POST",
            "/api/tags", "GET");

    private FakeEndpoints() {
    }

    /** {@return whether {@code path} is an API endpoint (faults apply to these only)} */
    static boolean known(String path) {
        return METHODS.containsKey(path);
    }

    /** {@return the method {@code path} takes} */
    static String method(String path) {
        return METHODS.get(path);
    }
}
