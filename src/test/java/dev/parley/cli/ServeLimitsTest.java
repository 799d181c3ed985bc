package dev.parley.cli;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.parley.gateway.Gateway;

/** {@code parley serve} reads the gateway's connection limits and deadlines from PARLEY_GATEWAY_* variables. */
class ServeLimitsTest {

    private static final Args PORT_0 = Args.parse(List.of("--port", "0"), Set.of("host", "port"), Set.of("verbose"));

    private static ServeCommand serve(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("LLM_PROVIDER", "ollama", "OLLAMA_HOST", "127.0.0.1:1"));
        env.putAll(extra);
        return new ServeCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), env);
    }

    @Test
    void perAddressCap_fromTheEnvironment_refusesTheSecondConnection() throws IOException {
        Gateway gateway = serve(Map.of("PARLEY_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS", "1",
                "PARLEY_GATEWAY_HEADER_TIMEOUT", "30s")).build(PORT_0).start();
        try (Socket first = new Socket(gateway.address().getAddress(), gateway.address().getPort());
                Socket second = new Socket(gateway.address().getAddress(), gateway.address().getPort())) {
            second.setSoTimeout(10_000);
            String answer = new String(second.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 429 "), answer);
        } finally {
            gateway.stop();
        }
    }

    @Test
    void badValues_nameTheVariable() {
        for (String[] bad : List.of(
                new String[] {"PARLEY_GATEWAY_MAX_CONNECTIONS", "0"},
                new String[] {"PARLEY_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS", "many"},
                new String[] {"PARLEY_GATEWAY_HEADER_TIMEOUT", "-1s"},
                new String[] {"PARLEY_GATEWAY_BODY_TIMEOUT", "soon"},
                new String[] {"PARLEY_GATEWAY_IDLE_TIMEOUT", "0"},
                new String[] {"PARLEY_GATEWAY_READY_TIMEOUT", "1y"})) {
            UsageException e = assertThrows(UsageException.class, () -> serve(Map.of(bad[0], bad[1])).build(PORT_0));
            assertTrue(e.getMessage().startsWith(bad[0] + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("\"" + bad[1] + "\""), e.getMessage());
        }
    }
}
