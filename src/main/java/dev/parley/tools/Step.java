package dev.parley.tools;

import java.util.List;
import java.util.Objects;

import dev.parley.ChatResponse;

/**
 * One turn of a {@link ToolLoop}: the model's answer, and the tools the loop ran for it (none on
 * the last turn, when the model answered without asking for a tool).
 *
 * @param index    the turn's number, from 1
 * @param response the model's answer
 * @param runs     the tool calls run for it, in the order the model asked for them
 * @param cost     what the turn cost in US dollars, from the client's price table (0 when the
 *                 model has no known price)
 */
public record Step(int index, ChatResponse response, List<ToolRun> runs, double cost) {

    /** Validates the step and copies the list. */
    public Step {
        Objects.requireNonNull(response, "response");
        runs = List.copyOf(runs);
    }
}
