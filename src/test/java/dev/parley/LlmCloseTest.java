package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.parley.testing.FakeLlmServer;

/** What {@link Llm#close()} releases, and what it leaves alone. */
class LlmCloseTest {

    private FakeLlmServer server;

    @BeforeEach
    void start() {
        server = FakeLlmServer.newBuilder().reply("hi").build().start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Map<String, String> settings(String... more) {
        Map<String, String> m = new java.util.HashMap<>(Map.of("LLM_PROVIDER", "openai-compatible",
                "OPENAI_BASE_URL", server.uri("/v1").toString(), "LLM_MODEL", "m"));
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i], more[i + 1]);
        }
        return m;
    }

    @Test
    void anLlmWithItsOwnHttpClient_endsItsSelectorThreadWhenClosed() throws Exception {
        Set<Thread> before = selectorThreads();
        Llm llm = Llm.newBuilder().settings(settings("LLM_CONNECT_TIMEOUT", "5s")).build();
        assertEquals("hi", llm.chat("hello").text());
        Set<Thread> own = selectorThreads();
        own.removeAll(before);
        assertEquals(1, own.size(), "a connect timeout gives the Llm an HTTP client of its own");
        Thread selector = own.iterator().next();
        llm.close();
        selector.join(Duration.ofSeconds(10));
        assertFalse(selector.isAlive(), "its selector thread ended");
        assertThrows(IllegalStateException.class, () -> llm.chat("after close"));
        llm.close();  // again: nothing
    }

    @Test
    void closing_leavesAGivenHttpClientOpen_andTwoBuildsOfOneBuilderApart() throws Exception {
        HttpClient mine = HttpClient.newHttpClient();
        Llm llm = Llm.newBuilder().settings(settings()).httpClient(mine).build();
        assertEquals("hi", llm.chat("hello").text());
        llm.close();
        assertEquals(200, mine.send(HttpRequest.newBuilder(server.uri("/v1/models")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode(), "the given client still works");

        Llm.Builder b = Llm.newBuilder().settings(settings("LLM_CONNECT_TIMEOUT", "5s"));
        Llm first = b.build();
        Llm second = b.build();
        first.close();
        assertEquals("hi", second.chat("still open").text());
        second.close();
    }

    private static Set<Thread> selectorThreads() {
        Set<Thread> out = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("HttpClient-") && t.getName().endsWith("-SelectorManager")) {
                out.add(t);
            }
        }
        return out;
    }
}
