package dev.parley.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class DemoCommandTest {

    @Test
    void demo_showsEveryFeatureOverRealHttp_withoutKeysOrNetwork() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of("demo"), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of());
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        for (String heading : List.of("1. Chat", "2. A streamed answer", "3. A cache hit", "4. A retry after an HTTP 429",
                "5. A fallback", "6. Cost summary")) {
            assertTrue(text.contains(heading), "missing " + heading + " in:\n" + text);
        }
        assertTrue(text.contains("requests sent to the provider: 0"), text);
        Matcher attempts = Pattern.compile("answer after (\\d+) attempts").matcher(text);
        assertTrue(attempts.find(), text);
        assertEquals("2", attempts.group(1));
        assertTrue(text.contains("anthropic/claude-sonnet-4-5 answered"), text);
        assertTrue(text.contains("1 cache hits, 0 errors"), text);
        Matcher total = Pattern.compile("total: \\$(\\d+\\.\\d+)").matcher(text);
        assertTrue(total.find(), text);
        assertTrue(Double.parseDouble(total.group(1)) > 0, text);
    }
}
