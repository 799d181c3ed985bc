package dev.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.parley.LlmException;

/** A failed connection names the host and says why: unresolved, refused or timed out. */
class ConnectFailureTest {

    private static ConnectException jdk(Throwable cause) {
        // The JDK's HttpClient throws a ConnectException without a message, the reason as its cause.
        ConnectException e = new ConnectException();
        e.initCause(cause);
        return e;
    }

    @Test
    void anUnknownHost_isNamedAsUnresolved() {
        LlmException e = HttpErrors.fromException("deepseek", jdk(new UnresolvedAddressException()), null,
                URI.create("https://api.deepseek.cm/chat/completions"));
        assertEquals(LlmException.Kind.NETWORK, e.kind());
        assertEquals("deepseek: could not connect to api.deepseek.cm: the host name could not be resolved "
                + "(check the base URL, and the network or DNS)", e.getMessage());
    }

    @Test
    void aConnectTimeout_namesTheHostAndPort() {
        LlmException e = HttpErrors.fromException("openai", new HttpConnectTimeoutException("HTTP connect timed out"), null,
                URI.create("http://10.1.2.3:8000/v1/chat/completions"));
        assertEquals(LlmException.Kind.TIMEOUT, e.kind());
        assertEquals("openai: timed out connecting to 10.1.2.3:8000", e.getMessage());
    }

    @Test
    void aRefusedConnection_namesTheHostAndPort() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI uri = URI.create("http://127.0.0.1:" + port + "/v1/models");
        LlmException e = assertThrows(LlmException.class,
                () -> Transport.send(HttpClient.newHttpClient(), HttpRequest.newBuilder(uri).build(), "openai", null));
        assertEquals("openai: could not connect to 127.0.0.1:" + port + ": the connection was refused "
                + "(is the server running, on that port?)", e.getMessage());
        CompletableFuture<Throwable> failed = new CompletableFuture<>();
        Transport.<Object>stream(HttpClient.newHttpClient(), HttpRequest.newBuilder(uri).build(), "openai", null,
                (headers, body) -> subscriber -> { }).subscribe(new Flow.Subscriber<Object>() {
                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        s.request(1);
                    }

                    @Override
                    public void onNext(Object item) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        failed.complete(t);
                    }

                    @Override
                    public void onComplete() {
                        failed.complete(null);
                    }
                });
        Throwable streamed = failed.get(30, TimeUnit.SECONDS);
        assertTrue(streamed.getMessage().contains("could not connect to 127.0.0.1:" + port + ": the connection was refused"),
                streamed.getMessage());
    }
}
