package dev.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Node library ({@code openai} on npm), unchanged, against a running gateway:
 * plain and streamed chat, the stream helper, SSE heartbeats, a tool call, embeddings as base64
 * and as floats, models, the 401 and 400 errors as the client's own error classes, and the
 * Responses API ({@code responses.create} plain and streamed, the {@code responses.stream} helper, a
 * function-tool round trip, {@code previous_response_id} refused)
 * ({@code src/test/resources/clients/openai-node-check.mjs}, 16 checks).
 *
 * <p>It needs Node.js and npm (CI installs them from the OS packages when missing) and installs
 * the pinned client into {@code target/openai-node} once; without Node.js or the npm registry it
 * is skipped, and says why. Nothing of it is a dependency of the jar.
 */
class OpenAiNodeClientTest {

    private static final String CLIENT = "openai@6.49.0";
    private static final int CHECKS = 16;

    @Test
    void theOfficialNodeClient_passesEveryCheck_throughTheGateway() throws Exception {
        assumeTrue(runs("node", "--version"), "Node.js is not installed: the real-client check is skipped");
        assumeTrue(runs("npm", "--version"), "npm is not installed: the real-client check is skipped");
        Path dir = Path.of("target", "openai-node").toAbsolutePath();
        if (!Files.isRegularFile(dir.resolve("node_modules/openai/package.json"))) {
            Files.createDirectories(dir);
            Result install = run(dir, Map.of(), 300, "npm", "install", "--no-audit", "--no-fund", "--prefix", dir.toString(), CLIENT);
            assumeTrue(install.code == 0, () -> "npm could not install " + CLIENT + ", skipped:\n" + tail(install.output));
        }
        Path script = dir.resolve("check.mjs");
        try (InputStream in = getClass().getResourceAsStream("/clients/openai-node-check.mjs")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        try (Gateway gateway = GatewayCheckServer.start(0)) {
            Result check = run(dir, Map.of("PARLEY_GATEWAY_URL", gateway.uri() + "/v1", "PARLEY_GATEWAY_KEY", "sk-parley-check"),
                    120, "node", script.toString());
            List<String> lines = check.output.lines().toList();
            assertFalse(lines.stream().anyMatch(l -> l.startsWith("FAIL")), check.output);
            assertEquals(CHECKS, lines.stream().filter(l -> l.startsWith("ok ")).count(), check.output);
            assertEquals(0, check.code, check.output);
        }
    }

    private record Result(int code, String output) {
    }

    private static boolean runs(String... command) {
        try {
            return run(Path.of("."), Map.of(), 30, command).code == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Result run(Path dir, Map<String, String> env, int seconds, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[][] out = new byte[1][];
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        });
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join();
        return new Result(p.isAlive() ? -1 : p.exitValue(), new String(out[0], StandardCharsets.UTF_8));
    }

    private static String tail(String s) {
        List<String> lines = s.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    }
}
