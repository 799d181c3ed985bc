import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A step of {@code mvn -Pimage package}, run after jlink with the toolchain's {@code java}: when
 * the image's JDK is 25 or newer, trains an AOT cache (JEP 483, 514, 515) on one run of the image,
 * stores it as {@code lib/parley.aot}, and rewrites jlink's {@code bin/parley} so that it uses the
 * cache when the file is there. On JDK 21-24 the image stays as jlink made it.
 *
 * <p>{@code java src/build/ImageAotCache.java IMAGE [--aot=false] [TRAINING ARGS...]}: the training run
 * is {@code parley demo} unless other arguments are given (it needs no network: the demo talks to
 * a fake provider in the same process, over real HTTP, through the same adapters and policies as
 * {@code parley chat}). {@code --aot=false} (from {@code mvn -Pimage -Dparley.image.aot=false package})
 * leaves the image alone.
 */
public class ImageAotCache {

    static final String CACHE = "parley.aot";

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: java ImageAotCache.java IMAGE [--aot=false] [TRAINING ARGS...]");
            System.exit(2);
        }
        Path image = Path.of(args[0]).toAbsolutePath();
        List<String> training = new ArrayList<>(List.of(args).subList(1, args.length));
        training.remove("--aot=true");
        if (training.remove("--aot=false")) {
            System.out.println("[parley] AOT cache: skipped (parley.image.aot=false)");
            return;
        }
        if (training.isEmpty()) {
            training.add("demo");
        }
        Path launcher = image.resolve("bin/parley");
        if (!Files.isRegularFile(launcher)) {
            // jlink writes bin/parley.bat on Windows: this step only knows the POSIX launcher.
            System.out.println("[parley] AOT cache: skipped (no POSIX launcher bin/parley in " + image + ")");
            return;
        }
        int feature = feature(image);
        if (feature < 25) {
            System.out.println("[parley] AOT cache: skipped (the image's JDK is " + feature
                    + "; an AOT cache needs JDK 25 or newer)");
            return;
        }
        Path cache = image.resolve("lib").resolve(CACHE);
        Files.deleteIfExists(cache);
        List<String> command = new ArrayList<>(List.of(image.resolve("bin/java").toString(),
                "-XX:AOTCacheOutput=" + cache, "-m", mainClass(launcher)));
        command.addAll(training);
        Path log = image.getParent().resolve("image-aot-training.log");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("the training run did not finish in 10 minutes; see " + log);
        }
        if (p.exitValue() != 0 || !Files.isRegularFile(cache)) {
            fail("the training run " + command + " failed (exit " + p.exitValue() + "); see " + log);
        }
        writeLauncher(launcher, mainClass(launcher));
        System.out.printf("[parley] AOT cache: lib/%s, %.1f MB, trained on `parley %s` in %.1f s; bin/parley uses it%n",
                CACHE, Files.size(cache) / 1e6, String.join(" ", training), (System.nanoTime() - start) / 1e9);
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
     * Replaces jlink's launcher (which runs {@code $DIR/java $JLINK_VM_OPTIONS -m MODULE/CLASS "$@"})
     * with one that adds {@code -XX:AOTCache} when the cache file exists. The JVM's AOT messages
     * (a cache it cannot use, say under {@code -Xmx40g} or ZGC, whose compressed-oops setting
     * differs from the training run's) go to standard error, never into the command's output.
     */
    static void writeLauncher(Path launcher, String mainClass) throws IOException {
        String script = """
                #!/bin/sh
                # jlink's launcher, plus the AOT cache lib/%1$s (JDK 25+, trained on one run when the
                # image was built: src/build/ImageAotCache.java) when that file is there; delete it to
                # start without. The JVM's AOT messages go to standard error, never into the output.
                JLINK_VM_OPTIONS=
                DIR=`dirname "$0"`
                AOT="$DIR/../lib/%1$s"
                if [ -f "$AOT" ]; then
                  exec "$DIR/java" $JLINK_VM_OPTIONS "-XX:AOTCache=$AOT" '-Xlog:aot*=off' '-Xlog:aot*=warning:stderr' -m %2$s "$@"
                fi
                exec "$DIR/java" $JLINK_VM_OPTIONS -m %2$s "$@"
                """.formatted(CACHE, mainClass);
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

    static void fail(String message) {
        System.err.println("[parley] AOT cache: " + message);
        System.exit(1);
    }
}
