package dev.parley.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed command line: options ({@code --name value}, {@code --name=value} or flags) and
 * the remaining words. {@code --} ends the options.
 */
final class Args {

    final Map<String, String> options = new HashMap<>();
    final List<String> words = new ArrayList<>();

    /**
     * Parses {@code args}.
     *
     * @param valued options that take a value
     * @param flags  options that take none
     * @throws UsageException for an unknown option or a missing value
     */
    static Args parse(List<String> args, Set<String> valued, Set<String> flags) {
        Args a = new Args();
        boolean onlyWords = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (onlyWords || !arg.startsWith("--") || arg.equals("-")) {
                if (!onlyWords && arg.startsWith("-") && !arg.equals("-") && !arg.equals("-v") && !arg.equals("-h")) {
                    throw new UsageException("unknown option " + arg);
                }
                if (arg.equals("-v")) {
                    a.options.put("verbose", "true");
                } else if (arg.equals("-h")) {
                    a.options.put("help", "true");
                } else {
                    a.words.add(arg);
                }
                continue;
            }
            if (arg.equals("--")) {
                onlyWords = true;
                continue;
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                a.options.put(name, value);
            } else if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException("--" + name + " takes no value");
                }
                a.options.put(name, "true");
            } else {
                throw new UsageException("unknown option --" + name);
            }
        }
        return a;
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    String option(String name) {
        return options.get(name);
    }

    double decimal(String name, double min, double max) {
        String v = options.get(name);
        try {
            double d = Double.parseDouble(v);
            if (d >= min && d <= max) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException("--" + name + " must be a number from " + min + " to " + max + ", got " + v);
    }

    int integer(String name, int min, int max) {
        String v = options.get(name);
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException("--" + name + " must be a whole number from " + min + " to " + max + ", got " + v);
    }
}
