package dev.parley.http;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import dev.parley.ApiKey;
import dev.parley.LlmException;

/**
 * Sends requests for the adapters: one shared {@link HttpClient}, bodies kept as bytes, failures
 * mapped to {@link LlmException}s, and interruption honoured by aborting the exchange.
 */
public final class Transport {

    /** How long to wait for a connection when Parley creates the client: 10 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private Transport() {
    }

    /** Whether the shared client exists: until it does, no caller can hold it. */
    private static volatile boolean sharedCreated;

    /** The shared client, created on first use (never at class initialisation). */
    private static final class Shared {
        static final HttpClient CLIENT = HttpClient.newBuilder()
                .connectTimeout(DEFAULT_CONNECT_TIMEOUT)
                // Virtual threads for the client's own tasks: the default executor grows a
                // platform thread per concurrent exchange.
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();

        static {
            sharedCreated = true;
        }
    }

    /**
     * The client that takes the shared client's whole-response exchanges with plain-{@code http}
     * servers (local servers, gateways): HTTP/1.1, and the JDK's handling of a response (reading
     * the socket, parsing the head, passing the body to {@link CappedBody}) runs on the client's
     * selector thread where it is ready, instead of being handed to another thread that then
     * wakes the caller. That hand-off, with the wake-ups it takes, was about 100 µs of CPU per
     * call on a 2-core VM, half of what a sequential caller spent. It is safe here because the
     * only code of Parley's that runs there, {@code CappedBody}, never blocks and does little per
     * buffer; streams (whose subscribers' code runs on the client's threads) and {@code https}
     * (whose decryption and handshakes would all run on one thread) stay on the shared client.
     */
    private static final class Plain {
        static final HttpClient CLIENT = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(DEFAULT_CONNECT_TIMEOUT)
                .executor(Transport::runHere)
                .build();
    }

    /**
     * Runs a task of {@link Plain}'s client on the thread that hands it over (the client's
     * selector thread, or the caller's). An exception goes to the thread's uncaught-exception
     * handler, as it would end a pool thread: thrown on, it would end the selector thread, and
     * with it every exchange of the client.
     */
    static void runHere(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            Thread thread = Thread.currentThread();
            try {
                thread.getUncaughtExceptionHandler().uncaughtException(thread, t);
            } catch (Throwable ignored) {
                // the handler failed too; the selector thread must still go on
            }
        }
    }

    /**
     * {@return the client to send a whole-response {@code request} with}: {@link Plain}'s for the
     * shared client and an HTTP/1.1 request to a plain-{@code http} server, else {@code client}
     * (a client of the application's own is always used as it is)
     */
    static HttpClient wholeResponseClient(HttpClient client, HttpRequest request) {
        if (sharedCreated && client == Shared.CLIENT && "http".equalsIgnoreCase(request.uri().getScheme())
                && request.version().orElse(HttpClient.Version.HTTP_1_1) == HttpClient.Version.HTTP_1_1) {
            return Plain.CLIENT;
        }
        return client;
    }

    /**
     * {@return Parley's shared client: HTTP/2 where the server offers it, 10 s connect timeout,
     * virtual threads}. {@link #send} sends its whole-response exchanges with plain-{@code http}
     * servers on a second client of the same settings that handles responses on its selector
     * thread (see {@code Plain}); streams and {@code https} use this one.
     */
    public static HttpClient sharedClient() {
        return Shared.CLIENT;
    }

    /**
     * The {@code User-Agent} of every request: {@code parley/VERSION}, the version from the jar's
     * manifest ({@code Implementation-Version}), else the module's version, else {@code dev}
     * (running from classes). A {@code User-Agent} among a provider's configured headers
     * (or the setting {@code LLM_USER_AGENT}) replaces it.
     */
    public static final String USER_AGENT = "parley/" + version();

    /** {@return Parley's version, as {@code parley --version} shows it} */
    static String version() {
        String v = Transport.class.getPackage().getImplementationVersion();
        if (v == null) {
            ModuleDescriptor d = Transport.class.getModule().getDescriptor();
            v = d != null ? d.rawVersion().orElse("dev") : "dev";
        }
        return v;
    }

    /**
     * {@return a request builder for {@code uri}}, with Parley's {@link #USER_AGENT} (set, so
     * that a configured header set after it replaces it): HTTP/1.1 for plain {@code http} URLs
     * (local servers rarely speak HTTP/2 without TLS, and the upgrade attempt costs a round
     * trip), the client's default otherwise.
     */
    public static HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).setHeader("User-Agent", USER_AGENT);
        if ("http".equalsIgnoreCase(uri.getScheme())) {
            b.version(HttpClient.Version.HTTP_1_1);
        }
        return b;
    }

    /** A whole response. */
    public record Response(int status, HttpHeaders headers, byte[] body) {
    }

    /** The largest response body read whole, unless configured otherwise: 32 MiB. */
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 32L << 20;

    /** The largest embeddings response body read whole, unless configured otherwise: 256 MiB. */
    public static final long DEFAULT_MAX_EMBEDDINGS_RESPONSE_BYTES = 256L << 20;

    /**
     * The most of an error (non-2xx) body that is read: 1 MiB. Error bodies are short; the rest of
     * a longer one is dropped, with the connection, and the error is made from what was read.
     */
    static final int MAX_ERROR_BODY_BYTES = 1 << 20;

    /** The setting that changes the largest response body read whole, named in the error. */
    public static final String MAX_RESPONSE_BYTES_SETTING = "LLM_MAX_RESPONSE_BYTES";

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
        return send(client, request, provider, key, DEFAULT_MAX_RESPONSE_BYTES);
    }

    /**
     * Sends {@code request} and waits for the whole response, whose body may be at most
     * {@code maxBytes} long: a longer one is not read further (the connection is closed) and
     * fails the call with a {@link LlmException.Kind#SERVER_ERROR} that is not retried. An
     * error (non-2xx) body is read up to {@value #MAX_ERROR_BODY_BYTES} bytes.
     *
     * @param client   the client
     * @param request  the request
     * @param provider the provider's name, for errors
     * @param key      the key to scrub from error messages, or null
     * @param maxBytes the largest body accepted
     * @return the response, whose status is 2xx
     * @throws LlmException for a non-2xx status, a body over {@code maxBytes}, a network
     *                      failure, or interruption (which aborts the exchange, keeps the
     *                      interrupt flag set, and is reported as a timeout)
     */
    public static Response send(HttpClient client, HttpRequest request, String provider, ApiKey key, long maxBytes) {
        // The blocking send, not sendAsync(...).get(): the JDK completes a sendAsync future on
        // the common pool (so that callbacks never run on its own threads), one more thread
        // hand-off and wake-up per request. send() aborts the exchange when interrupted.
        HttpResponse<byte[]> response;
        try {
            response = wholeResponseClient(client, request).send(request, info -> info.statusCode() >= 200 && info.statusCode() <= 299
                    ? CappedBody.failing(info, provider, maxBytes)
                    : CappedBody.truncating(MAX_ERROR_BODY_BYTES));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw LlmException.newBuilder(LlmException.Kind.TIMEOUT)
                    .provider(provider)
                    .message("the call was interrupted (cancelled or past its deadline); the request was aborted")
                    .cause(e)
                    .build();
        } catch (IOException e) {
            throw failure(provider, e, key, request.uri());
        }
        int status = response.statusCode();
        byte[] body = response.body() == null ? new byte[0] : response.body();
        if (status < 200 || status > 299) {
            throw HttpErrors.fromResponse(provider, status, response.headers(), body, key);
        }
        return new Response(status, response.headers(), body);
    }

    /**
     * {@return the failure to report for an exchange that failed with {@code e}}. {@code send}
     * rethrows the exchange's failure as a new {@code IOException} whose cause is the original:
     * an {@link LlmException} of Parley's own (an oversized body) is reported as it is; an
     * original of the same type carries the detail (such as "received while in pool"), so it is
     * reported when the types match.
     *
     * @throws Error found among the causes (such as {@link OutOfMemoryError}): never reported
     *               as a network failure, which would be retried
     */
    static LlmException failure(String provider, Throwable e, ApiKey key, URI uri) {
        Error error = errorIn(e);
        if (error != null) {
            throw error;
        }
        int depth = 0;
        for (Throwable c = e; c != null && depth < 32; c = c.getCause(), depth++) {
            if (c instanceof LlmException l) {
                return l;
            }
        }
        Throwable c = e.getCause();
        return HttpErrors.fromException(provider, c != null && c.getClass() == e.getClass() ? c : e, key, uri);
    }

    /**
     * {@return the first {@link Error} among {@code t} and its causes, or null}: the client
     * reports an error on its own threads (an {@link OutOfMemoryError} while reading a body) as
     * the cause of an {@code IOException}
     */
    static Error errorIn(Throwable t) {
        int depth = 0;
        for (Throwable c = t; c != null && depth < 32; c = c.getCause(), depth++) {
            if (c instanceof Error error) {
                return error;
            }
        }
        return null;
    }

    /**
     * A body read whole into a byte array, up to a limit. Past the limit the body is cancelled
     * (the client closes the connection rather than read on) and the result is either a failure
     * naming the limit, or the bytes read so far (for error bodies, which only need a start).
     * A body whose {@code Content-Length} is over the limit fails before any of it is read.
     *
     * <p>Subscriber signals are serial, as the client guarantees; {@link #getBody()} may be
     * read from any thread.
     */
    static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long max;
        /**
         * Makes the failure past the limit (only then: an exception's stack trace is not free), or
         * null to keep the first {@code max} bytes instead.
         */
        private final Supplier<LlmException> tooLarge;
        private final boolean declaredTooLarge;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final List<ByteBuffer> parts = new ArrayList<>();
        private long size;
        private Flow.Subscription subscription;

        private CappedBody(long max, Supplier<LlmException> tooLarge, boolean declaredTooLarge) {
            this.max = max;
            this.tooLarge = tooLarge;
            this.declaredTooLarge = declaredTooLarge;
        }

        /** {@return a body that fails with a {@link LlmException} past {@code max} bytes} */
        static CappedBody failing(HttpResponse.ResponseInfo info, String provider, long max) {
            long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
            return new CappedBody(max, () -> LlmException.newBuilder(LlmException.Kind.SERVER_ERROR)
                    .provider(provider)
                    .statusCode(info.statusCode())
                    .requestId(HttpErrors.requestId(info.headers()))
                    .message("the response body is larger than the limit of " + max + " bytes"
                            + (declared > max ? " (" + declared + " bytes announced)" : "")
                            + " and was not read further; if such a response is expected, raise the limit"
                            + " with the setting " + MAX_RESPONSE_BYTES_SETTING + " (the provider option "
                            + ResponseLimits.OPTION + ")")
                    .retryable(false)
                    .build(), declared > max);
        }

        /** {@return a body that keeps its first {@code max} bytes and drops the rest} */
        static CappedBody truncating(long max) {
            return new CappedBody(max, null, false);
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (declaredTooLarge) {
                s.cancel();
                result.completeExceptionally(tooLarge.get());
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                long room = max - size;
                if (b.remaining() > room) {
                    subscription.cancel(); // the client closes the connection rather than read on
                    if (tooLarge != null) {
                        parts.clear();
                        result.completeExceptionally(tooLarge.get());
                    } else {
                        parts.add(b.slice(b.position(), (int) room));
                        size = max;
                        complete();
                    }
                    return;
                }
                size += b.remaining();
                parts.add(b); // the client hands each buffer over for good, as ofByteArray() relies on
            }
        }

        @Override
        public void onError(Throwable error) {
            parts.clear();
            result.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            if (!result.isDone()) {
                complete();
            }
        }

        private void complete() {
            byte[] bytes = new byte[(int) size];
            int at = 0;
            for (ByteBuffer b : parts) {
                int n = b.remaining();
                b.get(bytes, at, n);
                at += n;
            }
            parts.clear();
            result.complete(bytes);
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }
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
        return subscriber -> new StreamCall<T>(subscriber, provider, key).start(client, request, decoder);
    }
}
