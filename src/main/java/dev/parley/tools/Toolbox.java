package dev.parley.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.parley.Tool;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.schema.JsonBindException;
import dev.parley.schema.JsonBinder;
import dev.parley.schema.JsonSchema;

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

    /** Arguments that do not fit a typed tool's record: shown to the model as they are, to correct. */
    static final class ArgumentsException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ArgumentsException(String message, Throwable cause) {
            super(message, cause);
        }
    }

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

    /**
     * {@return a box with this one's tools and {@code other}'s}
     *
     * @param other the tools to add
     * @throws IllegalArgumentException if a name is in both
     */
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
         * Adds a tool that is a Java function of a record: the argument schema is made from the
         * record ({@link JsonSchema#of}, in the strict form, with the descriptions of its
         * {@link dev.parley.schema.Description} annotations), the model's arguments are bound to
         * it, and arguments that do not fit go back to the model as an error naming the field
         * ("$.city: missing"), so that it can call again. Failures go back to the model too.
         *
         * {@snippet :
         * record CityWeather(@Description("City name, such as Paris") String city) {}
         * Toolbox tools = Toolbox.newBuilder()
         *         .add("get_weather", "Current weather for a city", CityWeather.class,
         *              args -> weatherService.current(args.city()))
         *         .build();
         * }
         *
         * @param name        the name the model calls it by: 1 to 64 letters, digits, '_' or '-'
         * @param description what it does, for the model
         * @param arguments   the record the arguments are bound to
         * @param handler     what runs when the model calls it
         * @param <A>         the arguments' type
         * @param <R>         the result's type
         * @return this builder
         * @throws IllegalArgumentException if the name is malformed or taken, or the type is not
         *                                  a record that has a JSON form
         */
        public <A, R> Builder add(String name, String description, Class<A> arguments, TypedToolHandler<A, R> handler) {
            Objects.requireNonNull(arguments, "arguments");
            Objects.requireNonNull(handler, "handler");
            if (!arguments.isRecord()) {
                throw new IllegalArgumentException("the arguments of tool \"" + name + "\" must be a record, got "
                        + arguments.getName());
            }
            JsonObject schema = JsonSchema.of(arguments);
            return add(new Tool(name, description, schema, true), json -> {
                A bound;
                try {
                    bound = JsonBinder.bind(json, arguments);
                } catch (JsonBindException e) {
                    throw new ArgumentsException(e.getMessage(), e);
                }
                R result = handler.run(bound);
                return result == null ? "" : result instanceof String text ? text : Json.write(JsonBinder.toJson(result));
            }, false);
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
