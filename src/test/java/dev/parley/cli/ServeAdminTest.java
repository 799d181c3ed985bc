package dev.parley.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.gateway.Gateway;

/** {@code parley serve} takes the admin key from PARLEY_GATEWAY_ADMIN_KEY or a file named by PARLEY_GATEWAY_ADMIN_KEY_FILE. */
class ServeAdminTest {

    private static final Args PORT_0 = Args.parse(List.of("--port", "0"), Set.of("host", "port"), Set.of("verbose"));
    private static final String ADMIN = "adm-canary-serve-admin-key-42";

    @TempDir
    Path dir;

    private static ServeCommand serve(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("LLM_PROVIDER", "ollama", "OLLAMA_HOST", "127.0.0.1:1"));
        env.putAll(extra);
        return new ServeCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), env);
    }

    private static int get(Gateway g, String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(g.uri().resolve(path));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        try (HttpClient c = HttpClient.newHttpClient()) {
            return c.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        }
    }

    @Test
    void theAdminKeyFromAFile_guardsMetricsAndOpensTheAdminApi() throws Exception {
        Path file = dir.resolve("admin.key");
        Files.writeString(file, ADMIN + "\n");
        Gateway g = serve(Map.of("PARLEY_GATEWAY_ADMIN_KEY_FILE", file.toString())).build(PORT_0).start();
        try {
            assertEquals(401, get(g, "/metrics", null));
            assertEquals(200, get(g, "/metrics", ADMIN));
            assertEquals(200, get(g, "/admin/summary", ADMIN));
        } finally {
            g.stop();
        }
    }

    @Test
    void withoutAnAdminKey_metricsAreOpenAndTheAdminApiIsOff() throws Exception {
        Gateway g = serve(Map.of()).build(PORT_0).start();
        try {
            assertEquals(200, get(g, "/metrics", null));
            assertEquals(404, get(g, "/admin/summary", null));
        } finally {
            g.stop();
        }
    }

    @Test
    void aBadAdminKeyNamesTheVariable_neverTheKey() {
        UsageException shortKey = assertThrows(UsageException.class,
                () -> serve(Map.of("PARLEY_GATEWAY_ADMIN_KEY", "tooshort-secret")).build(PORT_0));
        assertTrue(shortKey.getMessage().startsWith("PARLEY_GATEWAY_ADMIN_KEY: "), shortKey.getMessage());
        assertFalse(shortKey.getMessage().contains("tooshort-secret"));

        UsageException both = assertThrows(UsageException.class, () -> serve(Map.of("PARLEY_GATEWAY_ADMIN_KEY", ADMIN,
                "PARLEY_GATEWAY_ADMIN_KEY_FILE", dir.resolve("x").toString())).build(PORT_0));
        assertTrue(both.getMessage().contains("set only one"), both.getMessage());
        assertFalse(both.getMessage().contains(ADMIN));

        UsageException missing = assertThrows(UsageException.class, () -> serve(Map.of("PARLEY_GATEWAY_ADMIN_KEY_FILE",
                dir.resolve("none.key").toString())).build(PORT_0));
        assertTrue(missing.getMessage().contains("PARLEY_GATEWAY_ADMIN_KEY_FILE"), missing.getMessage());

        UsageException clientToo = assertThrows(UsageException.class, () -> serve(Map.of("PARLEY_GATEWAY_ADMIN_KEY", ADMIN,
                "PARLEY_GATEWAY_KEYS", "sk-a," + ADMIN)).build(PORT_0));
        assertFalse(clientToo.getMessage().contains(ADMIN), clientToo.getMessage());
    }
}
