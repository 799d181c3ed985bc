package dev.parley.provider.ollama;

import java.net.URI;
import java.net.URISyntaxException;

import dev.parley.LlmException;

/**
 * Reads {@code OLLAMA_HOST} the way Ollama's own client does ({@code envconfig.Host} and
 * {@code ConnectableHost} in ollama/ollama), and turns it into the base URL to connect to.
 *
 * <p>The rules, mirrored from Ollama:
 * <ul>
 * <li>Surrounding spaces and quotes ({@code "} or {@code '}) are dropped.</li>
 * <li>Empty: {@code http://127.0.0.1:11434}.</li>
 * <li>No scheme: {@code http}, default port 11434 ({@code host}, {@code host:port}, {@code :port},
 *     {@code 0.0.0.0}); the bare value {@code ollama.com} means {@code https://ollama.com:443}.</li>
 * <li>{@code http://} without a port: port 80; {@code https://} without a port: port 443.</li>
 * <li>Anything after the first {@code /} of the host part is kept as a path prefix.</li>
 * <li>A value that is not {@code host:port} (no port, or a bare IPv6 address) is the host with the
 *     default port; a port that is not a number from 0 to 65535 is replaced by the default.</li>
 * <li>A bind address means the local machine, as for Ollama's client: {@code 0.0.0.0} and an empty
 *     host connect to {@code 127.0.0.1}, {@code ::} to {@code ::1}.</li>
 * </ul>
 * Ollama accepts any scheme here; Parley can only speak {@code http} and {@code https}, so any
 * other scheme is a configuration error.
 *
 * <p>Stateless and thread-safe.
 */
final class OllamaHost {

    /** The environment variable. */
    static final String ENV = "OLLAMA_HOST";

    private static final String DEFAULT_PORT = "11434";

    private OllamaHost() {
    }

    /**
     * {@return the base URL for the value of {@code OLLAMA_HOST}}, without a trailing slash
     *
     * @param value the variable's value, or null when it is not set
     * @throws LlmException of kind CONFIGURATION if the value names a scheme other than http or
     *                      https, or does not make a valid URL
     */
    static URI resolve(String value) {
        String s = value == null ? "" : trimQuotes(value.strip()).strip();
        String defaultPort = DEFAULT_PORT;
        String scheme;
        String hostport;
        int sep = s.indexOf("://");
        if (sep < 0) {
            scheme = "http";
            hostport = s;
            if (s.equals("ollama.com")) {
                scheme = "https";
                hostport = "ollama.com:443";
            }
        } else {
            scheme = s.substring(0, sep);
            hostport = s.substring(sep + 3);
            if (scheme.equals("http")) {
                defaultPort = "80";
            } else if (scheme.equals("https")) {
                defaultPort = "443";
            }
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid(value, "the scheme \"" + scheme + "\" is not supported; use http:// or https://");
        }
        String path = "";
        int slash = hostport.indexOf('/');
        if (slash >= 0) {
            path = hostport.substring(slash + 1);
            hostport = hostport.substring(0, slash);
        }
        String host;
        String port;
        String[] split = splitHostPort(hostport);
        if (split == null) {
            host = "127.0.0.1";
            port = defaultPort;
            String bare = trimBrackets(hostport);
            if (isIpLiteral(bare)) {
                host = bare;
            } else if (!hostport.isEmpty()) {
                host = hostport;
            }
        } else {
            host = split[0];
            port = split[1];
        }
        port = validPort(port) ? Integer.toString(Integer.parseInt(port)) : defaultPort;
        if (host.isEmpty() || host.equals("0.0.0.0")) {
            host = "127.0.0.1";
        } else if (isUnspecifiedIpv6(host)) {
            host = "::1";
        }
        String authority = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        String text = scheme + "://" + authority + (path.isEmpty() ? "" : "/" + path);
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        try {
            URI uri = new URI(text);
            if (uri.getHost() == null) {
                throw invalid(value, "\"" + host + "\" is not a valid host name");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw invalid(value, "it does not make a valid URL (" + e.getMessage() + ")");
        }
    }

    private static LlmException invalid(String value, String why) {
        return LlmException.newBuilder(LlmException.Kind.CONFIGURATION)
                .provider("ollama")
                .message(ENV + "=\"" + value + "\" cannot be used: " + why
                        + "; set it to host:port or http(s)://host:port, or set a base URL")
                .build();
    }

    /** Go's {@code strings.Trim(s, "\"'")}. */
    private static String trimQuotes(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == '"' || s.charAt(from) == '\'')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == '"' || s.charAt(to - 1) == '\'')) {
            to--;
        }
        return s.substring(from, to);
    }

    /** Go's {@code strings.Trim(s, "[]")}. */
    private static String trimBrackets(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == '[' || s.charAt(from) == ']')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == '[' || s.charAt(to - 1) == ']')) {
            to--;
        }
        return s.substring(from, to);
    }

    /** Go's {@code net.SplitHostPort}: {host, port}, or null where Go reports an error. */
    private static String[] splitHostPort(String hostport) {
        int colon = hostport.lastIndexOf(':');
        if (colon < 0) {
            return null;
        }
        String host;
        if (hostport.startsWith("[")) {
            int end = hostport.indexOf(']');
            if (end < 0 || end + 1 != colon) {
                return null;
            }
            host = hostport.substring(1, end);
            if (host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
                return null;
            }
        } else {
            host = hostport.substring(0, colon);
            if (host.indexOf(':') >= 0 || host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
                return null;
            }
        }
        String port = hostport.substring(colon + 1);
        if (port.indexOf('[') >= 0 || port.indexOf(']') >= 0) {
            return null;
        }
        return new String[] {host, port};
    }

    /** Go's {@code strconv.ParseInt(port, 10, 32)} within 0..65535. */
    private static boolean validPort(String port) {
        try {
            int n = Integer.parseInt(port);
            return n >= 0 && n <= 65535;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isIpLiteral(String s) {
        if (s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            for (String octet : s.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return false;
                }
            }
            return true;
        }
        return s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+");
    }

    private static boolean isUnspecifiedIpv6(String host) {
        return host.indexOf(':') >= 0 && host.matches("[0:]+");
    }
}
