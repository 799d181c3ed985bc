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
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
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
    }
}
