package dev.parley.gateway;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges several Prometheus text expositions that use the same metric names (one per route's
 * {@code LlmMetrics}) into one valid exposition: every sample gets a label naming its source
 * ({@code route="anthropic"}), and each metric family is written once, with its HELP and TYPE
 * lines, followed by the samples of every source. (Repeating a family's HELP/TYPE, or splitting
 * its samples, is invalid in the text format.)
 *
 * <p>Not thread-safe: build one per scrape.
 */
final class PrometheusText {

    private static final class Family {
        String help;
        String type;
        final List<String> samples = new ArrayList<>();
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    /**
     * Adds an exposition, labelling its samples.
     *
     * @param text  the exposition, as {@code LlmMetrics.toPrometheus()} writes it
     * @param label the label's name, such as {@code route}
     * @param value the label's value; escaped as the format requires
     */
    void add(String text, String label, String value) {
        String pair = label + "=\"" + escape(value) + "\"";
        Family current = null;
        String currentName = null;
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String rest = line.substring(7);
                int space = rest.indexOf(' ');
                String name = space < 0 ? rest : rest.substring(0, space);
                String info = space < 0 ? "" : rest.substring(space + 1);
                current = families.computeIfAbsent(name, n -> new Family());
                currentName = name;
                if (line.startsWith("# HELP ")) {
                    current.help = current.help == null ? info : current.help;
                } else {
                    current.type = current.type == null ? info : current.type;
                }
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            int nameEnd = brace >= 0 && brace < space ? brace : space;
            if (nameEnd <= 0) {
                continue;
            }
            String name = line.substring(0, nameEnd);
            Family family = current != null && name.startsWith(currentName) ? current
                    : families.computeIfAbsent(name, n -> new Family());
            String labelled = nameEnd == brace
                    ? name + "{" + pair + (line.charAt(brace + 1) == '}' ? "" : ",") + line.substring(brace + 1)
                    : name + "{" + pair + "}" + line.substring(nameEnd);
            family.samples.add(labelled);
        }
    }

    /** Appends one sample of a family (created on first use), for the gateway's own metrics. */
    void sample(String name, String type, String help, String sample) {
        Family f = families.computeIfAbsent(name, n -> new Family());
        f.type = f.type == null ? type : f.type;
        f.help = f.help == null ? help : f.help;
        if (sample != null) {
            f.samples.add(sample);
        }
    }

    /** {@return the merged exposition} */
    String text() {
        StringBuilder sb = new StringBuilder(4096);
        families.forEach((name, f) -> {
            if (f.help != null) {
                sb.append("# HELP ").append(name).append(' ').append(f.help).append('\n');
            }
            if (f.type != null) {
                sb.append("# TYPE ").append(name).append(' ').append(f.type).append('\n');
            }
            f.samples.forEach(s -> sb.append(s).append('\n'));
        });
        return sb.toString();
    }

    /** {@return a label value escaped for the text format: backslash, double quote and line feed} */
    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
