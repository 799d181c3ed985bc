package dev.parley.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.gateway.Gateway;

/** {@code parley keys hash} and {@code parley serve --config}. */
class ServeConfigTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String stdin, Map<String, String> env, String... args) {
        return Main.run(List.of(args), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env);
    }

    @Test
    void keysHash_printsTheHashOfTheKeyOnStandardInput_andNeverTheKey() {
        assertEquals(0, run("sk-team-key-123\n", Map.of(), "keys", "hash"));

        String printed = out.toString(StandardCharsets.UTF_8).strip();
        assertEquals(Gateway.keyHash("sk-team-key-123"), printed);
        assertTrue(printed.matches("sha256:[0-9a-f]{64}"), printed);
        assertFalse(printed.contains("sk-team-key"));
    }

    @Test
    void keysHash_refusesAnEmptyKey() {
        assertEquals(2, run("\n", Map.of(), "keys", "hash"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("expected one key"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void serveWithABadConfigFile_namesEachProblem_andDoesNotStart() throws Exception {
        Path file = dir.resolve("gateway.json");
        Files.writeString(file, "{\"keys\":[{\"name\":\"a\",\"hash\":\"sha256:00\",\"limits\":{\"rpm\":-5}}]}");

        int code = run("", Map.of("OPENAI_API_KEY", "sk-x"), "serve", "--port", "0", "--config", file.toString());

        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(3, code, e);
        assertTrue(e.contains("keys[0] (\"a\").hash"), e);
        assertTrue(e.contains("keys[0] (\"a\").limits.rpm"), e);
    }

    @Test
    void serveRefusesGatewayKeysTogetherWithAConfigFile() throws Exception {
        Path file = dir.resolve("gateway.json");
        Files.writeString(file, "{\"keys\":[]}");

        int code = run("", Map.of("OPENAI_API_KEY", "sk-x", "PARLEY_GATEWAY_KEYS", "k1"), "serve", "--port", "0",
                "--config", file.toString());

        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot both give the keys"));
    }

    @Test
    void helpDescribesConfigAndKeys() {
        assertEquals(0, run("", Map.of(), "serve", "--help"));
        assertEquals(0, run("", Map.of(), "keys", "--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("--config FILE") && help.contains("PARLEY_GATEWAY_ACCESS_LOG") && help.contains("parley keys hash"));
    }
}
