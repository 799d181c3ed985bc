package dev.parley.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * What the gateway and the fake provider share about the address they listen on: checking the
 * host and port, and the URL a client uses. Touches no server class, so the gateway does not need
 * the {@code jdk.httpserver} module that {@link LocalServer} needs.
 */
public final class ListenAddress {

    private ListenAddress() {
    }

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

    /** {@return the root URL of {@code address}}: a wildcard address is given as 127.0.0.1, IPv6 in brackets */
    public static URI uri(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        String h = ip == null || ip.isAnyLocalAddress() ? "127.0.0.1"
                : ip.getHostAddress().indexOf(':') >= 0 ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress();
        return URI.create("http://" + h + ":" + address.getPort());
    }
}
