package dev.parley.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import dev.parley.ApiKey;
import dev.parley.LlmException;
import dev.parley.internal.CallContext;

/**
 * Sends requests for the adapters: one shared {@link HttpClient}, bodies kept as bytes, failures
 * mapped to {@link LlmException}s, and interruption honoured by aborting the exchange.
 */
public final class Transport {

    /** How long to wait for a connection when Parley creates the client: 10 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private Transport() {
    }

    /** The shared client, created on first use (never at class initialisation). */
    private static final class Shared {
        static final HttpClient CLIENT = HttpClient.newBuilder()
                .connectTimeout(DEFAULT_CONNECT_TIMEOUT)
                // Virtual threads for the client's own tasks: the default executor grows a
                // platform thread per concurrent exchange.
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    /** {@return Parley's shared client: HTTP/2 where the server offers it, 10 s connect timeout, virtual threads} */
    public static HttpClient sharedClient() {
        return Shared.CLIENT;
    }

    /**
     * {@return a request builder for {@code uri}}: HTTP/1.1 for plain {@code http} URLs (local
     * servers rarely speak HTTP/2 without TLS, and the upgrade attempt costs a round trip),
     * the client's default otherwise.
     */
    public static HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        if ("http".equalsIgnoreCase(uri.getScheme())) {
            b.version(HttpClient.Version.HTTP_1_1);
        }
        return b;
    }

    /** A whole response. */
    public record Response(int status, HttpHeaders headers, byte[] body) {
    }

    /**
     * Sends {@code request} and waits for the whole response.
     *
     * @param client   the client
     * @param request  the request
     * @param provider the provider's name, for errors
     * @param key      the key to scrub from error messages, or null
     * @return the response, whose status is 2xx
     * @throws LlmException for a non-2xx status, a network failure, or interruption (which
     *                      aborts the exchange, keeps the interrupt flag set, and is reported as
     *                      a timeout)
     */
    public static Response send(HttpClient client, HttpRequest request, String provider, ApiKey key) {
        // The blocking send, not sendAsync(...).get(): the JDK completes a sendAsync future on
        // the common pool (so that callbacks never run on its own threads), one more thread
        // hand-off and wake-up per request. send() aborts the exchange when interrupted.
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw LlmException.newBuilder(LlmException.Kind.TIMEOUT)
                    .provider(provider)
                    .message("the call was interrupted (cancelled or past its deadline); the request was aborted")
                    .cause(e)
                    .build();
        } catch (IOException e) {
            throw HttpErrors.fromException(provider, cause(e), key, request.uri());
        }
        int status = response.statusCode();
        byte[] body = response.body() == null ? new byte[0] : response.body();
        if (status < 200 || status > 299) {
            throw HttpErrors.fromResponse(provider, status, response.headers(), body, key);
        }
        tellHeaders(CallContext.current().onHeaders(), response.headers());
        return new Response(status, response.headers(), body);
    }

    /**
     * {@return the failure to report}: {@code send} rethrows the exchange's failure as a new
     * exception of the same type whose cause is the original; the original carries the detail
     * (such as "received while in pool"), so it is reported when the types match
     */
    private static Throwable cause(IOException e) {
        Throwable c = e.getCause();
        return c != null && c.getClass() == e.getClass() ? c : e;
    }

    /**
     * {@return a cold publisher of a streamed response}: each subscription sends
     * {@code request}, and once the headers arrive passes the body to {@code decoder} (which
     * frames and maps it, typically with {@link DecodingPublisher}) and relays its items.
     * A non-2xx status, a network failure or a cut stream reaches the subscriber as an
     * {@link LlmException}; cancelling aborts the exchange.
     *
     * @param client   the client
     * @param request  the request
     * @param provider the provider's name, for errors
     * @param key      the key to scrub from error messages, or null
     * @param decoder  makes the item publisher from the response headers and body
     * @param <T>      the item type
     */
    public static <T> Flow.Publisher<T> stream(HttpClient client, HttpRequest request, String provider, ApiKey key,
            BiFunction<HttpHeaders, Flow.Publisher<List<ByteBuffer>>, Flow.Publisher<T>> decoder) {
        Consumer<HttpHeaders> onHeaders = CallContext.current().onHeaders(); // sent later, maybe on another thread
        return subscriber -> new StreamCall<T>(subscriber, provider, key, onHeaders).start(client, request, decoder);
    }

    /** Gives a successful response's headers to the call's observer (the rate limiter), which must not break the call. */
    static void tellHeaders(Consumer<HttpHeaders> onHeaders, HttpHeaders headers) {
        try {
            onHeaders.accept(headers);
        } catch (RuntimeException ignored) {
            // best effort: the response itself is what the caller asked for
        }
    }
}
