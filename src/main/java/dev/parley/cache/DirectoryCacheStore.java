package dev.parley.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import dev.parley.LlmException;
import dev.parley.internal.Failures;

/**
 * The file-backed {@link CacheStore}: one file per key, {@code <key>.entry}, in one directory.
 *
 * <p>File format, version 1, big-endian: the 8 ASCII bytes {@code PRLYCACH}; the format
 * version (int); the write time as epoch seconds (long) and nanoseconds (int); the length of the
 * JSON (int); the JSON; a CRC-32C of everything before it (int). A file whose magic, version,
 * length or checksum is wrong is skipped and reported, never trusted. Writes go to a temporary
 * file in the same directory that is then moved over the entry atomically.
 *
 * <p>Thread-safe, and safe to share between processes: readers see the old or the new file,
 * never a mix. Warnings name the file and the problem, never the content.
 */
final class DirectoryCacheStore implements CacheStore {

    /** Reports to {@code System.Logger} "dev.parley.cache"; the logger is looked up on first use. */
    static final Consumer<String> LOG = message ->
            System.getLogger("dev.parley.cache").log(System.Logger.Level.WARNING, message);

    static final int VERSION = 1;
    private static final byte[] MAGIC = "PRLYCACH".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + 4 + 8 + 4 + 4;
    private static final int TRAILER = 4;
    /** Files larger than this are not read: no response is that big. */
    static final long MAX_FILE_BYTES = 256L << 20;
    private static final String SUFFIX = ".entry";
    private static final Pattern KEY = Pattern.compile("[0-9A-Za-z_-]{1,128}");

    private final Path directory;
    private final Consumer<String> warnings;
    private final AtomicLong unreadable = new AtomicLong();

    DirectoryCacheStore(Path directory, Consumer<String> warnings) {
        this.directory = directory.toAbsolutePath();
        this.warnings = warnings;
        try {
            Files.createDirectories(this.directory);
        } catch (IOException | RuntimeException e) {
            throw LlmException.newBuilder(LlmException.Kind.CONFIGURATION)
                    .message("cache directory " + this.directory + " cannot be created: " + Failures.describe(e))
                    .cause(e)
                    .build();
        }
    }

    private Path file(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("key: expected 1 to 128 letters, digits, '_' or '-'");
        }
        return directory.resolve(key + SUFFIX);
    }

    @Override
    public Optional<CacheEntry> get(String key) {
        Path file = file(key);
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                return skip(file, "larger than " + MAX_FILE_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return skip(file, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        return decode(file, bytes);
    }

    private Optional<CacheEntry> decode(Path file, byte[] bytes) {
        if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return skip(file, "not a Parley cache file");
        }
        if (bytes.length < HEADER + TRAILER) {
            return skip(file, "truncated");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.position(MAGIC.length);
        int version = in.getInt();
        if (version != VERSION) {
            return skip(file, "format version " + version + ", expected " + VERSION);
        }
        long seconds = in.getLong();
        int nanos = in.getInt();
        int length = in.getInt();
        if (length < 0 || length != bytes.length - HEADER - TRAILER) {
            return skip(file, "truncated");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - TRAILER);
        if ((int) crc.getValue() != in.getInt(bytes.length - TRAILER)) {
            return skip(file, "checksum mismatch");
        }
        Instant writtenAt;
        try {
            writtenAt = Instant.ofEpochSecond(seconds, nanos);
        } catch (RuntimeException e) {
            return skip(file, "bad write time");
        }
        return Optional.of(new CacheEntry(Arrays.copyOfRange(bytes, HEADER, HEADER + length), writtenAt));
    }

    private Optional<CacheEntry> skip(Path file, String problem) {
        unreadable.incrementAndGet();
        warnings.accept("Parley cache: skipped cache file " + file + ": " + problem);
        return Optional.empty();
    }

    static byte[] encode(CacheEntry entry) {
        byte[] json = entry.json();
        ByteBuffer out = ByteBuffer.allocate(HEADER + json.length + TRAILER);
        out.put(MAGIC).putInt(VERSION)
                .putLong(entry.writtenAt().getEpochSecond()).putInt(entry.writtenAt().getNano())
                .putInt(json.length).put(json);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    @Override
    public void put(String key, CacheEntry entry) {
        Path target = file(key);
        Path temp = null;
        try {
            temp = Files.createTempFile(directory, key, ".tmp");
            Files.write(temp, encode(entry));
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (IOException e) {
            warnings.accept("Parley cache: could not write cache file " + target + " ("
                    + e.getClass().getSimpleName() + ")");
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // Best effort; a stray temporary file is removed by clear().
                }
            }
        }
    }

    @Override
    public void remove(String key) {
        try {
            Files.deleteIfExists(file(key));
        } catch (IOException e) {
            warnings.accept("Parley cache: could not delete cache file " + file(key) + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    @Override
    public void clear() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*{" + SUFFIX + ",.tmp}")) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            warnings.accept("Parley cache: could not clear cache directory " + directory + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    @Override
    public long size() {
        long n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path ignored : files) {
                n++;
            }
        } catch (IOException e) {
            warnings.accept("Parley cache: could not list cache directory " + directory + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        return n;
    }

    @Override
    public long unreadableCount() {
        return unreadable.get();
    }

    @Override
    public String toString() {
        return "CacheStore.directory(" + directory + ")";
    }
}
