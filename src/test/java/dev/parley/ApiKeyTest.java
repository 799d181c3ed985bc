package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.http.HttpErrors;

class ApiKeyTest {

    @Test
    void redact_aShortKey_neitherManglesTextNorShowsWhereTheKeyIs() {
        ApiKey x = ApiKey.of("x");
        assertEquals("could not connect (ConnectException)", x.redact("could not connect (ConnectException)"));
        assertEquals("Incorrect API key provided: [redacted].", x.redact("Incorrect API key provided: x."));
        assertEquals("key \"[redacted]\"", x.redact("key \"x\""));
        ApiKey digits = ApiKey.of("1234");
        assertEquals("port 12345, key [redacted]", digits.redact("port 12345, key 1234"));
    }

    @Test
    void redact_aRealLookingKey_removesEveryOccurrence() {
        ApiKey k = ApiKey.of("sk-canary-7f3a9c1e5b2d");
        assertEquals("[redacted] and x[redacted]y and Bearer [redacted]",
                k.redact("sk-canary-7f3a9c1e5b2d and xsk-canary-7f3a9c1e5b2dy and Bearer sk-canary-7f3a9c1e5b2d"));
        assertEquals(null, k.redact(null));
    }

    private static final String SECRET = "sk-canary-7f3a9c1e5b2d";

    @Test
    void of_refusesWhatCannotGoInAHeader_namingThePositionButNeverTheKey() {
        Map<String, String> cases = Map.of(
                "\u201C" + SECRET + "\u201D", "character 1 is U+201C",
                SECRET.substring(0, 5) + "\u200B" + SECRET.substring(5), "character 6 is U+200B",
                SECRET.substring(0, 5) + "\u2028" + SECRET.substring(5), "character 6 is U+2028",
                SECRET.substring(0, 5) + "\u00e9" + SECRET.substring(5), "character 6 is U+00E9",
                SECRET.substring(0, 5) + " " + SECRET.substring(5), "character 6 is a space",
                SECRET + "\n\u0001", "character 23 is U+000A");
        cases.forEach((bad, expected) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ApiKey.of(bad));
            assertTrue(e.getMessage().contains(expected), e.getMessage());
            assertFalse(e.getMessage().contains("sk-can"), e.getMessage());
        });
        assertEquals(SECRET, ApiKey.of("  " + SECRET + "\r\n").value());
    }

    @Test
    void settings_checkEveryKeyVariableAndKeyFile_whenRead(@TempDir Path dir) throws IOException {
        ConfigurationException quoted = assertThrows(ConfigurationException.class, () -> Llm.newBuilder()
                .settings(Map.of("OPENAI_API_KEY", "\u201C" + SECRET + "\u201D")).provider("openai").build());
        assertTrue(quoted.getMessage().startsWith("OPENAI_API_KEY: "), quoted.getMessage());
        assertTrue(quoted.getMessage().contains("character 1 is U+201C"), quoted.getMessage());
        assertFalse(trace(quoted).contains(SECRET.substring(3)), trace(quoted));

        Path file = dir.resolve("key");
        Files.writeString(file, SECRET + "\u200B\n");
        ConfigurationException inFile = assertThrows(ConfigurationException.class, () -> Llm.newBuilder()
                .settings(Map.of("ANTHROPIC_API_KEY_FILE", file.toString())).provider("anthropic").build());
        assertTrue(inFile.getMessage().startsWith("ANTHROPIC_API_KEY_FILE: "), inFile.getMessage());
        assertTrue(inFile.getMessage().contains("character 23 is U+200B"), inFile.getMessage());
        assertFalse(trace(inFile).contains(SECRET.substring(3)), trace(inFile));

        Files.writeString(file, SECRET + "\r\n");
        assertEquals("openai", Llm.newBuilder().settings(Map.of("OPENAI_API_KEY_FILE", file.toString()))
                .provider("openai").build().providerName(), "a key file's trailing line break is trimmed");
    }

    @Test
    void wrappedCauses_areRedactedToo() {
        IOException io = new IOException("invalid header value: \"Bearer " + SECRET + "\"",
                new IllegalStateException("nested " + SECRET));
        LlmException e = HttpErrors.fromException("openai", io, ApiKey.of(SECRET));
        String trace = trace(e);
        assertFalse(trace.contains(SECRET), trace);
        assertTrue(trace.contains("Bearer [redacted]"), trace);
        assertTrue(trace.contains("nested [redacted]"), trace);
        IOException clean = new IOException("connection reset");
        assertEquals(clean, HttpErrors.fromException("openai", clean, ApiKey.of(SECRET)).getCause(),
                "a cause that does not show the key is kept as it is");
    }

    @Test
    void anUnreadableKeyFile_saysWhyWithoutJavaNames(@TempDir Path dir) {
        ConfigurationException missing = assertThrows(ConfigurationException.class, () -> Llm.newBuilder()
                .settings(Map.of("OPENAI_API_KEY_FILE", dir.resolve("nope").toString())).provider("openai").build());
        assertTrue(missing.getMessage().endsWith("could not read the key file " + dir.resolve("nope") + ": there is no such file"),
                missing.getMessage());
        ConfigurationException directory = assertThrows(ConfigurationException.class, () -> Llm.newBuilder()
                .settings(Map.of("OPENAI_API_KEY_FILE", dir.toString())).provider("openai").build());
        assertFalse(directory.getMessage().contains("Exception"), directory.getMessage());
    }

    private static String trace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
