package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.testing.FakeLlmServer;

/**
 * A user's small {@code jlink} image: {@code java.base}, {@code java.net.http} and Parley's jar,
 * without {@code jdk.httpserver}. In it a chat works, and so does the gateway (which runs its own
 * server); {@code parley demo}, whose fake provider needs the JDK's HTTP server, says what to do
 * instead of failing with a {@code NoClassDefFoundError}. The image is linked once for the class,
 * by the {@code jlink} of the JDK that runs the tests, in a separate process (jlink refuses to link
 * from the run-time image of a JVM running with {@code --patch-module}, as this one does), from a
 * jar the JDK's {@code jar} tool makes of {@code target/classes} (Maven builds the real jar after
 * the tests). The provider is a {@link FakeLlmServer} in this JVM; the image runs the client only.
 */
class JlinkImageTest {

    private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));
    private static final Path DIR = Path.of("target", "jlink-image-test");
    private static final Path IMAGE = DIR.resolve("image");
    private static final String MAIN = "dev.parley/dev.parley.cli.Main";

    private static FakeLlmServer provider;

    @BeforeAll
    static void linkImage() throws Exception {
        String exe = System.getProperty("os.name").startsWith("Windows") ? ".exe" : "";
        Path jlink = JAVA_HOME.resolve("bin/jlink" + exe);
        assumeTrue(Files.isExecutable(jlink), "skipped: the JDK running the tests has no jlink (" + jlink + ")");
        deleteTree(DIR);
        Files.createDirectories(DIR);
        Path jar = DIR.resolve("parley.jar");
        run(List.of(JAVA_HOME.resolve("bin/jar" + exe).toString(), "--create", "--file", jar.toString(),
                "-C", Path.of("target", "classes").toString(), "."), Map.of(), 0);
        run(List.of(jlink.toString(), "--module-path", jar.toString(), "--add-modules", "java.base,java.net.http,dev.parley",
                "--output", IMAGE.toString(), "--strip-debug", "--no-header-files", "--no-man-pages"), Map.of(), 0);
        provider = FakeLlmServer.newBuilder().reply("Paris").streamChunks(3).build().start();
    }

    @AfterAll
    static void stopProvider() {
        if (provider != null) {
            provider.close();
        }
    }

    private static List<String> java(String... args) {
        String exe = System.getProperty("os.name").startsWith("Windows") ? ".exe" : "";
        List<String> command = new ArrayList<>(List.of(IMAGE.resolve("bin/java" + exe).toString()));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void image_holdsOnlyTheBaseTheHttpClientAndParley() throws Exception {
        Set<String> modules = run(java("--list-modules"), Map.of(), 0).lines()
                .map(line -> line.replaceFirst("@.*", "").strip())
                .filter(line -> !line.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Set.of("dev.parley", "java.base", "java.net.http")), modules);
    }

    @Test
    void chat_streamedAndNot_answersInTheImage() throws Exception {
        List<String> chat = java("-m", MAIN, "chat", "--provider", "openai", "--base-url", provider.uri("/v1").toString(),
                "--api-key-env", "TEST_KEY", "--model", "gpt-4o-mini", "What is the capital of France?");
        Map<String, String> env = Map.of("TEST_KEY", "sk-test-jlink");
        assertEquals("Paris", run(chat, env, 0).strip());
        List<String> plain = new ArrayList<>(chat);
        plain.add(plain.size() - 1, "--no-stream");
        assertEquals("Paris", run(plain, env, 0).strip());
        assertTrue(provider.requests().stream().anyMatch(r -> r.path().equals("/v1/chat/completions")),
                "the image's client reached the provider");
    }

    @Test
    void demo_withoutTheHttpServerModule_saysHowToAddIt() throws Exception {
        String out = run(java("-m", MAIN, "demo"), Map.of(), 3);
        assertTrue(out.startsWith("parley: parley demo needs the JDK's HTTP server (the module jdk.httpserver)"), out);
        assertTrue(out.contains("jlink --add-modules jdk.httpserver"), out);
        assertFalse(out.contains("NoClassDefFoundError") || out.contains("Exception") || out.contains("\tat "), out);
    }

    /** Without the module, FakeLlmServer still loads (no class of it names the module's types) to say so. */
    @Test
    void fakeLlmServer_withoutTheHttpServerModule_saysHowToAddIt() throws Exception {
        String out = run(java("-cp", Path.of("target", "test-classes").toString(), "probe.FakeServerProbe"), Map.of(), 0);
        assertTrue(out.startsWith("FakeLlmServer needs the JDK's HTTP server (the module jdk.httpserver)"), out);
        assertTrue(out.contains("jlink --add-modules jdk.httpserver"), out);
    }

    @Test
    void gateway_servesAChat_withoutTheHttpServerModule() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(java("-m", MAIN, "serve", "--port", "0"))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().putAll(Map.of("OPENAI_API_KEY", "sk-test-jlink", "OPENAI_BASE_URL", provider.uri("/v1").toString()));
        Process gateway = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
            String first = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return "cannot read: " + e;
                }
            }).get(60, TimeUnit.SECONDS);
            assertTrue(first != null && first.startsWith("parley gateway listening on http://"), String.valueOf(first));
            URI base = URI.create(first.substring("parley gateway listening on ".length()).split(" ")[0]);
            try (HttpClient client = HttpClient.newHttpClient()) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("\"message\":{\"role\":\"assistant\",\"content\":\"Paris\""), r.body());
            }
        } finally {
            gateway.destroy();
            if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
            }
        }
    }

    /** Runs {@code command} with only {@code env} set; {@return its output and error output} after checking its exit code. */
    private static String run(List<String> command, Map<String, String> env, int expectedExit)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished in time: " + command);
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(expectedExit, p.exitValue(), command + "\n" + text);
        return text;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
