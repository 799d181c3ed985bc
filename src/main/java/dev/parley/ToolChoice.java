package dev.parley;

import java.util.Objects;

/**
 * Whether and which tool the model must call.
 *
 * @param mode     auto, none, required, or a named tool
 * @param toolName the tool that must be called, with {@link Mode#TOOL}; null otherwise
 */
public record ToolChoice(Mode mode, String toolName) {

    /** How the model chooses tools. */
    public enum Mode {
        /** The model decides. */
        AUTO,
        /** The model must not call a tool. */
        NONE,
        /** The model must call at least one tool. */
        REQUIRED,
        /** The model must call the named tool. */
        TOOL
    }

    /** Validates the choice. */
    public ToolChoice {
        Objects.requireNonNull(mode, "toolChoice.mode");
        if ((mode == Mode.TOOL) != (toolName != null)) {
            throw new IllegalArgumentException("toolChoice.toolName: give a tool name exactly when the mode is TOOL");
        }
    }

    /** {@return the model decides} */
    public static ToolChoice auto() {
        return new ToolChoice(Mode.AUTO, null);
    }

    /** {@return no tool may be called} */
    public static ToolChoice none() {
        return new ToolChoice(Mode.NONE, null);
    }

    /** {@return some tool must be called} */
    public static ToolChoice required() {
        return new ToolChoice(Mode.REQUIRED, null);
    }

    /**
     * {@return the named tool must be called}
     *
     * @param name the tool's name
     */
    public static ToolChoice tool(String name) {
        return new ToolChoice(Mode.TOOL, Objects.requireNonNull(name, "name"));
    }
}
