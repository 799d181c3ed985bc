package dev.parley.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.EmbeddingRequest;
import dev.parley.RateLimitException;
import dev.parley.Llm;
import dev.parley.retry.RetryPolicy;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;

/**
 * The rate limiter follows the provider's rate-limit headers on streamed and embeddings
 * responses, as it does on non-streamed chats: a response that says no request is left until a
 * reset keeps the next call from being sent before it (here: refused at once, as its deadline
 * comes first).
 */
class RateLimitResponseHeadersTest {

    private static Llm llm(ReplayServer server) {
        return Llm.newBuilder()
                .provider("openai-compatible", ProviderConfig.newBuilder().baseUrl(server.uri("/v1")).build())
                .defaultModel("gpt-4o-mini")
                .retry(RetryPolicy.newBuilder().maxAttempts(1).build())
                .rateLimit(RateLimitPolicy.newBuilder().build())
                .timeout(Duration.ofSeconds(2))
                .build();
    }

    /** {@return {@code reply} saying that no request is left for 30 seconds, as OpenAI does} */
    private static Reply noneLeft(Reply reply) {
        return reply.withHeader("x-ratelimit-remaining-requests", "0").withHeader("x-ratelimit-reset-requests", "30s");
    }

    @Test
    void aStreamsHeaders_sayingNoRequestIsLeft_holdTheNextCall() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", noneLeft(Reply.fixture("openai/stream_basic")));
            Llm llm = llm(server);
            assertFalse(llm.stream("first").collect().text().isEmpty());
            server.takeRequest();

            assertThrows(RateLimitException.class, () -> llm.stream("second").collect());
            assertThrows(RateLimitException.class, () -> llm.chat("third"));
            assertEquals(0, server.pendingRequests(), "nothing more was sent before the provider's reset");
        }
    }

    @Test
    void embeddingsHeaders_sayingNoRequestIsLeft_holdTheNextCall() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/embeddings", noneLeft(Reply.fixture("openai/embeddings_float")));
            Llm llm = llm(server);
            EmbeddingRequest request = EmbeddingRequest.of("text-embedding-3-small", List.of("a", "b", "c", "d")); // the fixture answers four
            assertEquals(4, llm.embed(request).embeddings().size());
            server.takeRequest();

            assertThrows(RateLimitException.class, () -> llm.embed(request));
            assertEquals(0, server.pendingRequests(), "nothing more was sent before the provider's reset");
        }
    }
}
