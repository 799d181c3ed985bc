package dev.parley;

/**
 * A fragment of a tool call in a stream. Fragments with the same {@code index} belong to one
 * call: the first usually carries the id and name, later ones more of the arguments text.
 *
 * @param index          which call of the response this belongs to, from 0
 * @param id             the call's id, when this fragment carries it; null otherwise
 * @param name           the tool's name, when this fragment carries it; null otherwise
 * @param argumentsDelta more of the arguments JSON text; "" when none
 */
public record ToolCallDelta(int index, String id, String name, String argumentsDelta) {

    /** Validates the fragment. */
    public ToolCallDelta {
        if (index < 0) {
            throw new IllegalArgumentException("toolCallDelta.index: must not be negative, got " + index);
        }
        argumentsDelta = argumentsDelta == null ? "" : argumentsDelta;
    }
}
