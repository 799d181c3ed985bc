package dev.parley.gateway;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.LlmException;

/**
 * Reloads the gateway's configuration file when it changes: a virtual thread watches the file's
 * directory, waits for writes to settle (editors and {@code cp} write in several steps), then
 * reads the file and, if its bytes changed, checks it. A good file replaces the keys and routes
 * at once; a bad one (or one whose routes cannot be made) is logged with every problem and the
 * keys and routes in use stay. Requests already running keep the key and the routes they started
 * with. Thread-safe.
 */
final class KeysFileWatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.parley.gateway");
    private static final long SETTLE_MILLIS = 150;

    private final Path file;
    private final java.util.function.Function<KeysConfig, String> apply;
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final ReentrantLock reloading = new ReentrantLock();
    private WatchService watch;
    /** The digest of the file's text as last read by a reload; read and written by the watch thread and reload callers. */
    private volatile byte[] lastRead;
    private Thread thread;

    /**
     * @param file the configuration file
     * @param apply puts a checked configuration in use, returning what to log about it; throws
     *              {@link dev.parley.ConfigurationException} to refuse it (routes that cannot be
     *              made), leaving the configuration in use as it was
     */
    KeysFileWatcher(Path file, java.util.function.Function<KeysConfig, String> apply) {
        this.file = file.toAbsolutePath();
        this.apply = apply;
    }

    /** Starts watching; a file system without change notification is logged and not watched. */
    void start() {
        try {
            lastRead = KeysConfig.digest(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            lastRead = null;
        }
        try {
            watch = file.getFileSystem().newWatchService();
            file.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(Level.WARNING, "gateway configuration {0} will not be reloaded on change: {1}", file, e.getMessage());
            return;
        }
        thread = Thread.ofVirtual().name("parley-gateway-config-watch").start(this::run);
    }

    private void run() {
        try {
            while (true) {
                WatchKey k = watch.take();
                // Any change in the directory may be ours: Kubernetes swaps a ConfigMap's files by
                // renaming a symlinked directory, so the file's own name never shows up. The
                // file is read again, and reloaded only if its bytes changed.
                k.pollEvents();
                k.reset();
                // Let the writes settle, and fold the events they cause into this one reload.
                TimeUnit.MILLISECONDS.sleep(SETTLE_MILLIS);
                WatchKey more;
                while ((more = watch.poll()) != null) {
                    more.pollEvents();
                    more.reset();
                }
                if (changed()) {
                    reload();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException stopped) {
            // closed
        }
    }

    /** {@return whether the file's bytes differ from those last read (an unreadable file counts as changed)} */
    private boolean changed() {
        byte[] now;
        try {
            now = KeysConfig.digest(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return true;
        }
        return !Arrays.equals(now, lastRead);
    }

    /** Reads the file again now: a good file replaces the keys and routes, a bad one is logged and ignored. @return whether it was replaced */
    boolean reload() {
        // One reload at a time: each reads the file as it is then, so the last one wins and
        // a slow reload cannot put back an older file after a newer one.
        reloading.lock();
        try {
            return reloadNow();
        } finally {
            reloading.unlock();
        }
    }

    private boolean reloadNow() {
        try {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                lastRead = null;
                throw KeysConfig.unreadable(file, e);
            }
            lastRead = KeysConfig.digest(text);
            KeysConfig next = KeysConfig.parse(text, file.toString());
            String summary = apply.apply(next);
            reloads.incrementAndGet();
            LOG.log(Level.INFO, "gateway configuration reloaded from {0}; {1}", file, summary);
            return true;
        } catch (LlmException e) {
            failures.incrementAndGet();
            LOG.log(Level.WARNING, "gateway configuration not reloaded, the keys and routes in use stay: {0}", e.getMessage());
            return false;
        }
    }

    /** {@return how many reloads succeeded, for tests} */
    long reloads() {
        return reloads.get();
    }

    /** {@return how many reloads found a bad file, for tests} */
    long failures() {
        return failures.get();
    }

    @Override
    public void close() {
        if (watch != null) {
            try {
                watch.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
