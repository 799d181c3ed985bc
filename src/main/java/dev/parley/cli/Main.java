package dev.parley.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.parley.LlmException;
import dev.parley.internal.Failures;
import dev.parley.internal.LocalServer;
import dev.parley.internal.Scrub;

/**
 * The {@code parley} command: {@code chat}, {@code embed}, {@code models}, {@code serve},
 * {@code keys}, {@code demo}. Run {@code parley --help}.
 */
public final class Main {

    private Main() {
    }

    /** Runs the command and exits with its exit code. @param args the command line */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        Map<String, String> env = new HashMap<>(System.getenv());
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.equals(name.toUpperCase(Locale.ROOT)) && name.indexOf('.') < 0) {
                env.put(name, System.getProperty(name));
            }
        }
        int code = run(Arrays.asList(args), System.in, out, err, env);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs a command line; the testable entry point.
     *
     * @return the exit code
     */
    static int run(List<String> args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        boolean verbose = args.contains("--verbose") || args.contains("-v");
        try {
            if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
                out.print(Help.MAIN);
                return args.isEmpty() ? ExitCode.USAGE.code : ExitCode.OK.code;
            }
            if (args.get(0).equals("--version") || args.get(0).equals("version")) {
                out.println("parley " + version() + " (Java " + Runtime.version() + ")");
                return ExitCode.OK.code;
            }
            String command = args.get(0);
            List<String> rest = args.subList(1, args.size());
            if (command.equals("help")) {
                if (rest.isEmpty()) {
                    out.print(Help.MAIN);
                    return ExitCode.OK.code;
                }
                out.print(Help.of(rest.get(0)));
                return ExitCode.OK.code;
            }
            if (rest.contains("--help") || rest.contains("-h")) {
                out.print(Help.of(command));
                return ExitCode.OK.code;
            }
            if (command.equals("chat") || command.equals("embed") || command.equals("models")) {
                TlsWarmup.start();
            }
            Commands commands = new Commands(in, out, err, env);
            return switch (command) {
                case "chat" -> commands.chat(rest);
                case "embed" -> commands.embed(rest);
                case "models" -> commands.models(rest);
                case "serve" -> new ServeCommand(out, env).run(rest);
                case "keys" -> ServeCommand.keys(rest, in, out);
                case "demo" -> {
                    if (!LocalServer.available()) {
                        // Checked before DemoCommand loads the fake server, which runs on that module.
                        err.println("parley: " + LocalServer.missing("parley demo"));
                        yield ExitCode.CONFIGURATION.code;
                    }
                    yield new DemoCommand(out).run(rest);
                }
                default -> throw new UsageException("unknown command \"" + command + "\"; run parley --help");
            };
        } catch (UsageException e) {
            err.println("parley: " + Scrub.controls(e.getMessage()));
            return ExitCode.USAGE.code;
        } catch (LlmException e) {
            // Messages may quote a provider or the network: no control character reaches the terminal.
            err.println("parley: " + Scrub.controls(e.getMessage()));
            if (verbose) {
                Scrub.controls(e).printStackTrace(err);
            }
            return ExitCode.of(e).code;
        } catch (RuntimeException e) {
            err.println("parley: unexpected failure (a bug in Parley; --verbose shows where): "
                    + Scrub.controls(Failures.describe(e)));
            if (verbose) {
                Scrub.controls(e).printStackTrace(err);
            }
            return ExitCode.FAILURE.code;
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        if (v == null) {
            v = Main.class.getModule().getDescriptor() != null
                    ? Main.class.getModule().getDescriptor().rawVersion().orElse("dev") : "dev";
        }
        return v;
    }
}
