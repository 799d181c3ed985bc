package dev.parley;

import java.util.Objects;

/**
 * Options for a structured call ({@link Llm#chat(ChatRequest, Class, StructuredOptions)}): how
 * many repair turns to allow, the schema's name, and the per-call options of each request.
 *
 * <p>Immutable and thread-safe; each {@code with} method returns a modified copy.
 */
public final class StructuredOptions {

    private static final StructuredOptions DEFAULTS = new StructuredOptions(1, null, CallOptions.defaults());

    /** The most repair turns allowed. */
    static final int MAX_REPAIRS = 3;

    private final int repairs;
    private final String name;
    private final CallOptions callOptions;

    private StructuredOptions(int repairs, String name, CallOptions callOptions) {
        this.repairs = repairs;
        this.name = name;
        this.callOptions = callOptions;
    }

    /** {@return the defaults: one repair turn, the schema named after the type, default call options} */
    public static StructuredOptions defaults() {
        return DEFAULTS;
    }

    /**
     * {@return a copy that allows {@code repairs} repair turns}: when an answer does not fit the
     * type, the error is sent back to the model and it answers again, at most this many times.
     *
     * @param repairs 0 (no repair turn) to 3; default 1
     * @throws IllegalArgumentException if {@code repairs} is outside 0 to 3
     */
    public StructuredOptions withRepairs(int repairs) {
        if (repairs < 0 || repairs > MAX_REPAIRS) {
            throw new IllegalArgumentException("repairs: expected 0 to " + MAX_REPAIRS + ", got " + repairs);
        }
        return new StructuredOptions(repairs, name, callOptions);
    }

    /**
     * {@return a copy that names the schema {@code name}} The provider sees the name (as the
     * schema's name, or Anthropic's tool name). The default is the type's simple name.
     *
     * @param name 1 to 64 letters, digits, '_' or '-'
     * @throws IllegalArgumentException if the name has other characters or is too long
     */
    public StructuredOptions withName(String name) {
        ResponseFormat.checkName("name", Objects.requireNonNull(name, "name"));
        return new StructuredOptions(repairs, name, callOptions);
    }

    /**
     * {@return a copy whose requests use {@code callOptions}}
     *
     * @param callOptions the options of each request, such as its timeout
     */
    public StructuredOptions withCallOptions(CallOptions callOptions) {
        return new StructuredOptions(repairs, name, Objects.requireNonNull(callOptions, "callOptions"));
    }

    /** {@return how many repair turns are allowed} */
    public int repairs() {
        return repairs;
    }

    /** {@return the schema's name, or null for the type's simple name} */
    public String name() {
        return name;
    }

    /** {@return the options of each request} */
    public CallOptions callOptions() {
        return callOptions;
    }

    @Override
    public String toString() {
        return "StructuredOptions[repairs=" + repairs + ", name=" + name + ", callOptions=" + callOptions + "]";
    }
}
