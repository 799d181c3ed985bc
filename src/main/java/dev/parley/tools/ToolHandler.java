package dev.parley.tools;

import dev.parley.json.JsonObject;

/**
 * What a tool does when the model calls it: reads the arguments the model wrote and returns the
 * text the model is shown as the result.
 *
 * <p>An exception from a handler goes back to the model as an error result ("the tool failed:
 * ..."), so the model can try again or answer without it; a tool registered with
 * {@link Toolbox.Builder#add(dev.parley.Tool, ToolHandler, boolean)} and {@code failLoop} true ends
 * the loop with the exception instead. A handler runs on a virtual thread of its own, possibly at
 * the same time as other tools of the same turn; it should respond to interruption, which is how
 * a cancelled loop stops it.
 */
@FunctionalInterface
public interface ToolHandler {

    /**
     * Runs the tool.
     *
     * @param arguments the arguments the model wrote, parsed as a JSON object
     * @return the result, as the text the model is shown
     * @throws Exception if the tool fails
     */
    String run(JsonObject arguments) throws Exception;
}
