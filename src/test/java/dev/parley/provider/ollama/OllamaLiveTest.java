package dev.parley.provider.ollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.Message;
import dev.parley.ModelInfo;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;

/**
 * Against a real Ollama server; opt-in. Runs when {@code PARLEY_LIVE_OLLAMA=1} (and then fails if
 * no server answers), or when {@code OLLAMA_HOST} is set and a server answers there; otherwise
 * every test is reported as skipped with the reason. The model is {@code PARLEY_OLLAMA_MODEL}, or
 * the first model the server lists.
 */
class OllamaLiveTest {

    private static Provider provider;
    private static String model;
    /** Why the tests are skipped, or null when they run. */
    private static String skipReason;

    @BeforeAll
    static void connect() {
        boolean forced = "1".equals(System.getenv("PARLEY_LIVE_OLLAMA"));
        String host = System.getenv("OLLAMA_HOST");
        if (!forced && host == null) {
            skipReason = "live Ollama test skipped: set PARLEY_LIVE_OLLAMA=1, or OLLAMA_HOST to a running server";
            return;
        }
        URI base = OllamaHost.resolve(host);
        boolean answers = answers(base);
        if (forced) {
            assertTrue(answers, "PARLEY_LIVE_OLLAMA=1 but no Ollama server answers at " + base);
        }
        if (!answers) {
            skipReason = "live Ollama test skipped: no server answers at " + base + " (OLLAMA_HOST=" + host + ")";
            return;
        }
        provider = new OllamaProviderFactory().create(ProviderConfig.newBuilder().build());
        model = System.getenv("PARLEY_OLLAMA_MODEL");
        if (model == null) {
            List<ModelInfo> models = provider.models();
            if (models.isEmpty()) {
                skipReason = "live Ollama test skipped: the server has no models; pull one or set PARLEY_OLLAMA_MODEL";
                return;
            }
            model = models.get(0).id();
        }
    }

    /** Skips each test by itself, so every one shows up as skipped, with the reason. */
    @BeforeEach
    void skipUnlessLive() {
        assumeTrue(skipReason == null, skipReason);
    }

    private static boolean answers(URI base) {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(base + "/api/tags"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static ChatRequest hello() {
        return ChatRequest.newBuilder().model(model).addMessage(Message.user("Reply with the single word: hello"))
                .maxTokens(256).temperature(0).build();
    }

    @Test
    void live_chat() {
        ChatResponse r = provider.chat(hello());
        assertFalse(r.text().isBlank() && r.reasoning().isEmpty(), "no answer: " + r.raw());
        assertNotNull(r.rawFinishReason());
        assertTrue(r.usage().inputTokens() > 0, r.usage().toString());
    }

    @Test
    void live_stream_collectsToAnAnswer() {
        ChatResponse r = provider.stream(hello()).collect();
        assertFalse(r.text().isBlank() && r.reasoning().isEmpty(), "no answer");
        assertNotNull(r.finishReason());
        assertEquals("ollama", r.provider());
    }
}
