import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The step of {@code mvn -Pimage package} after jlink, run with the toolchain's {@code java}:
 * makes the jlink image lean and quick to start.
 *
 * <ol>
 * <li>Drops the symbol tables of the image's native libraries ({@code libjvm.so} carries about
 * 5 MB of them) with {@code objcopy --strip-unneeded}, when {@code objcopy} is on the PATH (the
 * JDK does not ship it; without it this step is skipped). The libraries keep the symbols they
 * export; a JVM crash report then names fewer functions inside the JVM.
 * <li>When the image's JDK is 25 or newer, trains an AOT cache (JEP 483, 514, 515) on one run of
 * the image and stores it as {@code lib/parley.aot}: the cache is a whole class-data archive
 * of its own, so the image needs no default CDS archive beside it (jlink links the image
 * without {@code --generate-cds-archive}). On JDK 21-24, or with {@code --aot=false}, the
 * image gets the JDK's default CDS archive instead ({@code java -Xshare:dump}), which is what
 * {@code --generate-cds-archive} would have made.
 * <li>Rewrites jlink's launcher ({@code bin/parley}, or {@code bin/parley.bat} on Windows) so
 * that it uses the cache when the file is there.
 * </ol>
 *
 * <p>{@code java src/build/FinishImage.java IMAGE [--aot=false] [TRAINING ARGS...]}: the training
 * run is {@code parley demo} unless other arguments are given (it needs no network: the demo
 * talks to a fake provider in the same process, over real HTTP, through the same adapters and
 * policies as {@code parley chat}).
 *
 * <p>It prints nothing when it succeeds, so that {@code mvn -q -Pimage package} stays quiet (a
 * program run by Maven cannot know about {@code -q}): what it did, and the output of the tools it
 * ran, go to {@code IMAGE.log} beside the image ({@code target/image.log}). On failure it prints
 * the reason and the end of that log, and exits with 1.
 */
public class FinishImage {

    static final String CACHE = "parley.aot";

    /** What this run did, and the tools' output: {@code IMAGE.log}. */
    static Path log;

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: java FinishImage.java IMAGE [--aot=false] [TRAINING ARGS...]");
            System.exit(2);
        }
        Path image = Path.of(args[0]).toAbsolutePath();
        log = image.resolveSibling(image.getFileName() + ".log");
        Files.writeString(log, "");
        List<String> training = new ArrayList<>(List.of(args).subList(1, args.length));
        training.remove("--aot=true");
        boolean aot = !training.remove("--aot=false");
        if (training.isEmpty()) {
            training.add("demo");
        }
        Path unix = image.resolve("bin/parley");
        Path windows = image.resolve("bin/parley.bat");
        Path jlinkLauncher = Files.isRegularFile(unix) ? unix : windows;
        if (!Files.isRegularFile(jlinkLauncher)) {
            fail("jlink wrote no launcher bin/parley or bin/parley.bat in " + image);
        }
        String mainClass = mainClass(jlinkLauncher);

        strip(image);

        int feature = feature(image);
        if (!aot || feature < 25) {
            note("AOT cache: none (" + (aot ? "the image's JDK is " + feature + "; an AOT cache needs JDK 25 or newer"
                    : "parley.image.aot=false") + "); the image gets the JDK's default CDS archive instead");
            run(List.of(java(image).toString(), "-Xshare:dump"), "making the default CDS archive");
            return;
        }
        Path cache = image.resolve("lib").resolve(CACHE);
        Files.deleteIfExists(cache);
        long start = System.nanoTime();
        List<String> command = new ArrayList<>(List.of(java(image).toString(), "-XX:AOTCacheOutput=" + cache, "-m", mainClass));
        command.addAll(training);
        run(command, "the training run");
        if (!Files.isRegularFile(cache)) {
            fail("the training run " + command + " made no " + cache);
        }
        if (Files.isRegularFile(unix)) {
            writeExecutable(unix, unixLauncher(mainClass));
        }
        if (Files.isRegularFile(windows)) {
            writeExecutable(windows, windowsLauncher(mainClass));
        }
        note("AOT cache: lib/%s, %.1f MB, trained on `parley %s` in %.1f s; the launchers use it".formatted(
                CACHE, Files.size(cache) / 1e6, String.join(" ", training), (System.nanoTime() - start) / 1e9));
    }

    /** The image's {@code bin/java} (or {@code bin/java.exe}). */
    static Path java(Path image) {
        Path exe = image.resolve("bin/java.exe");
        return Files.isRegularFile(exe) ? exe : image.resolve("bin/java");
    }

    /**
     * {@code objcopy --strip-unneeded} on every ELF library in {@code lib}, when {@code objcopy} is
     * on the PATH; each library is replaced only when objcopy succeeded on a copy of it.
     */
    static void strip(Path image) throws IOException, InterruptedException {
        Path objcopy = onPath("objcopy");
        if (objcopy == null) {
            note("native libraries: not stripped (no objcopy on the PATH; it comes with GNU binutils)");
            return;
        }
        List<Path> libraries;
        try (Stream<Path> files = Files.walk(image.resolve("lib"))) {
            libraries = files.filter(f -> f.toString().endsWith(".so") && isElf(f)).sorted().toList();
        }
        long before = 0;
        long after = 0;
        for (Path lib : libraries) {
            Path stripped = lib.resolveSibling(lib.getFileName() + ".stripped");
            before += Files.size(lib);
            if (run(List.of(objcopy.toString(), "--strip-unneeded", lib.toString(), stripped.toString()), null) == 0) {
                Files.move(stripped, lib, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.deleteIfExists(stripped);
                note("native libraries: " + lib + " left as it was");
            }
            after += Files.size(lib);
        }
        note("native libraries: %d stripped with %s, %.1f MB -> %.1f MB".formatted(
                libraries.size(), objcopy, before / 1e6, after / 1e6));
    }

    static boolean isElf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(4), new byte[] {0x7f, 'E', 'L', 'F'});
        } catch (IOException e) {
            return false;
        }
    }

    static Path onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = dir.isEmpty() ? null : Path.of(dir, tool);
            if (candidate != null && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Runs {@code command} with its output appended to the log; {@return its exit code}. With a
     * {@code what}, a failure (or a run longer than 10 minutes) fails the build.
     */
    static int run(List<String> command, String what) throws IOException, InterruptedException {
        note("$ " + String.join(" ", command));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            note("could not start " + command.get(0) + ": " + e.getMessage());
            if (what != null) {
                fail(what + " could not start: " + e.getMessage());
            }
            return -1;
        }
        p.getOutputStream().close();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            if (what != null) {
                fail(what + " did not finish in 10 minutes");
            }
            return -1;
        }
        if (what != null && p.exitValue() != 0) {
            fail(what + " failed (exit " + p.exitValue() + ")");
        }
        return p.exitValue();
    }

    static void note(String line) throws IOException {
        Files.writeString(log, "[parley] " + line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** The feature version of the image's JDK, from its {@code release} file. */
    static int feature(Path image) throws IOException {
        Properties release = new Properties();
        try (var in = Files.newInputStream(image.resolve("release"))) {
            release.load(in);
        }
        String v = release.getProperty("JAVA_VERSION", "\"0\"").replace("\"", "");
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(v.substring(0, end));
    }

    /** The {@code module/class} jlink's launcher starts (its {@code -m} argument). */
    static String mainClass(Path launcher) throws IOException {
        String script = Files.readString(launcher, StandardCharsets.UTF_8);
        int m = script.indexOf(" -m ");
        if (m < 0) {
            m = script.indexOf(" --module ");
        }
        if (m < 0) {
            fail("cannot find the main module in " + launcher);
        }
        String rest = script.substring(script.indexOf(' ', m + 1) + 1).strip();
        return rest.substring(0, rest.indexOf(' '));
    }

    /**
     * jlink's POSIX launcher (which runs {@code $DIR/java $JLINK_VM_OPTIONS -m MODULE/CLASS "$@"}),
     * plus {@code -XX:AOTCache} when the cache file exists. The JVM's AOT messages (a cache it
     * cannot use, say under {@code -Xmx40g} or ZGC, whose compressed-oops setting differs from the
     * training run's) go to standard error, never into the command's output.
     */
    static String unixLauncher(String mainClass) {
        return """
                #!/bin/sh
                # jlink's launcher, plus the AOT cache lib/%1$s (JDK 25+, trained on one run when the
                # image was built: src/build/FinishImage.java) when that file is there; delete it to
                # start without. The JVM's AOT messages go to standard error, never into the output.
                JLINK_VM_OPTIONS=
                DIR=`dirname "$0"`
                AOT="$DIR/../lib/%1$s"
                if [ -f "$AOT" ]; then
                  exec "$DIR/java" $JLINK_VM_OPTIONS "-XX:AOTCache=$AOT" '-Xlog:aot*=off' '-Xlog:aot*=warning:stderr' -m %2$s "$@"
                fi
                exec "$DIR/java" $JLINK_VM_OPTIONS -m %2$s "$@"
                """.formatted(CACHE, mainClass);
    }

    /**
     * The same for jlink's Windows launcher. No parenthesised blocks: {@code %DIR%} is expanded
     * when a block is read, and a path such as {@code C:\Program Files (x86)\} would end it. The
     * {@code -Xlog} options are quoted so that the Windows java launcher does not expand their
     * {@code *} as a file name pattern. (Written by this step's tests on Linux; not yet run on Windows.)
     */
    static String windowsLauncher(String mainClass) {
        return """
                @echo off
                rem jlink's launcher, plus the AOT cache lib\\%1$s (JDK 25+, trained on one run when the
                rem image was built: src/build/FinishImage.java) when that file is there; delete it to
                rem start without. The JVM's AOT messages go to standard error, never into the output.
                set JLINK_VM_OPTIONS=
                set "DIR=%%~dp0"
                set "AOT=%%DIR%%..\\lib\\%1$s"
                if not exist "%%AOT%%" goto plain
                "%%DIR%%java" %%JLINK_VM_OPTIONS%% "-XX:AOTCache=%%AOT%%" "-Xlog:aot*=off" "-Xlog:aot*=warning:stderr" -m %2$s %%*
                exit /b %%ERRORLEVEL%%
                :plain
                "%%DIR%%java" %%JLINK_VM_OPTIONS%% -m %2$s %%*
                """.formatted(CACHE, mainClass).replace("\n", "\r\n");
    }

    static void writeExecutable(Path launcher, String script) throws IOException {
        Files.writeString(launcher, script, StandardCharsets.UTF_8);
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(launcher);
            perms.addAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE));
            Files.setPosixFilePermissions(launcher, perms);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the launcher kept the permissions jlink gave it.
        }
    }

    /** Prints why the build fails and the end of the log, and exits with 1. */
    static void fail(String message) {
        System.err.println("[parley] image: " + message);
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            System.err.println("[parley] the last lines of " + log + ":");
            lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(System.err::println);
        } catch (IOException | RuntimeException e) {
            // No log to show: the message above is all there is.
        }
        System.exit(1);
    }
}
