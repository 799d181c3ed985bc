import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.spi.ToolProvider;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A step of {@code mvn package}, run after the jar plugin with the {@code java} of the JDK the
 * toolchain plugin found (never a {@code jar} or {@code java} from {@code PATH}):
 * <ol>
 * <li>writes the module's main class into {@code module-info.class} with this JDK's own jar tool
 *     (run in this process), so that {@code java -p parley.jar -m dev.parley} works;</li>
 * <li>makes the manifest true: {@code Build-Jdk-Spec} and {@code Build-Jdk} name this JDK (the
 *     jar plugin wrote the JDK that runs Maven, which did not compile the classes), and
 *     {@code Built-By} (the user name of whoever built it) goes;</li>
 * <li>rewrites the jar reproducibly: entries in a fixed order (the manifest first, then by
 *     name), every entry dated {@code TIMESTAMP} (the pom's
 *     {@code project.build.outputTimestamp}) in UTC, no extra fields, and pom.properties
 *     sorted; the same bytes whichever JDK runs Maven, in whatever time zone.</li>
 * </ol>
 *
 * <p>{@code java src/build/FinishJar.java JAR MAIN_CLASS TIMESTAMP}
 */
public class FinishJar {

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java FinishJar.java JAR MAIN_CLASS TIMESTAMP");
            System.exit(2);
        }
        Path jar = Path.of(args[0]).toAbsolutePath();
        String mainClass = args[1];
        LocalDateTime time = LocalDateTime.ofInstant(Instant.parse(args[2]), ZoneOffset.UTC);

        ToolProvider jarTool = ToolProvider.findFirst("jar")
                .orElseThrow(() -> new IllegalStateException("this JDK has no jar tool: " + System.getProperty("java.home")));
        int exit = jarTool.run(System.out, System.err, "--update", "--file", jar.toString(), "--main-class", mainClass);
        if (exit != 0) {
            System.err.println("[parley] the jar tool of " + System.getProperty("java.home") + " failed (exit " + exit + ") on " + jar);
            System.exit(1);
        }
        rewrite(jar, time);
    }

    /** Rewrites {@code jar} with a true manifest, every entry dated {@code time}, in a fixed order. */
    static void rewrite(Path jar, LocalDateTime time) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        try (ZipFile in = new ZipFile(jar.toFile())) {
            for (ZipEntry e : in.stream().toList()) {
                try (InputStream data = in.getInputStream(e)) {
                    entries.put(e.getName(), data.readAllBytes());
                }
                names.add(e.getName());
            }
        }
        byte[] manifest = entries.get(JarFile.MANIFEST_NAME);
        if (manifest == null) {
            throw new IllegalStateException(jar + " has no " + JarFile.MANIFEST_NAME);
        }
        entries.put(JarFile.MANIFEST_NAME, trueManifest(manifest));
        entries.replaceAll((name, bytes) -> name.endsWith("/pom.properties") ? sortedLines(bytes) : bytes);
        names.sort(Comparator.comparing(FinishJar::rank).thenComparing(Comparator.naturalOrder()));

        Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
        try (OutputStream file = Files.newOutputStream(tmp); ZipOutputStream out = new ZipOutputStream(file)) {
            for (String name : names) {
                ZipEntry e = new ZipEntry(name);
                e.setTimeLocal(time);
                out.putNextEntry(e);
                out.write(entries.get(name));
                out.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The jar tool and {@code JarInputStream} expect {@code META-INF/} and the manifest first. */
    static int rank(String name) {
        return name.equals("META-INF/") ? 0 : name.equals(JarFile.MANIFEST_NAME) ? 1 : 2;
    }

    /**
     * The jar plugin writes pom.properties in the iteration order of a {@code Properties} in the
     * JVM that runs Maven, which differs between JDKs: its comment first, then its lines sorted.
     */
    static byte[] sortedLines(byte[] bytes) {
        List<String> lines = new ArrayList<>(new String(bytes, StandardCharsets.ISO_8859_1).lines().toList());
        lines.sort(Comparator.comparing((String line) -> !line.startsWith("#")).thenComparing(Comparator.naturalOrder()));
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] trueManifest(byte[] bytes) throws IOException {
        Manifest manifest = new Manifest(new ByteArrayInputStream(bytes));
        Attributes main = manifest.getMainAttributes();
        main.remove(new Attributes.Name("Built-By"));
        main.put(new Attributes.Name("Build-Jdk-Spec"), Integer.toString(Runtime.version().feature()));
        main.put(new Attributes.Name("Build-Jdk"), System.getProperty("java.version") + " ("
                + System.getProperty("java.vendor") + ")");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        manifest.write(out);
        return out.toByteArray();
    }
}
