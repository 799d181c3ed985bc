package dev.parley.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.parley.Llm;

/**
 * An upstream that accepts connections, reads whatever is sent and never answers: for tests of
 * what the gateway does while a provider is silent. It tells when a request has arrived and when
 * the caller closed its connection (the upstream call was cancelled). Close it.
 */
final class SilentUpstream implements AutoCloseable {

    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** Released when the first bytes of a request arrive. */
    final CountDownLatch requested = new CountDownLatch(1);
    /** Released when a connection that sent a request is closed by the caller. */
    final CountDownLatch callerClosed = new CountDownLatch(1);

    SilentUpstream() {
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads.execute(this::accept);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                open.add(s);
                threads.execute(() -> hold(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void hold(Socket s) {
        try (s; InputStream in = s.getInputStream()) {
            byte[] buf = new byte[8192];
            boolean any = false;
            while (in.read(buf) >= 0) {
                if (!any) {
                    any = true;
                    requested.countDown();
                }
            }
            if (any) {
                callerClosed.countDown();
            }
        } catch (IOException e) {
            if (!listener.isClosed()) {
                callerClosed.countDown();
            }
        } finally {
            open.remove(s);
        }
    }

    /** {@return an Llm for this upstream through the OpenAI-compatible provider, with generous timeouts and no retries} */
    Llm llm() {
        return Llm.newBuilder().settings(Map.of(
                "LLM_PROVIDER", "openai-compatible",
                "OPENAI_BASE_URL", "http://127.0.0.1:" + listener.getLocalPort() + "/v1",
                "LLM_MODEL", "m",
                "LLM_MAX_RETRIES", "0",
                "LLM_TIMEOUT", "120s")).build();
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
