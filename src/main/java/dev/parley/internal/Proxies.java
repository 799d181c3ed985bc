package dev.parley.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A {@link ProxySelector} from the conventional {@code HTTPS_PROXY}, {@code HTTP_PROXY} and
 * {@code NO_PROXY} variables (upper or lower case), as curl and most tools read them:
 * {@code NO_PROXY} is a comma-separated list of host names, domain suffixes ({@code .corp} or
 * {@code corp}), IP addresses, or {@code *} for all. Proxy credentials in the URL are not
 * supported. Immutable and thread-safe.
 */
public final class Proxies extends ProxySelector {

    private final InetSocketAddress https;
    private final InetSocketAddress http;
    private final List<String> noProxy;

    private Proxies(InetSocketAddress https, InetSocketAddress http, List<String> noProxy) {
        this.https = https;
        this.http = http;
        this.noProxy = noProxy;
    }

    /**
     * {@return a selector for the proxy variables in {@code env}, or null when none is set}
     *
     * @throws IllegalArgumentException naming the variable, if a proxy URL cannot be read
     */
    public static Proxies fromEnvironment(Function<String, String> env) {
        InetSocketAddress https = address(env, "HTTPS_PROXY");
        InetSocketAddress http = address(env, "HTTP_PROXY");
        if (https == null && http == null) {
            return null;
        }
        List<String> no = new ArrayList<>();
        String list = first(env, "NO_PROXY");
        if (list != null) {
            for (String part : list.split(",")) {
                String p = part.strip().toLowerCase(Locale.ROOT);
                if (!p.isEmpty()) {
                    no.add(p.startsWith(".") ? p.substring(1) : p);
                }
            }
        }
        return new Proxies(https, http, List.copyOf(no));
    }

    private static String first(Function<String, String> env, String name) {
        String v = env.apply(name);
        if (v == null || v.isBlank()) {
            v = env.apply(name.toLowerCase(Locale.ROOT));
        }
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static InetSocketAddress address(Function<String, String> env, String name) {
        String v = first(env, name);
        if (v == null) {
            return null;
        }
        try {
            URI u = URI.create(v.contains("://") ? v : "http://" + v);
            if (u.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            if (u.getUserInfo() != null) {
                throw new IllegalArgumentException("proxy credentials in the URL are not supported");
            }
            int port = u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
            return InetSocketAddress.createUnresolved(u.getHost(), port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": expected a proxy URL such as http://proxy.example:3128 ("
                    + e.getMessage() + ")");
        }
    }

    /** {@return whether {@code host} is exempt from the proxy by NO_PROXY} */
    boolean bypass(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        for (String rule : noProxy) {
            if (rule.equals("*") || h.equals(rule) || h.endsWith("." + rule)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<Proxy> select(URI uri) {
        String host = uri.getHost();
        InetSocketAddress proxy = "https".equalsIgnoreCase(uri.getScheme()) ? https : http;
        if (proxy == null || host == null || bypass(host)) {
            return List.of(Proxy.NO_PROXY);
        }
        return List.of(new Proxy(Proxy.Type.HTTP, proxy));
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // Nothing to remember: the caller sees the failure.
    }
}
