package dev.parley.provider.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;

/** {@code models()} follows pages, but a server that never stops paging cannot keep it busy. */
class AnthropicModelsPagingTest {

    /** A server answering {@code GET /v1/models}: the body for the {@code after_id} asked for (null on the first page). */
    private static final class PagingServer implements AutoCloseable {
        final AtomicInteger requests = new AtomicInteger();
        private final HttpServer server;

        PagingServer(Function<String, String> page) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/v1/models", exchange -> {
                try (exchange) {
                    String query = exchange.getRequestURI().getQuery();
                    String after = query.contains("after_id=") ? query.substring(query.indexOf("after_id=") + 9) : null;
                    // A guard, so that a client that never stops fails this test instead of hanging it.
                    boolean tooMany = requests.incrementAndGet() > 1000;
                    byte[] body = (tooMany ? "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"enough\"}}"
                            : page.apply(after)).getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("content-type", "application/json");
                    exchange.sendResponseHeaders(tooMany ? 400 : 200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            });
            server.start();
        }

        Provider provider() {
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            return new AnthropicProviderFactory().create(ProviderConfig.newBuilder().baseUrl(base).apiKey(TestSupport.KEY).build());
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static String page(String lastId, boolean hasMore, int models) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < models; i++) {
            data.append(i == 0 ? "" : ",").append("{\"type\":\"model\",\"id\":\"").append(lastId).append('-').append(i).append("\"}");
        }
        return "{\"data\":[" + data + "],\"has_more\":" + hasMore + ",\"last_id\":\"" + lastId + "\"}";
    }

    @Test
    void aServerThatAlwaysHasMore_isStoppedAfterTheLimitOfPages() throws IOException {
        try (PagingServer server = new PagingServer(after -> page("m" + (after == null ? 0 : Integer.parseInt(after.substring(1)) + 1), true, 1))) {
            LlmException e = assertThrows(LlmException.class, () -> server.provider().models());
            assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
            assertEquals(AnthropicProvider.MAX_MODEL_PAGES, server.requests.get());
            assertTrue(e.getMessage().contains("did not end after " + AnthropicProvider.MAX_MODEL_PAGES + " pages"), e.getMessage());
            assertFalse(e.retryable());
        }
    }

    @Test
    void aRepeatedCursor_endsTheList() throws IOException {
        // after_id: (none) -> a, a -> b, b -> a again.
        Map<String, String> next = Map.of("a", "b", "b", "a");
        try (PagingServer server = new PagingServer(after -> page(after == null ? "a" : next.get(after), true, 1))) {
            List<ModelInfo> models = server.provider().models();
            assertEquals(List.of("a-0", "b-0"), models.stream().map(ModelInfo::id).toList());
            assertEquals(3, server.requests.get());
        }
    }

    @Test
    void tooManyModels_isAnError() throws IOException {
        int perPage = 1000;
        try (PagingServer server = new PagingServer(after -> page("m" + (after == null ? 0 : Integer.parseInt(after.substring(1)) + 1), true, perPage))) {
            LlmException e = assertThrows(LlmException.class, () -> server.provider().models());
            assertEquals(LlmException.Kind.SERVER_ERROR, e.kind());
            assertEquals(AnthropicProvider.MAX_MODELS / perPage + 1, server.requests.get());
            assertTrue(e.getMessage().contains("more than " + AnthropicProvider.MAX_MODELS + " models"), e.getMessage());
        }
    }
}
