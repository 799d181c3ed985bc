package dev.parley.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;

/** {@code parley chat --provider bedrock}: --base-url and --api-key-env reach Bedrock's own settings. */
class BedrockCliTest {

    @Test
    void chat_withBaseUrlAndApiKeyEnv_signsWithTheKeyItNames() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/model/amazon.nova-lite-v1:0/converse", Reply.fixture("bedrock/converse_text"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "MY_AWS_SECRET", "secret-from-my-variable",
                    "AWS_REGION", "eu-west-1", "AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials",
                    "AWS_CONFIG_FILE", "/nonexistent/config");
            int code = Main.run(List.of("chat", "--provider", "bedrock", "--no-stream", "--base-url",
                            server.uri("").toString(), "--api-key-env", "MY_AWS_SECRET", "How many r's?"),
                    new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), env);
            assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("There are **3**"), out.toString(StandardCharsets.UTF_8));
            String authorization = server.takeRequest().header("authorization");
            assertTrue(authorization.contains("Credential=AKIDEXAMPLE/"), authorization);
            assertTrue(authorization.contains("/eu-west-1/bedrock/aws4_request"), authorization);
            assertFalse(err.toString(StandardCharsets.UTF_8).contains("secret-from-my-variable"));
        }
    }
}
