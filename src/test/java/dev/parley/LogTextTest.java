package dev.parley;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import dev.parley.retry.RetryPolicy;
import dev.parley.testing.ScriptedProvider;

/** Text from the network cannot forge log lines or send escape codes to whoever reads the log. */
class LogTextTest {

    @Test
    void failuresAndContent_areLoggedWithoutControlCharacters() {
        List<String> logged = Collections.synchronizedList(new ArrayList<>());
        Logger jul = Logger.getLogger("dev.parley");
        Level previous = jul.getLevel();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r.getParameters() == null ? r.getMessage() : java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.setLevel(Level.ALL);
        jul.addHandler(capture);
        try {
            String forged = "bad\nFAKE LOG LINE\u001b]0;title\u0007\u001b[2J\u0000";
            Llm failing = Llm.newBuilder().defaultModel("m").retry(RetryPolicy.newBuilder().maxAttempts(1).build())
                    .provider(ScriptedProvider.newBuilder("scripted").fail(LlmException.newBuilder(LlmException.Kind.INVALID_REQUEST)
                            .message(forged).requestId("req\r\n1").build()).build()).build();
            assertThrows(InvalidRequestException.class, () -> failing.chat("hi"));
            Llm answering = Llm.newBuilder().logContent(true)
                    .defaultModel("m").provider(ScriptedProvider.newBuilder("scripted").reply(forged).build()).build();
            answering.chat("prompt\u001b[2J");
            assertTrue(logged.stream().anyMatch(l -> l.contains("bad FAKE LOG LINE")), logged.toString());
            for (String line : logged) {
                assertFalse(line.chars().anyMatch(c -> c < 0x20 || c == 0x7f), line);
            }
        } finally {
            jul.removeHandler(capture);
            jul.setLevel(previous);
        }
    }
}
