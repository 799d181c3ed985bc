package dev.parley.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.parley.Tool;
import dev.parley.json.JsonObject;

/**
 * The tools a {@link ToolLoop} offers the model: each one's declaration (name, description,
 * argument schema) and its {@link ToolHandler}. Immutable and thread-safe.
 *
 * {@snippet :
 * Toolbox tools = Toolbox.newBuilder()
 *         .add("get_time", "The current time in a time zone",
 *              (JsonObject) Json.parse("""
 *                  {"type":"object","properties":{"zone":{"type":"string"}},"required":["zone"]}
 *                  """),
 *              args -> ZonedDateTime.now(ZoneId.of(args.string("zone"))).toString())
 *         .build();
 * }
 */
public final class Toolbox {

    /** A tool and what runs it. */
    record Entry(Tool tool, ToolHandler handler, boolean failLoop) {
    }

    private final Map<String, Entry> entries;
    private final List<Tool> tools;

    private Toolbox(Map<String, Entry> entries) {
        this.entries = Map.copyOf(entries);
        List<Tool> list = new ArrayList<>();
        for (Entry e : entries.values()) {
            list.add(e.tool());
        }
        this.tools = List.copyOf(list);
    }

    /** {@return a builder with no tool yet} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /** {@return the tools' declarations, in the order they were added: what the model is offered} */
    public List<Tool> tools() {
        return tools;
    }

    /**
     * {@return the tool called {@code name}, or null}
     *
     * @param name the tool's name
     */
    Entry find(String name) {
        return entries.get(name);
    }

    /** {@return a box with this one's tools and {@code other}'s; a name in both is an error} */
    public Toolbox with(Toolbox other) {
        Builder b = new Builder();
        b.entries.putAll(entries);
        for (Entry e : other.entries.values()) {
            b.add(e.tool(), e.handler(), e.failLoop());
        }
        return b.build();
    }

    @Override
    public String toString() {
        return "Toolbox" + entries.keySet();
    }

    /** Collects tools. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Entry> entries = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Adds a tool whose failures go back to the model.
         *
         * @param name        the name the model calls it by: 1 to 64 letters, digits, '_' or '-'
         * @param description what it does, for the model
         * @param parameters  the JSON schema of its arguments object
         * @param handler     what runs when the model calls it
         * @return this builder
         * @throws IllegalArgumentException if the name is malformed or taken
         */
        public Builder add(String name, String description, JsonObject parameters, ToolHandler handler) {
            return add(Tool.of(name, description, parameters), handler, false);
        }

        /**
         * Adds a tool.
         *
         * @param tool     its declaration
         * @param handler  what runs when the model calls it
         * @param failLoop true to end the loop with the handler's exception when it fails; false
         *                 (the usual choice) to show the model the failure and let it go on
         * @return this builder
         * @throws IllegalArgumentException if another tool has the same name
         */
        public Builder add(Tool tool, ToolHandler handler, boolean failLoop) {
            Objects.requireNonNull(tool, "tool");
            Objects.requireNonNull(handler, "handler");
            if (entries.containsKey(tool.name())) {
                throw new IllegalArgumentException("two tools are called \"" + tool.name() + "\"; tool names must differ");
            }
            entries.put(tool.name(), new Entry(tool, handler, failLoop));
            return this;
        }

        /** {@return the toolbox} */
        public Toolbox build() {
            return new Toolbox(entries);
        }
    }
}
