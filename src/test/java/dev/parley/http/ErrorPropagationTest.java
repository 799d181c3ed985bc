package dev.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import org.junit.jupiter.api.Test;

import dev.parley.ApiKey;
import dev.parley.ChatRequest;
import dev.parley.Llm;
import dev.parley.provider.openai.OpenAiProviderFactory;
import dev.parley.retry.RetryPolicy;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.CountingHttpServer;
import dev.parley.support.CountingHttpServer.Reply;
import dev.parley.internal.flow.BlockingIterator;

/**
 * An {@link Error} (out of memory, above all) is never disguised as a network or stream failure,
 * which a retry would repeat: it reaches the caller as itself, after one attempt.
 */
class ErrorPropagationTest {

    /** What the JDK client throws when its selector thread ran out of memory reading a body. */
    private static final OutOfMemoryError OOM = new OutOfMemoryError("Java heap space (simulated)");

    /** A client whose every exchange fails as the JDK's does when its own thread hit {@link #OOM}. */
    private static final class FailingClient extends HttpClient {
        final AtomicInteger sends = new AtomicInteger();

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
            sends.incrementAndGet();
            throw new IOException(OOM.getMessage(), OOM);
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
            sends.incrementAndGet();
            return CompletableFuture.failedFuture(new IOException(OOM.getMessage(), OOM));
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                HttpResponse.PushPromiseHandler<T> push) {
            return sendAsync(request, handler);
        }

        @Override
        public Optional<CookieHandler> cookieHandler() {
            return Optional.empty();
        }

        @Override
        public Optional<Duration> connectTimeout() {
            return Optional.empty();
        }

        @Override
        public Redirect followRedirects() {
            return Redirect.NEVER;
        }

        @Override
        public Optional<ProxySelector> proxy() {
            return Optional.empty();
        }

        @Override
        public SSLContext sslContext() {
            return null;
        }

        @Override
        public SSLParameters sslParameters() {
            return null;
        }

        @Override
        public Optional<Authenticator> authenticator() {
            return Optional.empty();
        }

        @Override
        public Version version() {
            return Version.HTTP_1_1;
        }

        @Override
        public Optional<Executor> executor() {
            return Optional.empty();
        }
    }

    private static Provider openai(HttpClient client) {
        return new OpenAiProviderFactory().create(ProviderConfig.newBuilder().baseUrl(java.net.URI.create("http://127.0.0.1:9/v1"))
                .apiKey(ApiKey.of("sk-test")).httpClient(client).build());
    }

    private static Llm retrying(Provider provider) {
        return Llm.newBuilder().provider(provider).defaultModel("m")
                .retry(RetryPolicy.newBuilder().maxAttempts(3).baseDelay(Duration.ofMillis(1)).build())
                .build();
    }

    @Test
    void anOutOfMemoryErrorInTheClientIsThrownAsItselfAndNotRetried() {
        FailingClient client = new FailingClient();
        assertSame(OOM, assertThrows(OutOfMemoryError.class, () -> openai(client).chat(ChatRequest.of("m", "hi"))));
        assertSame(OOM, assertThrows(OutOfMemoryError.class, () -> retrying(openai(client)).chat("hi")));
        assertEquals(2, client.sends.get(), "one attempt each");
    }

    @Test
    void anOutOfMemoryErrorBeforeAStreamsHeadersIsThrownAsItselfAndNotRetried() {
        FailingClient client = new FailingClient();
        assertSame(OOM, assertThrows(OutOfMemoryError.class,
                () -> openai(client).stream(ChatRequest.of("m", "hi")).collect()));
        assertSame(OOM, assertThrows(OutOfMemoryError.class, () -> retrying(openai(client)).stream("hi").collect()));
        assertEquals(2, client.sends.get(), "one attempt each");
    }

    @Test
    void anOutOfMemoryErrorWhileDecodingAStreamIsThrownAsItself() {
        byte[] body = "data: {}\n\n".getBytes();
        try (CountingHttpServer server = CountingHttpServer.start(r -> Reply.chunked(200, "text/event-stream", body,
                Duration.ZERO))) {
            HttpRequest request = Transport.request(server.uri("/")).build();
            var items = Transport.<String>stream(Transport.sharedClient(), request, "p", null,
                    (headers, bytes) -> DecodingPublisher.sse(bytes, (SseEvent event, FrameMapper.Output<String> out) -> {
                        throw OOM;
                    }));
            try (BlockingIterator<String> it = BlockingIterator.subscribe(items)) {
                assertSame(OOM, assertThrows(OutOfMemoryError.class, it::hasNext));
            }
        }
    }

    @Test
    void anOutOfMemoryErrorMakingTheDecoderIsThrownAsItself() {
        byte[] body = "data: {}\n\n".getBytes();
        try (CountingHttpServer server = CountingHttpServer.start(r -> Reply.chunked(200, "text/event-stream", body,
                Duration.ZERO))) {
            HttpRequest request = Transport.request(server.uri("/")).build();
            var items = Transport.<String>stream(Transport.sharedClient(), request, "p", null, (headers, bytes) -> {
                throw OOM;
            });
            try (BlockingIterator<String> it = BlockingIterator.subscribe(items)) {
                assertSame(OOM, assertThrows(OutOfMemoryError.class, it::hasNext));
            }
        }
    }
}
