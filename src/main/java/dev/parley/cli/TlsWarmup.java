package dev.parley.cli;

import javax.net.ssl.SSLContext;

/**
 * Initialises the JDK's default TLS context on a short-lived daemon thread while the command
 * parses its arguments and builds its client. Every {@code HttpClient} initialises it when it is
 * built, whether or not it will ever speak TLS: in a fresh JVM that is the largest single cost
 * of a one-shot command's first call (the providers, the trust store, the cipher suites: ~1,000
 * classes, 100-200 ms), and it needs nothing from the command. The first call then finds it
 * ready, or waits for the rest of it. A failure here is left for that call to report.
 */
final class TlsWarmup implements Runnable {

    private TlsWarmup() {
    }

    /** Starts the warm-up; returns at once. */
    static void start() {
        Thread t = new Thread(new TlsWarmup(), "parley-tls-warmup");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        try {
            SSLContext.getDefault();
        } catch (Exception e) {
            // The client reports it when it is built.
        }
    }
}
