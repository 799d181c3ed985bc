package dev.parley.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.parley.fault.UpstreamFaultTest;
import dev.parley.fault.UpstreamFaultTest.Fault;
import dev.parley.support.CountingHttpServer;

/**
 * The same hostile upstreams as {@link UpstreamFaultTest}, seen from {@code parley chat}, streamed
 * and not: the command ends within its deadline with a failure exit code of its own (never 0,
 * never the "unexpected failure" 1), one {@code parley:} line on stderr with no control
 * character in it, and the key printed nowhere.
 */
class CliFaultTest {

    private static final Duration DEADLINE = Duration.ofSeconds(1);
    private static final Duration SLACK = Duration.ofMillis(1500);

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Fault f : UpstreamFaultTest.faults()) {
            out.add(Arguments.of(f, false));
            out.add(Arguments.of(f, true));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} no-stream={1}")
    @MethodSource("cases")
    void everyFault_endsWithItsOwnExitCodeAndOneCleanLine(Fault fault, boolean noStream) {
        try (CountingHttpServer server = CountingHttpServer.start(request -> fault.reply())) {
            Map<String, String> env = Map.of(
                    "OPENAI_API_KEY", UpstreamFaultTest.CANARY,
                    "OPENAI_BASE_URL", server.uri("/v1").toString(),
                    "LLM_ATTEMPT_TIMEOUT", "250ms",
                    "LLM_FIRST_CHUNK_TIMEOUT", "250ms",
                    "LLM_IDLE_TIMEOUT", "250ms",
                    "LLM_TIMEOUT", "1s",
                    "LLM_MAX_RETRIES", "1");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            List<String> args = noStream ? List.of("chat", "--no-stream", "hello") : List.of("chat", "hello");
            long start = System.nanoTime();
            int code = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), env);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            String stderr = err.toString(StandardCharsets.UTF_8);
            String stdout = out.toString(StandardCharsets.UTF_8);

            assertNotEquals(ExitCode.OK.code, code, stderr);
            assertNotEquals(ExitCode.FAILURE.code, code, () -> "an 'unexpected failure' for a hostile server: " + stderr);
            assertTrue(took.compareTo(DEADLINE.plus(SLACK)) < 0, () -> "took " + took);
            assertFalse((stdout + stderr).contains(UpstreamFaultTest.CANARY), () -> "the key was printed: " + stderr);
            List<String> lines = stderr.lines().filter(l -> !l.isEmpty()).toList();
            assertEquals(1, lines.size(), () -> "one line on stderr, got: " + stderr);
            assertTrue(lines.get(0).startsWith("parley: "), stderr);
            assertTrue(lines.get(0).chars().noneMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)),
                    () -> "a control character on stderr: " + stderr);
        }
    }
}
