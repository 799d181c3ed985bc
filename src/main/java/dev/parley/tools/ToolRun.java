package dev.parley.tools;

import java.time.Duration;
import java.util.Objects;

import dev.parley.ToolCall;

/**
 * One tool call the loop ran, and what came of it.
 *
 * @param call    what the model asked for
 * @param output  the text the model was shown: the tool's result, or what went wrong
 * @param error   whether the tool failed (or did not exist, or got arguments it could not read)
 * @param elapsed how long the tool ran
 */
public record ToolRun(ToolCall call, String output, boolean error, Duration elapsed) {

    /** Validates the run. */
    public ToolRun {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(elapsed, "elapsed");
    }
}
