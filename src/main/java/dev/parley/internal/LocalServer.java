package dev.parley.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/**
 * The fake provider's server: the JDK's {@code com.sun.net.httpserver}, with one virtual thread
 * per exchange, and stopping it. The gateway runs its own server instead
 * ({@code dev.parley.gateway.GatewayServer}), since the JDK's has no per-connection deadlines or
 * caps that a library could set without changing JVM-wide system properties; the fake provider
 * serves tests and local demos, where that is fine.
 *
 * <p>The module {@code jdk.httpserver} is optional ({@code requires static}), so that a
 * {@code jlink} image of an application that only calls providers can leave it out. Only this
 * class and {@code dev.parley.testing.FakeHandler} name its types; callers check
 * {@link #available()} or call {@link #require(String)} before they touch either, so that a
 * runtime without the module gets a message that says what to do rather than a
 * {@link NoClassDefFoundError}.
 */
public final class LocalServer {

    private static final String MODULE = "jdk.httpserver";

    private final HttpServer server;
    private final ExecutorService executor;

    private LocalServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * {@return whether the JDK's HTTP server can be used here}: the module {@code jdk.httpserver}
     * is in the runtime and, when Parley runs as a named module, resolved so that Parley reads it
     */
    public static boolean available() {
        return Holder.AVAILABLE;
    }

    /** Checked once; without touching a class of the module. */
    private static final class Holder {
        static final boolean AVAILABLE = check();

        private static boolean check() {
            Module parley = LocalServer.class.getModule();
            if (!parley.isNamed()) {
                // On the class path: every module of the runtime image is resolved.
                return ModuleLayer.boot().findModule(MODULE).isPresent();
            }
            ModuleLayer layer = parley.getLayer() != null ? parley.getLayer() : ModuleLayer.boot();
            return layer.findModule(MODULE).map(parley::canRead).orElse(false);
        }
    }

    /**
     * Checks that the JDK's HTTP server can be used here.
     *
     * @param feature what needs it, such as {@code "FakeLlmServer"}; the message starts with it
     * @throws IllegalStateException if it cannot, with {@link #missing(String)} as its message
     */
    public static void require(String feature) {
        if (!available()) {
            throw new IllegalStateException(missing(feature));
        }
    }

    /**
     * {@return the message that says {@code feature} needs the module, and how to add it}: to
     * the runtime image when it lacks the module, or to the running JVM when the module is there
     * but not resolved (on the module path, optional modules are resolved only when asked for)
     */
    public static String missing(String feature) {
        String needs = feature + " needs the JDK's HTTP server (the module " + MODULE + ")";
        if (java.lang.module.ModuleFinder.ofSystem().find(MODULE).isPresent()) {
            return needs + ", which this Java runtime has but did not load: on the module path, optional"
                    + " modules are loaded only when asked for. Start Java with --add-modules " + MODULE + ".";
        }
        return needs + ", which this Java runtime does not include. Run it on a full JDK, or link the module"
                + " into the image: jlink --add-modules " + MODULE + ".";
    }

    /**
     * Binds {@code host:port} and starts serving every path with {@code handler}, one virtual
     * thread per exchange, named {@code threadPrefix} and a number. Call {@link #require} first.
     *
     * @return the running server
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

    /** {@return the bound address, with the actual port} */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@return whether every exchange's thread has ended} */
    public boolean terminated() {
        return executor.isTerminated();
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
}
