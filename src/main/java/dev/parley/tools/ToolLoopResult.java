package dev.parley.tools;

import java.util.List;
import java.util.Objects;

import dev.parley.ChatResponse;
import dev.parley.Message;
import dev.parley.Usage;

/**
 * What a {@link ToolLoop} run did: its answer, or (in a {@link ToolLoopLimitException}) what it
 * did before a limit stopped it.
 *
 * @param response the model's last answer: the final one, or, for a run a limit stopped, the one
 *                 that asked for more tools
 * @param steps    every turn, in order
 * @param messages the conversation: the request's messages, then each turn's assistant message
 *                 and tool results, then the final answer; send it again with a new user message
 *                 to go on (a run a limit stopped leaves out the last answer's unanswered calls)
 * @param usage    the tokens of every turn added up
 * @param cost     what every turn cost, in US dollars
 */
public record ToolLoopResult(ChatResponse response, List<Step> steps, List<Message> messages, Usage usage,
                             double cost) {

    /** Validates the result and copies the lists. */
    public ToolLoopResult {
        Objects.requireNonNull(response, "response");
        steps = List.copyOf(steps);
        messages = List.copyOf(messages);
        Objects.requireNonNull(usage, "usage");
    }

    /** {@return the text of the last answer} */
    public String text() {
        return response.text();
    }
}
