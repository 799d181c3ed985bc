package dev.parley.internal.redis;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests, on 127.0.0.1 and a free port, without persistence. Found
 * on the PATH or at {@code /usr/bin/redis-server}; when it is not there the test is skipped with
 * a message that says how to get it ({@code .ci/run} installs it). {@link #kill()} kills it
 * abruptly and {@link #restart()} starts it again on the same port. Public for the gateway's tests,
 * which drive real gateway instances against it.
 */
public final class RedisServer implements AutoCloseable {

    private final Path binary;
    private final int port;
    private final List<String> extra;
    private final Path log;
    private Process process;

    private RedisServer(Path binary, int port, List<String> extra) throws IOException {
        this.binary = binary;
        this.port = port;
        this.extra = extra;
        this.log = Files.createTempFile("parley-redis-", ".log");
    }

    /** {@return the redis-server binary, or null} */
    static Path find() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, "redis-server");
                if (!dir.isEmpty() && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        Path usual = Path.of("/usr/bin/redis-server");
        return Files.isExecutable(usual) ? usual : null;
    }

    /**
     * Starts a server with these extra arguments, or skips the test when there is no redis-server.
     *
     * @param extra arguments such as {@code --requirepass secret}
     */
    public static RedisServer start(String... extra) throws IOException {
        Path binary = find();
        assumeTrue(binary != null, "redis-server is not installed (not on the PATH nor at /usr/bin/redis-server):"
                + " the Redis tests are skipped; install it with `apt-get install redis-server` (.ci/run does)");
        RedisServer s = new RedisServer(binary, freePort(), List.of(extra));
        s.restart();
        return s;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** {@return settings for this server (plain TCP, no password)} */
    public RedisSettings.Builder settings() {
        return RedisSettings.newBuilder().url("redis://127.0.0.1:" + port);
    }

    /** Starts the process (again) and waits (up to 20 s) until it answers PING. */
    public void restart() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--port", extra.contains("--tls-port") ? "0" : String.valueOf(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"));
        List<String> args = new ArrayList<>(extra);
        int tlsPort = args.indexOf("--tls-port");
        if (tlsPort >= 0) {
            args.set(tlsPort + 1, String.valueOf(port));
        }
        cmd.addAll(args);
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited: " + Files.readString(log));
            }
            if (listening()) {
                return;
            }
            try {
                Thread.sleep(20); // polling for a state that must come, with a deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        throw new IOException("redis-server did not start in 20 s: " + Files.readString(log));
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            if (extra.contains("--tls-port")) {
                return true;
            }
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            int c = in.read();
            return c == '+' || c == '-'; // -NOAUTH is an answer too
        } catch (IOException e) {
            return false;
        }
    }

    /** Kills the server abruptly (SIGKILL) and waits until it is gone. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** Sends a raw command with a fresh connection; for checks that do not trust the client under test. */
    public String raw(String... command) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            Resp.write(s.getOutputStream(), (Object[]) command);
            return text(Resp.read(new java.io.BufferedInputStream(s.getInputStream()), 1 << 20));
        }
    }

    /** {@return a reply as text: a bulk string as itself, a list as {@code [a, b]}} */
    private static String text(Object reply) {
        if (reply instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (reply instanceof List<?> l) {
            return l.stream().map(RedisServer::text).collect(java.util.stream.Collectors.joining(", ", "[", "]"));
        }
        return String.valueOf(reply);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temporary file
        }
    }
}
