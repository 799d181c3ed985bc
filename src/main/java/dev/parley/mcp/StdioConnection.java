package dev.parley.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.http.NdjsonDecoder;
import dev.parley.http.StreamFormatException;
import dev.parley.json.Json;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;

/**
 * An MCP server run as a child process: one JSON-RPC message per line on its stdin and stdout.
 * One virtual thread reads stdout, another keeps the last lines of stderr for error messages.
 * Closing ends stdin, waits a little for the server to exit, then ends it and every process it
 * started.
 */
final class StdioConnection implements Connection {

    /** How long the server has to exit by itself once its stdin is closed, and again after SIGTERM. */
    static final Duration EXIT_GRACE = Duration.ofSeconds(2);
    private static final int STDERR_TAIL = 4096;

    private final Session session;
    private final Process process;
    private final String program;
    private final OutputStream stdin;
    /** Messages waiting for the writer thread, so that a server that stops reading blocks no caller. */
    private final LinkedBlockingQueue<byte[]> outbox = new LinkedBlockingQueue<>();
    private final AtomicLong outboxBytes = new AtomicLong();
    private final Thread writer;
    private final byte[] stderrTail = new byte[STDERR_TAIL];
    private long stderrBytes;
    private final int maxMessageSize;
    private final Thread reader;
    private final Thread stderrReader;
    private volatile boolean closing;
    private final ReentrantLock closer = new ReentrantLock();

    private StdioConnection(Session session, Process process, String program, int maxMessageSize) {
        this.session = session;
        this.maxMessageSize = maxMessageSize;
        this.process = process;
        this.program = program;
        this.stdin = process.getOutputStream();
        this.stderrReader = Thread.ofVirtual().name("mcp-stderr-" + process.pid()).start(this::drainStderr);
        this.reader = Thread.ofVirtual().name("mcp-stdout-" + process.pid()).start(this::read);
        this.writer = Thread.ofVirtual().name("mcp-stdin-" + process.pid()).start(this::write);
    }

    /**
     * Starts the server.
     *
     * @throws LlmException of kind CONFIGURATION if the program cannot be started
     */
    static StdioConnection start(Session session, List<String> command, Map<String, String> environment,
            Path directory, int maxMessageSize) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(environment);
        if (directory != null) {
            pb.directory(directory.toFile());
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw LlmException.newBuilder(Kind.CONFIGURATION).provider(Session.PROVIDER)
                    .message("could not start the MCP server " + command.get(0) + ": " + e.getMessage())
                    .cause(e).build();
        }
        return new StdioConnection(session, process, command.get(0), maxMessageSize);
    }

    /** {@return the server's process} */
    Process process() {
        return process;
    }

    /**
     * Queues a message for the writer thread: the caller's deadline then holds even when the
     * server does not read. Fails once more than four times the largest message waits unread.
     */
    @Override
    public void send(JsonObject message, long requestId) {
        if (closing || !writer.isAlive()) {
            throw ended(null);
        }
        byte[] bytes = Json.writeBytes(message);
        if (outboxBytes.addAndGet(bytes.length + 1L) > 4L * maxMessageSize) {
            outboxBytes.addAndGet(-(bytes.length + 1L));
            throw Session.error(Kind.NETWORK, "the MCP server " + program + " is not reading its input", null);
        }
        outbox.add(bytes);
    }

    private void write() {
        try {
            while (true) {
                byte[] bytes = outbox.take();
                outboxBytes.addAndGet(-(bytes.length + 1L));
                if (bytes.length == 0) {
                    return; // closing
                }
                stdin.write(bytes);
                stdin.write('\n');
                if (outbox.isEmpty()) {
                    stdin.flush();
                }
            }
        } catch (IOException e) {
            if (!closing) {
                session.fail(ended(e));
            }
        } catch (InterruptedException e) {
            // Closing.
        }
    }

    private void read() {
        NdjsonDecoder lines = new NdjsonDecoder(line -> {
            try {
                session.receive(Json.parse(line));
            } catch (JsonException e) {
                throw Session.protocolError("a line that is not a JSON-RPC message: "
                        + Session.excerpt(new String(line, StandardCharsets.UTF_8)));
            }
        }, maxMessageSize);
        byte[] buffer = new byte[64 * 1024];
        try (InputStream out = process.getInputStream()) {
            int n;
            while ((n = out.read(buffer)) >= 0) {
                lines.decode(buffer, 0, n);
            }
            lines.finish();
            session.fail(ended(null));
        } catch (StreamFormatException e) {
            session.fail(Session.error(Kind.SERVER_ERROR, "the server sent a message larger than "
                    + maxMessageSize + " bytes; the connection was closed", e));
            close();
        } catch (LlmException e) {
            session.fail(e);
            close();
        } catch (IOException e) {
            session.fail(ended(e));
        }
    }

    /** The error for a server that is gone: it exited, or closed its output. */
    private LlmException ended(Throwable cause) {
        if (closing) {
            return Session.error(Kind.NETWORK, "the connection to the MCP server is closed", cause);
        }
        String exit;
        try {
            exit = process.waitFor(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS)
                    ? "the MCP server " + program + " exited with code " + process.exitValue()
                    : "the MCP server " + program + " closed its output";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit = "the MCP server " + program + " closed its output";
        }
        String err = stderrTail();
        return Session.error(Kind.NETWORK, exit + (err.isEmpty() ? "" : "; its last error output: " + err), cause);
    }

    private void drainStderr() {
        byte[] buffer = new byte[8192];
        try (InputStream err = process.getErrorStream()) {
            int n;
            while ((n = err.read(buffer)) >= 0) {
                synchronized (stderrTail) {
                    for (int i = 0; i < n; i++) {
                        stderrTail[(int) (stderrBytes++ % STDERR_TAIL)] = buffer[i];
                    }
                }
            }
        } catch (IOException e) {
            // The process is gone; the tail keeps what arrived.
        }
    }

    /** {@return the last bytes the server wrote to stderr, as text, trimmed} */
    String stderrTail() {
        byte[] copy;
        synchronized (stderrTail) {
            int length = (int) Math.min(stderrBytes, STDERR_TAIL);
            copy = new byte[length];
            for (int i = 0; i < length; i++) {
                copy[i] = stderrTail[(int) ((stderrBytes - length + i) % STDERR_TAIL)];
            }
        }
        return new String(copy, StandardCharsets.UTF_8).strip();
    }

    /**
     * Ends the server: lets the writer send what is queued, closes stdin, waits for the server
     * to exit, then ends it (SIGTERM, then SIGKILL) and every process it started. A second
     * caller waits for the first to finish.
     */
    @Override
    public void close() {
        closer.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            end();
        } finally {
            closer.unlock();
        }
    }

    private void end() {
        // Taken first: once the server exits, the processes it started are no longer its descendants.
        List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
        try {
            outbox.add(new byte[0]); // the writer sends what was queued before it, then stops
            if (writer.join(EXIT_GRACE)) {
                closeStdin(); // the server's cue to exit
            } // else the server does not read; closing now would wait on the blocked write
            if (!process.waitFor(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                family.addAll(process.descendants().toList());
                process.destroy();
                if (!process.waitFor(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            for (ProcessHandle p : family) {
                p.destroy();
            }
            for (ProcessHandle p : family) {
                try {
                    p.onExit().get(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    p.destroyForcibly();
                }
            }
            writer.join(EXIT_GRACE); // the server's end broke the pipe under a blocked write
            closeStdin();
            if (Thread.currentThread() != reader) {
                reader.join(EXIT_GRACE);
            }
            stderrReader.join(EXIT_GRACE);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            family.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }

    private void closeStdin() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // Already broken: the server is gone.
        }
    }
}
