package dev.parley.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/**
 * What the gateway and the fake provider share about the address they listen on (checking the
 * host and port, the URL a client uses), and running the fake provider on the JDK's
 * {@code com.sun.net.httpserver}: binding with one virtual thread per exchange, and stopping.
 * The gateway runs its own server instead ({@code dev.parley.gateway.GatewayServer}), since the
 * JDK's has no per-connection deadlines or caps that a library could set without changing
 * JVM-wide system properties; the fake provider serves tests and local demos, where that is fine.
 *
 * @param server   the running server
 * @param executor its exchanges' threads
 */
public record LocalServer(HttpServer server, ExecutorService executor) {

    /** {@return {@code host}} @throws IllegalArgumentException if it is null or blank */
    public static String checkHost(String host) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host: must not be blank");
        }
        return host;
    }

    /** {@return {@code port}} @throws IllegalArgumentException unless it is 0 to 65535 */
    public static int checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: expected 0 to 65535, got " + port);
        }
        return port;
    }

    /**
     * Binds {@code host:port} and starts serving every path with {@code handler}, one virtual
     * thread per exchange, named {@code threadPrefix} and a number.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static LocalServer start(String host, int port, String threadPrefix, HttpHandler handler) {
        ExecutorService exec = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(threadPrefix, 0).factory());
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 1024);
            s.setExecutor(exec);
            s.createContext("/", handler);
            s.start();
            return new LocalServer(s, exec);
        } catch (IOException e) {
            exec.close();
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * Closes the listener and every connection, interrupts the exchanges still running and waits
     * up to {@code waitMillis} for their threads to end.
     *
     * @return whether they all ended in time
     */
    public boolean stop(long waitMillis) {
        server.stop(0);
        executor.shutdownNow();
        try {
            return executor.awaitTermination(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return executor.isTerminated();
        }
    }

    /** {@return the root URL of {@code address}}: a wildcard address is given as 127.0.0.1, IPv6 in brackets */
    public static URI uri(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        String h = ip == null || ip.isAnyLocalAddress() ? "127.0.0.1"
                : ip.getHostAddress().indexOf(':') >= 0 ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress();
        return URI.create("http://" + h + ":" + address.getPort());
    }
}
