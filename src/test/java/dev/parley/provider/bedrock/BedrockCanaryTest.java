package dev.parley.provider.bedrock;

import static dev.parley.provider.bedrock.BedrockTestSupport.MODEL;
import static dev.parley.provider.bedrock.BedrockTestSupport.exception;
import static dev.parley.provider.bedrock.BedrockTestSupport.streamReply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import dev.parley.AuthenticationException;
import dev.parley.ChatRequest;
import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderEnvironment;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Pace;
import dev.parley.support.ReplayServer.Reply;

/**
 * The secret access key and the session token never appear in a log line, an exception or a
 * toString(), through the whole stack: a success, an error that echoes them, an exception frame
 * that echoes them, an HTML page that does.
 */
class BedrockCanaryTest {

    private static final String SECRET = "canary-secret-7f3a9c1e5b2d4f6a8c0e";
    private static final String TOKEN = "canary-token-0e8a6f4d2b5e1c9a3f7";

    private static String trace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    @Test
    void secretAndSessionToken_neverLeak() {
        List<String> logged = Collections.synchronizedList(new ArrayList<>());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                String m = r.getParameters() == null ? r.getMessage()
                        : java.text.MessageFormat.format(r.getMessage(), r.getParameters());
                logged.add(m + (r.getThrown() == null ? "" : " " + trace(r.getThrown())));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger jul = Logger.getLogger("dev.parley");
        Level before = jul.getLevel();
        jul.setLevel(Level.ALL);
        jul.addHandler(capture);
        List<String> seen = new ArrayList<>();
        try (ReplayServer server = ReplayServer.start()) {
            String path = "/model/" + MODEL;
            server.on("POST", path + "/converse",
                    Reply.fixture("bedrock/converse_text"),
                    Reply.json(403, "{\"message\":\"The security token included in the request is invalid: " + TOKEN
                            + " " + SECRET + "\"}").withHeader("x-amzn-errortype", "UnrecognizedClientException"),
                    Reply.of(502, "text/html", "<html><title>proxy saw " + TOKEN + "</title></html>"));
            server.on("POST", path + "/converse-stream", streamReply(exception("validationException",
                    "{\"message\":\"bad token " + TOKEN + "\"}"), Pace.WHOLE));
            Map<String, String> settings = Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY", SECRET,
                    "AWS_SESSION_TOKEN", TOKEN, "AWS_REGION", "us-east-1", "BEDROCK_BASE_URL", server.uri("").toString(),
                    "LLM_MAX_RETRIES", "0", "LLM_LOG_CONTENT", "true");
            Llm llm = Llm.newBuilder().provider("bedrock").settings(settings).defaultModel(MODEL).build();
            seen.add(llm.toString());
            seen.add(llm.chat("hello").toString());
            AuthenticationException auth = assertThrows(AuthenticationException.class, () -> llm.chat("hello"));
            seen.add(trace(auth));
            LlmException html = assertThrows(LlmException.class, () -> llm.chat("hello"));
            seen.add(trace(html));
            assertTrue(html.getMessage().contains("proxy saw [redacted]"), html.getMessage());
            LlmException inStream = assertThrows(LlmException.class, () -> llm.stream("hello").collect());
            assertEquals(LlmException.Kind.INVALID_REQUEST, inStream.kind());
            seen.add(trace(inStream));
            seen.add(llm.metrics().toPrometheus());
            assertEquals(TOKEN, server.takeRequest().header("x-amz-security-token"), "the token is sent where it belongs");
            ProviderConfig.Builder b = ProviderConfig.newBuilder();
            new BedrockProviderFactory().configure(ProviderEnvironment.of(settings), b);
            seen.add(b.build().toString());
            seen.add(new BedrockProviderFactory().create(b.build()).toString());
        } finally {
            jul.removeHandler(capture);
            jul.setLevel(before);
        }
        for (String s : seen) {
            assertFalse(s.contains(SECRET), "shows the secret: " + s);
            assertFalse(s.contains(TOKEN), "shows the session token: " + s);
        }
        assertFalse(logged.isEmpty(), "the calls were logged");
        for (String line : logged) {
            assertFalse(line.contains(SECRET) || line.contains(TOKEN), "log shows a secret: " + line);
        }
    }
}
