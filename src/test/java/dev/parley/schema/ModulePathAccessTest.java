package dev.parley.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an application module must do for the binder to build its records: compiles a small
 * module {@code demo} against Parley's classes and runs it on the module path. A public record
 * in an exported package binds as is; a record in a package opened to {@code dev.parley} binds
 * even when not public; a record in a package neither exported nor opened fails with the
 * {@code opens} line to add, and its schema is still written (reading components needs no access).
 */
class ModulePathAccessTest {

    private static final Path PARLEY = Path.of("target", "classes");
    private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));

    private static void write(Path root, String file, String text) throws IOException {
        Path p = root.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished in time: " + command);
        String text = new String(out, StandardCharsets.UTF_8).replace("\r\n", "\n");
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    @Test
    void records_onTheModulePath_needExportsOrOpens(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src");
        write(src, "module-info.java", """
                module demo {
                    requires dev.parley;
                    exports demo.a;
                    opens demo.c to dev.parley;
                }""");
        write(src, "demo/a/Exported.java", "package demo.a; public record Exported(int x) {}");
        write(src, "demo/b/Hidden.java", "package demo.b; public record Hidden(int x) {}");
        write(src, "demo/c/Opened.java", "package demo.c; record Opened(int x) {}");
        write(src, "demo/a/Main.java", """
                package demo.a;
                import dev.parley.json.Json;
                import dev.parley.schema.JsonBinder;
                import dev.parley.schema.JsonSchema;
                public class Main {
                    public static void main(String[] args) throws Exception {
                        System.out.println(JsonBinder.bind(Json.parse("{\\"x\\":1}"), Exported.class));
                        System.out.println(JsonBinder.bind(Json.parse("{\\"x\\":2}"), Class.forName("demo.c.Opened")));
                        System.out.println(Json.write(JsonSchema.of(demo.b.Hidden.class)));
                        try {
                            JsonBinder.bind(Json.parse("{\\"x\\":3}"), demo.b.Hidden.class);
                            System.out.println("bound");
                        } catch (IllegalStateException e) {
                            System.out.println(e.getMessage());
                        }
                    }
                }""");
        Path classes = dir.resolve("classes");
        List<String> javac = new ArrayList<>(List.of(JAVA_HOME.resolve("bin/javac").toString(), "-p", PARLEY.toString(),
                "-d", classes.toString()));
        try (var files = Files.walk(src)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> javac.add(f.toString()));
        }
        run(javac);
        String out = run(List.of(JAVA_HOME.resolve("bin/java").toString(), "-p",
                PARLEY + java.io.File.pathSeparator + classes, "-m", "demo/demo.a.Main"));
        assertEquals("""
                Exported[x=1]
                Opened[x=2]
                {"type":"object","properties":{"x":{"type":"integer"}},"required":["x"],"additionalProperties":false}
                Parley may not call the constructor of the record demo.b.Hidden: make the record and its \
                constructor public in a package the module exports, or open the package to Parley \
                (opens demo.b to dev.parley;)
                """, out);
    }
}
