package dev.parley.internal.redis;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One socket to Redis, used by one caller at a time (the pool hands it out). Every read waits
 * at most until the caller's deadline; a failure of any kind (I/O, timeout, protocol) breaks the
 * connection, which is then closed and never reused, since replies could be out of step.
 */
final class RedisConnection implements AutoCloseable {

    private static final long LARGE_WRITE = 32 * 1024;

    private final Socket socket;
    private final DeadlineInput deadlineInput;
    private final InputStream in;
    private final OutputStream out;
    private final int maxBulk;
    private volatile boolean broken;

    /** Reads from the socket, each read bounded by the remaining time to the deadline. */
    private static final class DeadlineInput extends InputStream {
        private final Socket socket;
        private final InputStream raw;
        long deadline;

        DeadlineInput(Socket socket) throws IOException {
            this.socket = socket;
            this.raw = socket.getInputStream();
        }

        private void arm() throws IOException {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceilDiv(left, 1_000_000L))));
        }

        @Override
        public int read() throws IOException {
            arm();
            return raw.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            arm();
            return raw.read(b, off, len);
        }
    }

    /**
     * Connects, handshakes TLS, authenticates and selects the database, all before {@code deadline}.
     *
     * @throws RedisException UNAVAILABLE if that fails, REPLY if Redis refuses AUTH or SELECT
     */
    static RedisConnection open(RedisSettings s, long deadline) {
        Socket socket = null;
        try {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(s.host, s.port), (int) Math.max(1, left / 1_000_000L));
            if (s.tls) {
                SSLContext context = s.sslContext != null ? s.sslContext : SSLContext.getDefault();
                SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, s.host, s.port, true);
                socket = tls;
                SSLParameters params = tls.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(params);
                tls.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
                tls.startHandshake();
            }
            RedisConnection c = new RedisConnection(socket, s.maxValueBytes + 1024);
            List<Object[]> hello = new ArrayList<>(2);
            if (s.password() != null) {
                hello.add(s.user != null ? new Object[] {"AUTH", s.user, s.password()} : new Object[] {"AUTH", s.password()});
            }
            if (s.database != 0) {
                hello.add(new Object[] {"SELECT", s.database});
            }
            if (!hello.isEmpty()) {
                for (Object reply : c.execute(hello, deadline)) {
                    if (reply instanceof RedisException e) {
                        c.close();
                        // Unusable as configured, so Redis counts as down (and callers fall back). Redis's
                        // own text ("WRONGPASS invalid username-password pair ...") never quotes the password.
                        throw RedisException.unavailable("Redis at " + s.address() + " refused the connection: "
                                + e.getMessage());
                    }
                }
            }
            return c;
        } catch (IOException | RuntimeException e) {
            if (e instanceof RedisException re) {
                throw re;
            }
            closeQuietly(socket);
            throw RedisException.unavailable("cannot connect to Redis at " + s.address() + ": " + describe(e), e);
        } catch (Exception e) {
            closeQuietly(socket);
            throw RedisException.unavailable("cannot connect to Redis at " + s.address() + ": " + describe(e), e);
        }
    }

    static String describe(Throwable e) {
        if (e instanceof SocketTimeoutException) {
            return "timed out";
        }
        String m = e.getMessage();
        String name = e.getClass().getSimpleName();
        return m == null || m.isBlank() ? name : m;
    }

    private RedisConnection(Socket socket, int maxBulk) throws IOException {
        this.socket = socket;
        this.deadlineInput = new DeadlineInput(socket);
        this.in = new BufferedInputStream(deadlineInput, 16 * 1024);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
        this.maxBulk = maxBulk;
    }

    /**
     * Sends the commands in one write and reads one reply for each (pipelining).
     *
     * @return the replies, an error reply as a {@link RedisException} element
     * @throws RedisException UNAVAILABLE if the connection fails or the deadline passes; the
     *                        connection is then broken
     */
    List<Object> execute(List<Object[]> commands, long deadline) {
        if (broken) {
            throw RedisException.unavailable("connection already broken");
        }
        // A blocking write has no timeout: when a large value meets a server that stopped reading,
        // a watchdog closes the socket at the deadline, which ends the write.
        Thread watchdog = large(commands) ? Thread.ofVirtual().name("parley-redis-write-watchdog").start(() -> {
            try {
                Thread.sleep(java.time.Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                close();
            } catch (InterruptedException done) {
                // the write and the reads ended in time
            }
        }) : null;
        try {
            deadlineInput.deadline = deadline;
            for (Object[] command : commands) {
                Resp.write(out, command);
            }
            out.flush();
            List<Object> replies = new ArrayList<>(commands.size());
            for (int i = 0; i < commands.size(); i++) {
                replies.add(Resp.read(in, maxBulk));
            }
            return replies;
        } catch (IOException | RuntimeException e) {
            close();
            String what = e instanceof Resp.ProtocolException ? "a malformed reply from Redis (" + e.getMessage() + ")"
                    : e instanceof SocketTimeoutException || deadline - System.nanoTime() <= 0 ? "no reply from Redis in time"
                    : "the connection to Redis failed: " + describe(e);
            throw RedisException.unavailable(what, e);
        } finally {
            if (watchdog != null) {
                watchdog.interrupt();
                try {
                    watchdog.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** {@return whether the commands carry more than the socket buffers surely take at once} */
    private static boolean large(List<Object[]> commands) {
        long bytes = 0;
        for (Object[] command : commands) {
            for (Object a : command) {
                bytes += a instanceof byte[] b ? b.length : 16;
            }
        }
        return bytes > LARGE_WRITE;
    }

    boolean broken() {
        return broken;
    }

    @Override
    public void close() {
        broken = true;
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }
}
