package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.ChatResponse;
import dev.parley.Llm;
import dev.parley.spi.Chain;

/** The example test shown in the README's "Testing code that uses Parley" section, kept working. */
class ReadmeExampleTest {

    /** The code under test in the README's example. */
    record WeatherBot(Llm llm) {
        String forecast(String city) {
            return llm.chat("Weather in " + city + "?").text();
        }
    }

    @Test
    void answersFromAScript() {
        ScriptedProvider provider = ScriptedProvider.newBuilder("fake").reply("Sunny").build();
        Llm llm = Llm.newBuilder().provider(provider).defaultModel("any-model").build();

        assertEquals("Sunny", new WeatherBot(llm).forecast("Paris"));
        assertEquals("Weather in Paris?", provider.requests().get(0).messages().get(0).text());
    }

    @Test
    void answersWithAFunctionOfTheRequest() {
        ScriptedProvider provider = ScriptedProvider.newBuilder("fake")
                .answer(request -> ChatResponse.newBuilder().provider("fake")
                        .text(request.messages().getLast().text().contains("Paris") ? "Sunny" : "Rain").build())
                .build();
        WeatherBot bot = new WeatherBot(Llm.newBuilder().provider(provider).defaultModel("any-model").build());

        assertEquals("Sunny", bot.forecast("Paris"));
        assertEquals("Rain", bot.forecast("Brest"));
        assertEquals(2, provider.calls(Chain.Operation.CHAT));
    }

    @Test
    void survivesARateLimitOverRealHttp() {
        try (FakeLlmServer server = FakeLlmServer.newBuilder().reply("Sunny").build().start()) {
            server.failNext(1, Fault.rateLimited(Duration.ofMillis(100)));
            Llm llm = Llm.newBuilder()
                    .provider("openai-compatible")
                    .settings(Map.of("OPENAI_BASE_URL", server.uri("/v1").toString()))
                    .defaultModel("any-model")
                    .build();

            assertEquals("Sunny", new WeatherBot(llm).forecast("Paris"));
            assertEquals(2, server.requestCount(), "one 429, then the retry");
        }
    }
}
