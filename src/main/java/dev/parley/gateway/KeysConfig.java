package dev.parley.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.parley.ConfigurationException;
import dev.parley.LlmException;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonParseException;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * The gateway's configuration file: its virtual keys, aliases, routes ({@link ConfiguredRoutes})
 * and access-log settings ({@code "log": {"prompts": true, "max_chars": 4096}}; see
 * {@link Gateway} for the whole format). The keys:
 *
 * <pre>{@code
 * {"keys": [{"name": "app-1", "hash": "sha256:<64 hex digits>", "owner": "ana", "team": "search",
 *            "models": ["gpt-4o-mini", "anthropic/*"],
 *            "limits": {"rpm": 60, "tpm": 100000, "concurrency": 4},
 *            "budget": {"daily": 5.0, "monthly": 50.0, "total": null}}],
 *  "aliases": {"fast": "openai/gpt-4o-mini"}}
 * }</pre>
 *
 * Only {@code keys}, and each key's {@code name} and {@code hash}, are required. An alias
 * stands for a model name the gateway's routes take, never for another alias. Every problem in a file is found at once and
 * reported together, each with its JSON path ({@code keys[1].limits.rpm}) and, for syntax errors,
 * its line and column. Unknown fields are errors, so that a typo never silently lifts a limit.
 * Immutable.
 */
final class KeysConfig {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:@-]{1,64}");
    private static final Pattern HASH = Pattern.compile("sha256:[0-9a-fA-F]{64}");
    private static final Set<String> TOP = Set.of("keys", "aliases", "routes", "default_route", "log");
    private static final Set<String> LOG = Set.of("prompts", "max_chars");
    /** The default bound of the prompt and the answer in an access-log line, in characters. */
    static final int DEFAULT_LOG_CHARS = 4096;
    private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Set<String> KEY = Set.of("name", "hash", "owner", "team", "models", "limits", "budget");
    private static final Set<String> LIMITS = Set.of("rpm", "tpm", "concurrency");
    private static final Set<String> BUDGET = Set.of("daily", "monthly", "total");

    private final List<VirtualKey> keys;
    private final Map<String, String> aliases;
    private final ConfiguredRoutes.Specs routes;
    private final Boolean logPrompts;
    private final int logChars;
    /** The file's text and name, to locate problems found after parsing (routes that cannot be made). */
    private final String text;
    private final String source;

    private KeysConfig(List<VirtualKey> keys, Map<String, String> aliases, ConfiguredRoutes.Specs routes, Boolean logPrompts,
                       int logChars, String text, String source) {
        this.keys = List.copyOf(keys);
        this.aliases = Map.copyOf(aliases);
        this.routes = routes;
        this.logPrompts = logPrompts;
        this.logChars = logChars;
        this.text = text;
        this.source = source;
    }

    /** {@return the file's routes, or null when it has none (the gateway's other routes are used)} */
    ConfiguredRoutes.Specs routes() {
        return routes;
    }

    /** {@return the file's {@code log.prompts}, or null when it does not say} */
    Boolean logPrompts() {
        return logPrompts;
    }

    /** {@return the file's {@code log.max_chars}, or the default} */
    int logChars() {
        return logChars;
    }

    /**
     * {@return the error for problems found after parsing}, each with its line in the file
     *
     * @param problems each starting with its path ({@code routes.smart.timeout: ...})
     */
    ConfigurationException problems(List<String> problems) {
        return failure(source, locate(text, problems));
    }

    private static List<String> locate(String text, List<String> problems) {
        List<String> located = new ArrayList<>(problems.size());
        for (String p : problems) {
            int colon = p.indexOf(": ");
            String path = colon < 0 ? "" : p.substring(0, colon);
            int line = 0;
            // A missing field has no line: its object's is given instead.
            while (!path.isEmpty() && (line = Locator.line(text, path)) <= 0) {
                path = path.substring(0, Math.max(0, Math.max(path.lastIndexOf('.'), path.lastIndexOf('['))));
            }
            located.add(line > 0 ? "line " + line + ": " + p : p);
        }
        return located;
    }

    /** {@return the model aliases: a name clients send, to the model it stands for} */
    Map<String, String> aliases() {
        return aliases;
    }

    /** {@return the keys, in file order} */
    List<VirtualKey> keys() {
        return keys;
    }

    /**
     * Reads and checks a configuration file.
     *
     * @throws ConfigurationException naming the file and every problem in it
     */
    static KeysConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        return parse(text, file.toString());
    }

    /** {@return the error for a file that cannot be read} */
    static ConfigurationException unreadable(Path file, IOException e) {
        return failure(file, List.of("cannot be read: " + (e.getMessage() == null ? "I/O error" : e.getMessage())));
    }

    /**
     * Parses and checks configuration text.
     *
     * @param source what to call the text in errors, such as its file name
     * @throws ConfigurationException naming {@code source} and every problem in the text
     */
    static KeysConfig parse(String text, String source) {
        JsonValue root;
        try {
            root = Json.parse(text);
        } catch (JsonParseException e) {
            throw failure(source, List.of("line " + e.line() + ", column " + e.column() + ": " + e.reason()));
        }
        List<String> problems = new ArrayList<>();
        List<VirtualKey> keys = new ArrayList<>();
        if (!(root instanceof JsonObject top)) {
            throw failure(source, List.of("expected a JSON object such as {\"keys\": [...]}"));
        }
        unknown(top, TOP, "", problems);
        JsonValue list = top.get("keys").orElse(null);
        if (list == null) {
            problems.add("keys: missing; expected an array of keys");
        } else if (!(list instanceof JsonArray array)) {
            problems.add("keys: expected an array, got " + list.kind());
        } else {
            Set<String> names = new HashSet<>();
            Set<String> hashes = new HashSet<>();
            for (int i = 0; i < array.size(); i++) {
                String path = "keys[" + i + "]";
                JsonValue v = array.values().get(i);
                if (!(v instanceof JsonObject o)) {
                    problems.add(path + ": expected an object, got " + v.kind());
                    continue;
                }
                VirtualKey k = key(o, path, problems);
                if (k == null) {
                    continue;
                }
                if (!names.add(k.name())) {
                    problems.add(path + ".name: \"" + k.name() + "\" is used by an earlier key");
                }
                if (!hashes.add(HexFormat.of().formatHex(k.digest()))) {
                    problems.add(path + ".hash: the same key hash is used by an earlier key");
                }
                keys.add(k);
            }
        }
        Map<String, String> aliases = new LinkedHashMap<>();
        JsonValue a = top.get("aliases").orElse(JsonNull.INSTANCE);
        if (a instanceof JsonObject map) {
            map.members().forEach((name, target) -> {
                if (!ALIAS.matcher(name).matches()) {
                    problems.add(ConfiguredRoutes.field("aliases", name) + ": an alias is 1 to 64 letters, digits, '.', '_', ':' or '-'");
                } else if (!(target instanceof JsonString t) || t.value().isBlank()) {
                    problems.add(ConfiguredRoutes.field("aliases", name)
                            + ": expected the model it stands for, such as \"openai/gpt-4o-mini\"");
                } else {
                    aliases.put(name, t.value());
                }
            });
            aliases.forEach((name, target) -> {
                if (aliases.containsKey(target)) {
                    problems.add(ConfiguredRoutes.field("aliases", name) + ": stands for \"" + target + "\", another alias; name the model itself");
                }
            });
        } else if (!(a instanceof JsonNull)) {
            problems.add("aliases: expected an object such as {\"fast\": \"openai/gpt-4o-mini\"}, got " + a.kind());
        }
        ConfiguredRoutes.Specs routes = ConfiguredRoutes.parse(top, problems);
        Boolean logPrompts = null;
        long logChars = DEFAULT_LOG_CHARS;
        JsonValue log = top.get("log").orElse(JsonNull.INSTANCE);
        if (log instanceof JsonObject l) {
            unknown(l, LOG, "log", problems);
            JsonValue p = l.get("prompts").orElse(JsonNull.INSTANCE);
            if (p instanceof dev.parley.json.JsonBoolean b) {
                logPrompts = b.value();
            } else if (!(p instanceof JsonNull)) {
                problems.add("log.prompts: expected true (prompts and answers in the access log) or false, got " + p.kind());
            }
            if (l.has("max_chars")) {
                int before = problems.size();
                logChars = count(l, "max_chars", "log", 1_000_000, problems);
                if (logChars == 0 && problems.size() == before) {
                    problems.add("log.max_chars: expected a whole number from 1 to 1000000");
                }
            }
        } else if (!(log instanceof JsonNull)) {
            problems.add("log: expected an object such as {\"prompts\": true}, got " + log.kind());
        }
        if (!problems.isEmpty()) {
            throw failure(source, locate(text, problems));
        }
        return new KeysConfig(keys, aliases, routes, logPrompts, (int) Math.max(1, logChars), text, source);
    }

    private static VirtualKey key(JsonObject o, String path, List<String> problems) {
        int before = problems.size();
        unknown(o, KEY, path, problems);
        String name = string(o, "name", path, true, problems);
        if (name != null && !NAME.matcher(name).matches()) {
            problems.add(path + ".name: expected 1 to 64 letters, digits, '.', '_', ':', '@' or '-'");
            name = null; // not repeated in messages: it may be a key pasted in the wrong field
        }
        String label = name != null ? path + " (\"" + name + "\")" : path;
        String hash = string(o, "hash", label, true, problems);
        byte[] digest = null;
        if (hash != null) {
            if (HASH.matcher(hash).matches()) {
                digest = HexFormat.of().parseHex(hash.substring("sha256:".length()).toLowerCase(java.util.Locale.ROOT));
            } else {
                // Never echo the value: a plain key pasted here by mistake must not reach a log.
                problems.add(label + ".hash: expected \"sha256:\" and 64 hex digits (make one with `parley keys hash`)");
            }
        }
        String owner = string(o, "owner", label, false, problems);
        String team = string(o, "team", label, false, problems);
        List<String> models = new ArrayList<>();
        JsonValue m = o.get("models").orElse(JsonNull.INSTANCE);
        if (m instanceof JsonArray a) {
            for (int j = 0; j < a.size(); j++) {
                int star = a.values().get(j) instanceof JsonString s ? s.value().indexOf('*') : 0;
                if (a.values().get(j) instanceof JsonString s && !s.value().isEmpty()
                        && (star < 0 || star == s.value().length() - 1)) {
                    models.add(s.value());
                } else {
                    problems.add(label + ".models[" + j + "]: expected a model name, or a prefix ending in '*'");
                }
            }
        } else if (!(m instanceof JsonNull)) {
            problems.add(label + ".models: expected an array of model names, got " + m.kind());
        }
        long rpm = 0;
        long tpm = 0;
        long concurrency = 0;
        JsonObject limits = object(o, "limits", label, problems);
        if (limits != null) {
            unknown(limits, LIMITS, label + ".limits", problems);
            rpm = count(limits, "rpm", label + ".limits", Long.MAX_VALUE, problems);
            tpm = count(limits, "tpm", label + ".limits", Long.MAX_VALUE, problems);
            concurrency = count(limits, "concurrency", label + ".limits", 65536, problems);
        }
        Double daily = null;
        Double monthly = null;
        Double total = null;
        JsonObject budget = object(o, "budget", label, problems);
        if (budget != null) {
            unknown(budget, BUDGET, label + ".budget", problems);
            daily = dollars(budget, "daily", label + ".budget", problems);
            monthly = dollars(budget, "monthly", label + ".budget", problems);
            total = dollars(budget, "total", label + ".budget", problems);
        }
        if (problems.size() > before || name == null || digest == null) {
            return null;
        }
        return new VirtualKey(name, digest, owner, team, models, rpm, tpm, (int) concurrency, daily, monthly, total);
    }

    /** Adds a problem for each field of {@code o} not in {@code known}; shared with the routes' checks. */
    static void unknown(JsonObject o, Set<String> known, String path, List<String> problems) {
        for (String field : o.members().keySet()) {
            if (!known.contains(field)) {
                problems.add((path.isEmpty() ? "" : path + ".") + field + ": unknown field; expected one of "
                        + known.stream().sorted().toList());
            }
        }
    }

    private static String string(JsonObject o, String field, String path, boolean required, List<String> problems) {
        JsonValue v = o.get(field).orElse(JsonNull.INSTANCE);
        if (v instanceof JsonString s && !s.value().isBlank()) {
            return s.value();
        }
        if (v instanceof JsonNull && !required) {
            return null;
        }
        problems.add(path + "." + field + ": " + (v instanceof JsonNull ? "missing; " : "")
                + "expected a non-empty string" + (v instanceof JsonNull || v instanceof JsonString ? "" : ", got " + v.kind()));
        return null;
    }

    /** {@return the object {@code field} of {@code o}; null, and a problem unless it is absent or null, for anything else} */
    static JsonObject object(JsonObject o, String field, String path, List<String> problems) {
        JsonValue v = o.get(field).orElse(JsonNull.INSTANCE);
        if (v instanceof JsonObject obj) {
            return obj;
        }
        if (!(v instanceof JsonNull)) {
            problems.add(path + "." + field + ": expected an object, got " + v.kind());
        }
        return null;
    }

    private static long count(JsonObject o, String field, String path, long max, List<String> problems) {
        JsonValue v = o.get(field).orElse(JsonNull.INSTANCE);
        if (v instanceof JsonNull) {
            return 0;
        }
        if (v instanceof JsonNumber n && n.isIntegerText()) {
            try {
                long x = n.longValue();
                if (x >= 0 && x <= max) {
                    return x;
                }
            } catch (RuntimeException tooBig) {
                // reported below
            }
        }
        problems.add(path + "." + field + ": expected a whole number " + (max < Long.MAX_VALUE ? "from 0 to " + max : "of 0 or more")
                + " (0: no limit), got " + Json.write(v));
        return 0;
    }

    private static Double dollars(JsonObject o, String field, String path, List<String> problems) {
        JsonValue v = o.get(field).orElse(JsonNull.INSTANCE);
        if (v instanceof JsonNull) {
            return null;
        }
        if (v instanceof JsonNumber n) {
            double d = n.doubleValue();
            if (d >= 0 && Double.isFinite(d)) {
                return d;
            }
        }
        problems.add(path + "." + field + ": expected US dollars, a number of 0 or more, or null for no budget, got "
                + Json.write(v));
        return null;
    }

    private static ConfigurationException failure(Object source, List<String> problems) {
        StringBuilder sb = new StringBuilder("gateway configuration ").append(source).append(": ")
                .append(problems.size()).append(problems.size() == 1 ? " problem: " : " problems: ");
        sb.append(String.join("; ", problems));
        return (ConfigurationException) LlmException.newBuilder(LlmException.Kind.CONFIGURATION).message(sb.toString()).build();
    }

    /** {@return the configuration's {@code hash} for a plain key: {@code sha256:} and its digest in hex} */
    static String hash(String key) {
        return "sha256:" + HexFormat.of().formatHex(digest(key));
    }

    /** {@return the SHA-256 digest of a key's UTF-8 bytes} */
    static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "KeysConfig[" + keys.size() + " keys, " + (routes == null ? "no" : routes.routes().size()) + " routes]";
    }


    /**
     * Finds the line of a value in JSON text by its path ({@code keys[1] ("app-2").limits.rpm};
     * a key's name in parentheses is skipped), for error messages. The text is known to parse;
     * anything unexpected gives 0 (no line).
     */
    static final class Locator {
        private final String text;
        private int pos;

        private Locator(String text) {
            this.text = text;
        }

        static int line(String text, String path) {
            List<Object> segments = new ArrayList<>();
            String p = path.replaceAll(" \\(\"[^\"]*\"\\)", "");
            // A name with a dot is written ["a.b"]: a segment of its own, never split.
            java.util.regex.Matcher quoted = Pattern.compile("\\[\"([^\"]*)\"\\]").matcher(p);
            List<String> names = new ArrayList<>();
            StringBuilder plain = new StringBuilder();
            while (quoted.find()) {
                quoted.appendReplacement(plain, "." + "\u0000" + names.size());
                names.add(quoted.group(1));
            }
            quoted.appendTail(plain);
            p = plain.toString();
            for (String part : p.split("\\.")) {
                if (part.startsWith("\u0000")) {
                    int bracket = part.indexOf('[');
                    segments.add(names.get(Integer.parseInt(bracket < 0 ? part.substring(1) : part.substring(1, bracket))));
                    part = bracket < 0 ? "" : part.substring(bracket);
                }
                int bracket = part.indexOf('[');
                String field = bracket < 0 ? part : part.substring(0, bracket);
                if (!field.isEmpty()) {
                    segments.add(field);
                }
                while (bracket >= 0) {
                    int close = part.indexOf(']', bracket);
                    if (close < 0) {
                        return 0;
                    }
                    segments.add(Integer.parseInt(part.substring(bracket + 1, close)));
                    bracket = part.indexOf('[', close);
                }
            }
            try {
                Locator l = new Locator(text);
                int at = l.find(segments, 0);
                return at < 0 ? 0 : (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
            } catch (RuntimeException unexpected) {
                return 0;
            }
        }

        /** {@return the offset of the value at {@code segments[i..]} from the value at pos, or -1} */
        private int find(List<Object> segments, int i) {
            skipSpace();
            if (i == segments.size()) {
                return pos;
            }
            Object want = segments.get(i);
            char c = text.charAt(pos);
            if (c == '{' && want instanceof String field) {
                pos++;
                while (true) {
                    skipSpace();
                    if (text.charAt(pos) == '}') {
                        return -1;
                    }
                    int nameAt = pos;
                    String name = string();
                    skipSpace();
                    pos++; // ':'
                    if (name.equals(field)) {
                        if (i + 1 == segments.size()) {
                            return nameAt;
                        }
                        return find(segments, i + 1);
                    }
                    skipValue();
                    skipSpace();
                    if (text.charAt(pos) == ',') {
                        pos++;
                    }
                }
            }
            if (c == '[' && want instanceof Integer index) {
                pos++;
                for (int k = 0; ; k++) {
                    skipSpace();
                    if (text.charAt(pos) == ']') {
                        return -1;
                    }
                    if (k == index) {
                        return find(segments, i + 1);
                    }
                    skipValue();
                    skipSpace();
                    if (text.charAt(pos) == ',') {
                        pos++;
                    }
                }
            }
            return -1;
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private String string() {
            StringBuilder sb = new StringBuilder();
            pos++; // opening quote
            while (text.charAt(pos) != '"') {
                char c = text.charAt(pos++);
                if (c == '\\') {
                    c = text.charAt(pos++);
                }
                sb.append(c);
            }
            pos++;
            return sb.toString();
        }

        private void skipValue() {
            skipSpace();
            char c = text.charAt(pos);
            if (c == '"') {
                string();
            } else if (c == '{' || c == '[') {
                int depth = 0;
                do {
                    char d = text.charAt(pos);
                    if (d == '"') {
                        string();
                        continue;
                    }
                    if (d == '{' || d == '[') {
                        depth++;
                    } else if (d == '}' || d == ']') {
                        depth--;
                    }
                    pos++;
                } while (depth > 0);
            } else {
                while (pos < text.length() && ",}] \t\r\n".indexOf(text.charAt(pos)) < 0) {
                    pos++;
                }
            }
        }
    }
}
