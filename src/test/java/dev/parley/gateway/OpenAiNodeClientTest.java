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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import dev.parley.Llm;
import dev.parley.retry.RetryPolicy;
import dev.parley.support.LocalProviders;
import dev.parley.support.ReplayServer;

/**
 * Real client libraries, unchanged, against a running gateway. The official OpenAI Node library
 * ({@code openai} on npm):
 * plain and streamed chat, the stream helper, SSE heartbeats, a tool call, embeddings as base64
 * and as floats, models, the 401 and 400 errors as the client's own error classes, and the
 * Responses API ({@code responses.create} plain and streamed, the {@code responses.stream} helper, a
 * function-tool round trip, {@code previous_response_id} refused)
 * ({@code src/test/resources/clients/openai-node-check.mjs}, 16 checks). The Vercel AI SDK's
 * OpenAI provider ({@code ai} and {@code @ai-sdk/openai}), whose {@code openai('model')} speaks the
 * Responses API: generated and streamed text, a tool call, two-step tool loops (with and without
 * {@code store}), and the 401 error ({@code ai-sdk-check.mjs}, 7 checks).
 *
 * <p>It needs Node.js and npm (CI installs them from the OS packages when missing) and installs
 * the pinned packages into {@code target/NAME} once; without Node.js or the npm registry it
 * is skipped, and says why. Nothing of it is a dependency of the jar.
 */
class OpenAiNodeClientTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "openai-node | openai@6.49.0                          | openai         | openai-node-check.mjs | 16",
            "ai-sdk      | ai@7.0.173 @ai-sdk/openai@4.0.118      | @ai-sdk/openai | ai-sdk-check.mjs      | 7",
    })
    void aRealClient_passesEveryCheck_throughTheGateway(String name, String packages, String main, String checkScript,
                                                          int checks) throws Exception {
        Path dir = installed(name, packages, main);
        Path script = dir.resolve("check.mjs");
        try (InputStream in = getClass().getResourceAsStream("/clients/" + checkScript)) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        try (Gateway gateway = GatewayCheckServer.start(0)) {
            Result check = run(dir, Map.of("PARLEY_GATEWAY_URL", gateway.uri() + "/v1", "PARLEY_GATEWAY_KEY", "sk-parley-check"),
                    120, "node", script.toString());
            List<String> lines = check.output.lines().toList();
            assertFalse(lines.stream().anyMatch(l -> l.startsWith("FAIL")), check.output);
            assertEquals(checks, lines.stream().filter(l -> l.startsWith("ok ")).count(), check.output);
            assertEquals(0, check.code, check.output);
        }
    }

    /**
     * The Responses API through the gateway from upstreams that speak the real wire: Chat
     * Completions (an {@code openai-compatible} route replaying OpenAI's recorded samples) and
     * Anthropic's Messages API (an {@code anthropic} route replaying Anthropic's), each asked
     * plain and streamed by the official {@code openai} client's {@code responses.create} and by
     * the Vercel AI SDK's {@code openai(...)}.
     */
    @ParameterizedTest(name = "{0} from {4}")
    @CsvSource(delimiter = '|', value = {
            "openai-node | openai@6.49.0                     | openai         | responses-openai.mjs | chat-completions",
            "openai-node | openai@6.49.0                     | openai         | responses-openai.mjs | anthropic",
            "ai-sdk      | ai@7.0.173 @ai-sdk/openai@4.0.118 | @ai-sdk/openai | responses-aisdk.mjs  | chat-completions",
            "ai-sdk      | ai@7.0.173 @ai-sdk/openai@4.0.118 | @ai-sdk/openai | responses-aisdk.mjs  | anthropic",
    })
    void theResponsesApi_answersFromRealWireUpstreams(String name, String packages, String main, String checkScript,
                                                      String upstream) throws Exception {
        Path dir = installed(name, packages, main);
        Path script = dir.resolve("responses-check.mjs");
        try (InputStream in = getClass().getResourceAsStream("/clients/" + checkScript)) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        boolean anthropic = upstream.equals("anthropic");
        String path = anthropic ? "/v1/messages" : "/v1/chat/completions";
        ReplayServer.Reply plain = ReplayServer.Reply.fixture(anthropic ? "anthropic/message_basic" : "openai/chat_basic");
        ReplayServer.Reply streamed = ReplayServer.Reply.fixture(anthropic ? "anthropic/stream_text" : "openai/stream_basic");
        String expectPlain;
        String expectStream;
        try (ReplayServer expected = ReplayServer.start()) {
            expected.on("POST", path, plain, streamed);
            Llm direct = upstreamLlm(anthropic, expected);
            expectPlain = direct.chat("Say hello").text();
            expectStream = direct.stream("Say hello").collect().text();
        }
        try (ReplayServer server = ReplayServer.start()) {
            // The client asks plain, then streamed; the replies follow in that order.
            server.on("POST", path, plain, streamed, streamed);
            try (Gateway gateway = Gateway.newBuilder().host("127.0.0.1").port(0)
                    .apiKeys(java.util.Set.of("sk-parley-check")).defaultRoute(upstreamLlm(anthropic, server)).build().start()) {
                Result check = run(dir, Map.of("PARLEY_GATEWAY_URL", gateway.uri() + "/v1", "PARLEY_GATEWAY_KEY", "sk-parley-check",
                        "PARLEY_EXPECT_PLAIN", expectPlain, "PARLEY_EXPECT_STREAM", expectStream), 120, "node", script.toString());
                List<String> lines = check.output.lines().toList();
                assertFalse(lines.stream().anyMatch(l -> l.startsWith("FAIL")), check.output);
                assertEquals(2, lines.stream().filter(l -> l.startsWith("ok ")).count(), check.output);
                assertEquals(0, check.code, check.output);
            }
        }
    }

    private static Llm upstreamLlm(boolean anthropic, ReplayServer server) {
        String provider = anthropic ? "anthropic" : "openai-compatible";
        return Llm.newBuilder().provider(provider)
                .settings(LocalProviders.settings(provider, server.uri("").toString(), "sk-test"))
                .defaultModel("m").retry(RetryPolicy.newBuilder().maxAttempts(1).build()).build();
    }

    /** {@return the directory where {@code packages} are installed}, installing them once; skips the test without Node.js or npm */
    private static Path installed(String name, String packages, String main) throws Exception {
        assumeTrue(runs("node", "--version"), "Node.js is not installed: the real-client check is skipped");
        assumeTrue(runs("npm", "--version"), "npm is not installed: the real-client check is skipped");
        Path dir = Path.of("target", name).toAbsolutePath();
        if (!Files.isRegularFile(dir.resolve("node_modules/" + main + "/package.json"))) {
            Files.createDirectories(dir);
            List<String> command = new ArrayList<>(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", dir.toString()));
            command.addAll(List.of(packages.split(" ")));
            Result install = run(dir, Map.of(), 300, command.toArray(String[]::new));
            assumeTrue(install.code == 0, () -> "npm could not install " + packages + ", skipped:\n" + tail(install.output));
        }
        return dir;
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
