package dev.parley.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs Parley the ways users do, in fresh JVMs: a single-file script on the module path, and a
 * jlink image's bin/parley. The compiled module (target/classes, an exploded module with its
 * module-info.class) stands in for the jar, which Maven builds after the tests.
 */
class PackagingTest {

    private static final Path MODULE = Path.of("target", "classes");
    private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));

    private static String run(List<String> command, int expectedExit) throws IOException, InterruptedException {
        return run(new ProcessBuilder(command).redirectErrorStream(true), expectedExit);
    }

    /** Runs {@code command} with {@code JDK_JAVA_OPTIONS} set; {@return its standard output} (standard error is dropped). */
    private static String runWithJvmOptions(List<String> command, String jvmOptions) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("JDK_JAVA_OPTIONS", jvmOptions);
        return run(pb, 0);
    }

    private static String run(ProcessBuilder pb, int expectedExit) throws IOException, InterruptedException {
        List<String> command = pb.command();
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished in time: " + command);
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(expectedExit, p.exitValue(), text);
        return text;
    }

    @Test
    void singleFileScript_runsWithTheJavaLauncher() throws Exception {
        String out = run(List.of(JAVA_HOME.resolve("bin/java").toString(), "-p", MODULE.toString(),
                "--add-modules", "dev.parley", "module-info-docs/Hello.java"), 0);
        assertEquals("Hello from Parley!\nHello from Parley!\n", out.replace("\r\n", "\n"));
    }

    @Test
    void moduleMain_runsTheCommand() throws Exception {
        String out = run(List.of(JAVA_HOME.resolve("bin/java").toString(), "-p", MODULE.toString(),
                "-m", "dev.parley/dev.parley.cli.Main", "--version"), 0);
        assertTrue(out.startsWith("parley "), out);
        run(List.of(JAVA_HOME.resolve("bin/java").toString(), "-p", MODULE.toString(),
                "-m", "dev.parley/dev.parley.cli.Main", "chat", "--bogus"), 2);
    }

    @Test
    void jlinkImage_runsVersionAndDemo_withoutASeparateJdk(@TempDir Path dir) throws Exception {
        // A separate process: jlink refuses to link from the run-time image of a JVM that runs
        // with --patch-module, as this test's JVM does.
        Path image = dir.resolve("image");
        run(List.of(JAVA_HOME.resolve("bin/jlink").toString(), "--module-path", MODULE.toString(),
                "--add-modules", "dev.parley", "--launcher", "parley=dev.parley/dev.parley.cli.Main",
                "--output", image.toString(), "--strip-debug", "--no-header-files", "--no-man-pages"), 0);
        Path parley = image.resolve("bin/parley");
        assertTrue(Files.isExecutable(parley));
        assertTrue(run(List.of(parley.toString(), "--version"), 0).startsWith("parley "));
        String demo = run(List.of(parley.toString(), "demo"), 0);
        assertTrue(demo.contains("6. Cost summary"), demo);
        String modules = run(List.of(image.resolve("bin/java").toString(), "--list-modules"), 0);
        assertTrue(modules.contains("dev.parley"), modules);
        assertTrue(!modules.contains("java.sql") && !modules.contains("java.desktop"), modules);

        // JDK 25+: `mvn -Pimage package` trains an AOT cache into lib/parley.aot and rewrites
        // bin/parley to use it. Trained here on `--version`, the quickest run, to keep the test short.
        if (Runtime.version().feature() >= 25) {
            String classLoad = "-Xlog:class+load";
            assertTrue(runWithJvmOptions(List.of(parley.toString(), "--version"), classLoad)
                    .contains("dev.parley.cli.Main source: jrt:/dev.parley"), "without a cache, classes come from the image");
            String trained = run(List.of(JAVA_HOME.resolve("bin/java").toString(), "src/build/ImageAotCache.java",
                    image.toString(), "--version"), 0);
            assertTrue(trained.contains("bin/parley uses it"), trained);
            Path cache = image.resolve("lib/parley.aot");
            assertTrue(Files.size(cache) > 0);
            assertTrue(runWithJvmOptions(List.of(parley.toString(), "--version"), classLoad)
                    .contains("dev.parley.cli.Main source: shared objects file"), "bin/parley maps the AOT cache");
            // A cache the JVM cannot use (compressed oops off, as under -Xmx40g or ZGC): its warnings go
            // to standard error, and the output stays the command's own.
            String out = runWithJvmOptions(List.of(parley.toString(), "--version"), "-XX:-UseCompressedOops");
            assertTrue(out.startsWith("parley ") && !out.contains("aot"), out);
            // Without the file, the launcher starts as jlink's did.
            Files.delete(cache);
            assertTrue(runWithJvmOptions(List.of(parley.toString(), "--version"), classLoad)
                    .contains("dev.parley.cli.Main source: jrt:/dev.parley"));
        }
    }
}
