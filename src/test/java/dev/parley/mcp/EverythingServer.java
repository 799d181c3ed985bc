package dev.parley.mcp;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reference MCP server, {@code @modelcontextprotocol/server-everything} from npm, installed
 * once into {@code target/mcp-everything} at a pinned version and reused by later runs. Without
 * Node.js, npm or the registry the tests that need it are skipped, and say why.
 */
final class EverythingServer {

    static final String PACKAGE = "@modelcontextprotocol/server-everything";
    static final String VERSION = "2026.8.31";
    private static final Path DIR = Path.of("target", "mcp-everything").toAbsolutePath();
    private static final Path MAIN = DIR.resolve("node_modules/" + PACKAGE + "/dist/index.js");

    private EverythingServer() {
    }

    /** {@return the path of the server's entry point, installing it first if needed} */
    static synchronized Path install() throws IOException, InterruptedException {
        assumeTrue(runs("node", "--version"), "Node.js is not installed: the tests against the reference MCP server are skipped");
        Path pkg = DIR.resolve("node_modules/" + PACKAGE + "/package.json");
        if (!Files.isRegularFile(pkg) || !Files.readString(pkg).contains("\"version\": \"" + VERSION + "\"")) {
            assumeTrue(runs("npm", "--version"), "npm is not installed: the tests against the reference MCP server are skipped");
            Files.createDirectories(DIR);
            String[] out = new String[1];
            int code = run(out, 300, "npm", "install", "--no-audit", "--no-fund", "--prefix", DIR.toString(), PACKAGE + "@" + VERSION);
            assumeTrue(code == 0, () -> "npm could not install " + PACKAGE + "@" + VERSION + ", skipped:\n" + out[0]);
        }
        return MAIN;
    }

    /** {@return the command that runs the server in {@code mode}: stdio or streamableHttp} */
    static List<String> command(String mode) throws IOException, InterruptedException {
        return List.of("node", install().toString(), mode);
    }

    private static boolean runs(String... command) {
        try {
            return run(new String[1], 30, command) == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int run(String[] output, int seconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                output[0] = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                output[0] = "";
            }
        });
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join();
        return p.isAlive() ? -1 : p.exitValue();
    }
}
