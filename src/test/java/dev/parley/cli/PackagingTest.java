package dev.parley.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs Parley the ways users do, in fresh JVMs: a single-file script on the module path, a
 * jlink image's bin/parley, and the launcher target/parley that the build writes. The compiled
 * module (target/classes, an exploded module with its module-info.class) stands in for the jar,
 * which Maven builds after the tests.
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

    /** Runs {@code command} with exactly the environment {@code env}; {@return its output}. */
    private static String runWithEnvironment(List<String> command, Map<String, String> env, int expectedExit)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        return run(pb, expectedExit);
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
                "--add-modules", "dev.parley,jdk.httpserver", "--add-options=--add-modules=jdk.httpserver",
                "--launcher", "parley=dev.parley/dev.parley.cli.Main",
                "--output", image.toString(), "--strip-debug", "--no-header-files", "--no-man-pages"), 0);
        Path parley = image.resolve("bin/parley");
        assertTrue(Files.isExecutable(parley));
        assertTrue(run(List.of(parley.toString(), "--version"), 0).startsWith("parley "));
        String demo = run(List.of(parley.toString(), "demo"), 0);
        assertTrue(demo.contains("6. Cost summary"), demo);
        String modules = run(List.of(image.resolve("bin/java").toString(), "--list-modules"), 0);
        assertTrue(modules.contains("dev.parley"), modules);
        assertTrue(!modules.contains("java.sql") && !modules.contains("java.desktop"), modules);

        // JDK 25+: `mvn -Pimage package` runs src/build/FinishImage.java, which strips the native
        // libraries (when objcopy is on the PATH), trains an AOT cache into lib/parley.aot and
        // rewrites the launchers to use it. Trained here on `--version`, the quickest run.
        if (Runtime.version().feature() >= 25) {
            String classLoad = "-Xlog:class+load";
            assertTrue(runWithJvmOptions(List.of(parley.toString(), "--version"), classLoad)
                    .contains("dev.parley.cli.Main source: jrt:/dev.parley"), "without a cache, classes come from the image");
            // A Windows launcher as jlink writes it there, to see that it gets the cache too.
            Path bat = image.resolve("bin/parley.bat");
            Files.writeString(bat, "@echo off\r\nset JLINK_VM_OPTIONS=\r\nset DIR=%~dp0\r\n"
                    + "\"%DIR%\\java\" %JLINK_VM_OPTIONS% -m dev.parley/dev.parley.cli.Main %*\r\n");
            Path libjvm = image.resolve("lib/server/libjvm.so");
            long unstripped = Files.size(libjvm);
            String finished = run(List.of(JAVA_HOME.resolve("bin/java").toString(), "src/build/FinishImage.java",
                    image.toString(), "--version"), 0);
            assertEquals("", finished, "quiet on success, so that mvn -q stays quiet");
            String log = Files.readString(dir.resolve("image.log"));
            assertTrue(log.contains("[parley] AOT cache: lib/parley.aot"), log);
            Path cache = image.resolve("lib/parley.aot");
            assertTrue(Files.size(cache) > 0);
            assertTrue(Files.notExists(image.resolve("lib/server/classes.jsa")), "no default CDS archive beside the cache");
            if (isOnPath("objcopy")) {
                assertTrue(Files.size(libjvm) < unstripped, log);
            }
            assertTrue(runWithJvmOptions(List.of(parley.toString(), "--version"), classLoad)
                    .contains("dev.parley.cli.Main source: shared objects file"), "bin/parley maps the AOT cache");
            String windows = Files.readString(bat);
            assertTrue(windows.contains("\"-XX:AOTCache=%AOT%\"") && windows.contains(" -m dev.parley/dev.parley.cli.Main %*\r\n")
                    && !windows.replace("\r\n", "").contains("\n"), windows);
            // A cache the JVM cannot use (compressed oops off, as under -Xmx40g or ZGC): its warnings go
            // to standard error, and the output stays the command's own.
            String out = runWithJvmOptions(List.of(parley.toString(), "--version"), "-XX:-UseCompressedOops");
            assertTrue(out.startsWith("parley ") && !out.contains("aot"), out);
            // Without the file, the launcher starts as jlink's did.
            Files.delete(cache);
            assertTrue(runWithJvmOptions(List.of(parley.toString(), "--version"), classLoad)
                    .contains("dev.parley.cli.Main source: jrt:/dev.parley"));
        }
        // Without an AOT cache (-Dparley.image.aot=false, or JDK 21-24): the JDK's default CDS archive.
        assertEquals("", run(List.of(JAVA_HOME.resolve("bin/java").toString(), "src/build/FinishImage.java",
                image.toString(), "--aot=false"), 0));
        assertTrue(Files.isRegularFile(image.resolve("lib/server/classes.jsa")), Files.readString(dir.resolve("image.log")));
        assertTrue(Files.notExists(image.resolve("lib/parley.aot")));
        assertTrue(runWithJvmOptions(List.of(parley.toString(), "--version"), "-Xlog:class+load")
                .contains("java.lang.Object source: shared objects file"), "the JDK's classes come from the CDS archive");
    }

    private static boolean isOnPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, tool)));
    }

    /**
     * What the build does with src/build/Launchers.java (run by the JDK it found): a launcher
     * {@code parley} beside {@code parley.jar} that runs it with that JDK, whatever JAVA_HOME and
     * PATH say; when that JDK is gone, JAVA_HOME's java if it is 21+, else a clear message.
     */
    @Test
    @DisabledOnOs(OS.WINDOWS)
    void launcher_runsTheJarWithTheJdkTheBuildFound(@TempDir Path dir) throws Exception {
        String says = run(List.of(JAVA_HOME.resolve("bin/java").toString(), "src/build/Launchers.java",
                dir.toString(), "Building", "things"), 0);
        assertTrue(says.startsWith("[parley] JDK " + System.getProperty("java.version") + " "), says);
        assertTrue(says.contains(" at " + JAVA_HOME.toAbsolutePath() + "\n[parley] Building things\n"), says);
        Path parley = dir.resolve("parley");
        assertTrue(Files.isExecutable(parley));
        assertTrue(Files.readString(dir.resolve("parley.cmd")).contains("set \"PARLEY_JDK=" + JAVA_HOME.toAbsolutePath() + "\"\r\n"));

        // A PATH with no java, and no JAVA_HOME: the JDK baked into the launcher runs it.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("dirname", "sed")) {
            Path real = Path.of("/usr/bin", tool);
            Files.createSymbolicLink(bin.resolve(tool), Files.exists(real) ? real : Path.of("/bin", tool));
        }
        Map<String, String> bare = Map.of("PATH", bin.toString());
        String missing = runWithEnvironment(List.of(parley.toString(), "--version"), bare, 1);
        assertTrue(missing.contains("parley.jar is missing: build it with mvn -q -Pdemo package"), missing);
        run(List.of(JAVA_HOME.resolve("bin/jar").toString(), "--create", "--file", dir.resolve("parley.jar").toString(),
                "--main-class", "dev.parley.cli.Main", "-C", MODULE.toString(), "."), 0);
        assertTrue(runWithEnvironment(List.of(parley.toString(), "--version"), bare, 0).startsWith("parley "));

        // That JDK gone: JAVA_HOME's java, if it is 21 or newer.
        Files.writeString(parley, Files.readString(parley).replaceFirst("(?m)^jdk=.*$", "jdk=/no/such/jdk"));
        assertTrue(runWithEnvironment(List.of(parley.toString(), "--version"),
                Map.of("PATH", bin.toString(), "JAVA_HOME", JAVA_HOME.toString()), 0).startsWith("parley "));

        // Only a Java 17 left: a message that says what to do, not an UnsupportedClassVersionError.
        Path old = Files.createDirectories(dir.resolve("jdk17/bin"));
        Files.writeString(old.resolve("java"), "#!/bin/sh\necho 'openjdk version \"17.0.2\" 2022-01-18' >&2\n");
        Files.setPosixFilePermissions(old.resolve("java"), PosixFilePermissions.fromString("rwxr-xr-x"));
        String refused = runWithEnvironment(List.of(parley.toString(), "--version"),
                Map.of("PATH", bin.toString(), "JAVA_HOME", old.getParent().toString()), 1);
        assertTrue(refused.startsWith("parley: needs Java 21 or newer."), refused);
        assertTrue(refused.contains(old.resolve("java") + ": Java 17"), refused);
        assertTrue(refused.contains("java: not found"), refused);
    }

    /**
     * The javadoc plugin runs in legacy mode (see pom.xml), so the pom lists the packages the
     * module does not export: that list must stay the module's, or the published javadoc would
     * show internals or miss an exported package.
     */
    @Test
    void javadocExcludes_areExactlyThePackagesTheModuleDoesNotExport() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher m = Pattern.compile("<excludePackageNames>([^<]*)</excludePackageNames>").matcher(pom);
        assertTrue(m.find(), "pom.xml names the packages javadoc leaves out");
        List<Pattern> excluded = Stream.of(m.group(1).split(":"))
                .map(p -> Pattern.compile(Pattern.quote(p).replace("*", "\\E.*\\Q"))).toList();
        Set<String> exported = Pattern.compile("(?m)^\\s*exports\\s+([\\w.]+);")
                .matcher(Files.readString(Path.of("src/main/java/module-info.java")))
                .results().map(r -> r.group(1)).collect(Collectors.toSet());
        Path root = Path.of("src/main/java");
        Set<String> packages;
        try (Stream<Path> files = Files.walk(root)) {
            packages = files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("module-info.java"))
                    .map(f -> root.relativize(f.getParent()).toString().replace(java.io.File.separatorChar, '.'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        for (String pkg : packages) {
            boolean isExcluded = excluded.stream().anyMatch(p -> p.matcher(pkg).matches());
            assertEquals(!exported.contains(pkg), isExcluded, pkg + (isExcluded
                    ? " is exported but left out of the javadoc" : " is not exported but not in the pom's excludePackageNames"));
        }
    }
}
