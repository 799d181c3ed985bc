package dev.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.parley.ApiKey;
import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatStream;
import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.provider.anthropic.AnthropicProviderFactory;
import dev.parley.provider.ollama.OllamaProviderFactory;
import dev.parley.provider.openai.OpenAiProviderFactory;
import dev.parley.retry.RetryPolicy;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.CountingHttpServer;
import dev.parley.support.CountingHttpServer.Reply;
import dev.parley.support.Fixtures;

/**
 * Connection reuse, counted by the server: every adapter's wire format, streamed and not, with
 * error statuses and early cancels. Each test uses Parley's shared client, as a caller does; a
 * server on its own port sees only its own connections.
 */
class ConnectionReuseTest {

    private static final int N = 5;
    /** The server finishes the body a little after the last event, as a real one may. */
    private static final Duration END_PAUSE = Duration.ofMillis(20);
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    /** One adapter's wire format: how to build the provider and what its server sends. */
    private record Wire(String name, Function<CountingHttpServer, Provider> provider, String contentType,
                        String stream, String chat) {

        /** {@return what an endless stream starts with} */
        byte[] endlessPrefix() {
            return (name.equals("anthropic")
                    ? "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                    + "\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":1,"
                    + "\"output_tokens\":1}}}\n\nevent: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                    : "").getBytes(StandardCharsets.UTF_8);
        }

        /** {@return one event of text, repeated by an endless stream} */
        byte[] endlessUnit() {
            return (switch (name) {
                case "ollama" -> "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"x\"},\"done\":false}\n";
                case "anthropic" -> "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n";
                default -> "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":null}]}\n\n";
            }).getBytes(StandardCharsets.UTF_8);
        }
    }

    private static final List<Wire> WIRES = List.of(
            new Wire("openai", s -> new OpenAiProviderFactory().create(ProviderConfig.newBuilder()
                    .baseUrl(s.uri("/v1")).apiKey(ApiKey.of("sk-test")).build()),
                    "text/event-stream", "openai/stream_basic.response.sse", "openai/chat_basic.response.json"),
            new Wire("anthropic", s -> new AnthropicProviderFactory().create(ProviderConfig.newBuilder()
                    .baseUrl(s.uri("")).apiKey(ApiKey.of("sk-ant-test")).build()),
                    "text/event-stream", "anthropic/stream_text.response.sse", "anthropic/message_basic.response.json"),
            new Wire("ollama", s -> new OllamaProviderFactory().create(ProviderConfig.newBuilder()
                    .baseUrl(s.uri("")).build()),
                    "application/x-ndjson", "ollama/chat_stream.response.ndjson", "ollama/chat.response.json"));

    private static ChatRequest request() {
        return ChatRequest.of("m", "hi");
    }

    @Test
    void sequentialStreamsShareOneConnectionOnEveryWireFormat() {
        assertEquals(oneEach(), sequentialStreams(END_PAUSE), "connections for " + N + " sequential streams");
    }

    @Test
    void sequentialStreamsShareOneConnectionWhenTheBodyEndsAtOnce() {
        assertEquals(oneEach(), sequentialStreams(Duration.ZERO), "connections for " + N + " sequential streams");
    }

    @Test
    void aBodyThatDoesNotEndAfterTheMarker_isGivenUpAndItsConnectionClosed_andTheNextStreamStillWorks() {
        // The tail is read for a second at most: the server ends the body only after five, so each
        // stream completes without it, its connection is closed, and the next stream needs a new one.
        Wire w = WIRES.get(0);
        byte[] body = Fixtures.bytes(w.stream());
        try (CountingHttpServer server = CountingHttpServer.start(
                r -> Reply.chunked(200, w.contentType(), body, Duration.ofSeconds(5)))) {
            Provider p = w.provider().apply(server);
            for (int i = 0; i < 2; i++) {
                assertTrue(!p.stream(request()).collect().text().isEmpty());
            }
            assertEquals(2, server.accepted(), "a connection whose body never ended is not reused");
        }
    }

    private static Map<String, Integer> oneEach() {
        return each(1);
    }

    private static Map<String, Integer> each(int n) {
        Map<String, Integer> one = new TreeMap<>();
        WIRES.forEach(w -> one.put(w.name(), n));
        return one;
    }

    /**
     * Connections for whole responses and streams mixed, from a plain-{@code http} server through
     * the shared client: one for the whole responses and one for the streams, which go through two
     * clients (whole responses are handled on their client's selector thread, streams on virtual
     * threads: see {@code Transport.Plain}). A connection not reused shows as more.
     */
    private static final int MIXED = 2;

    /** {@return the connections each wire format's server accepted for N streams read to the end} */
    private static Map<String, Integer> sequentialStreams(Duration endPause) {
        Map<String, Integer> accepted = new TreeMap<>();
        for (Wire w : WIRES) {
            byte[] body = Fixtures.bytes(w.stream());
            try (CountingHttpServer server = CountingHttpServer.start(
                    r -> Reply.chunked(200, w.contentType(), body, endPause))) {
                Provider p = w.provider().apply(server);
                for (int i = 0; i < N; i++) {
                    p.stream(request()).collect();
                }
                assertEquals(N, server.requests.size(), w.name());
                assertTrue(server.errors.isEmpty(), w.name() + ": " + server.errors);
                accepted.put(w.name(), server.accepted());
            }
        }
        return accepted;
    }

    @Test
    void sequentialChatsShareOneConnection() {
        for (Wire w : WIRES) {
            byte[] body = Fixtures.bytes(w.chat());
            try (CountingHttpServer server = CountingHttpServer.start(r -> Reply.fixed(200, "application/json", body))) {
                Provider p = w.provider().apply(server);
                for (int i = 0; i < N; i++) {
                    p.chat(request());
                }
                assertEquals(1, server.accepted(), w.name() + ": connections for " + N + " sequential chats");
            }
        }
    }

    @Test
    void errorBodiesAreReadSoTheConnectionIsReused() {
        byte[] error = "{\"error\":{\"message\":\"bad request\",\"type\":\"invalid_request_error\"}}".getBytes();
        for (Wire w : WIRES) {
            for (int status : new int[] {400, 500}) {
                try (CountingHttpServer server = CountingHttpServer.start(r -> Reply.chunked(status, "application/json",
                        error, END_PAUSE))) {
                    Provider p = w.provider().apply(server);
                    for (int i = 0; i < N; i++) {
                        assertThrows(LlmException.class, () -> p.chat(request()));
                        LlmException e = assertThrows(LlmException.class, () -> p.stream(request()).collect());
                        assertEquals(status, e.statusCode(), w.name());
                    }
                    assertEquals(2 * N, server.requests.size(), w.name());
                    assertEquals(MIXED, server.accepted(), w.name() + ": connections for " + N + " chats and " + N
                            + " streams answered " + status + ", one for each kind");
                }
            }
        }
    }

    @Test
    void retriedCallsShareOneConnection() {
        byte[] error = "{\"error\":{\"message\":\"busy\",\"type\":\"server_error\"}}".getBytes(StandardCharsets.UTF_8);
        Map<String, Integer> accepted = new TreeMap<>();
        for (Wire w : WIRES) {
            byte[] chat = Fixtures.bytes(w.chat());
            byte[] stream = Fixtures.bytes(w.stream());
            AtomicInteger requests = new AtomicInteger();
            try (CountingHttpServer server = CountingHttpServer.start(r -> requests.incrementAndGet() % 2 == 1
                    ? Reply.chunked(503, "application/json", error, END_PAUSE) // every first attempt
                    : new String(r.body(), StandardCharsets.UTF_8).contains("\"stream\":true")
                    ? Reply.chunked(200, w.contentType(), stream, END_PAUSE)
                    : Reply.fixed(200, "application/json", chat))) {
                Llm llm = Llm.newBuilder().provider(w.provider().apply(server)).defaultModel("m")
                        .retry(RetryPolicy.newBuilder().maxAttempts(2).baseDelay(Duration.ofMillis(1)).build())
                        .build();
                for (int i = 0; i < N; i++) {
                    llm.chat("hi");
                    llm.stream("hi").collect();
                }
                assertEquals(4 * N, server.requests.size(), w.name() + ": each call took two attempts");
                accepted.put(w.name(), server.accepted());
            }
        }
        assertEquals(each(MIXED), accepted, "connections for " + N + " chats and " + N
                + " streams retried once each, one for each kind");
    }

    @Test
    void aStreamCancelledEarlyClosesItsConnectionAndTheNextCallStillWorks() {
        for (Wire w : WIRES) {
            byte[] body = Fixtures.bytes(w.stream());
            try (CountingHttpServer server = CountingHttpServer.start(r -> new String(r.body(), StandardCharsets.UTF_8).contains("\"endless\"")
                    ? Reply.endless(200, w.contentType(), w.endlessPrefix(), w.endlessUnit())
                    : Reply.chunked(200, w.contentType(), body, Duration.ZERO))) {
                Provider p = w.provider().apply(server);
                ChatStream s = p.stream(ChatRequest.of("endless", "hi"));
                Iterator<ChatChunk> it = s.iterator();
                for (int i = 0; i < 3; i++) {
                    assertTrue(it.hasNext(), w.name());
                    it.next();
                }
                s.close();
                assertTrue(server.awaitOpenAtMost(0, PATIENCE), w.name() + ": the cancelled stream's connection stayed open");
                p.stream(request()).collect();
                assertEquals(2, server.accepted(), w.name());
                assertTrue(server.errors.isEmpty(), w.name() + ": " + server.errors);
            }
        }
    }
}
