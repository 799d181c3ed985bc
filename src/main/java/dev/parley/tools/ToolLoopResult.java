package dev.parley.tools;

import java.util.List;
import java.util.Objects;

import dev.parley.ChatResponse;
import dev.parley.Message;
import dev.parley.Usage;

/**
 * What a {@link ToolLoop} ended with.
 *
 * @param response the model's last answer: the final one when {@link #stop()} is
 *                 {@link Stop#ANSWERED}; otherwise the one that asked for more tools than a limit
 *                 allowed
 * @param stop     why the loop ended
 * @param steps    every turn, in order
 * @param messages the whole conversation: the request's messages, then each turn's assistant
 *                 message and tool results, then the last answer; send it again with a new user
 *                 message to go on
 * @param usage    the tokens of every turn added up
 * @param cost     what every turn cost, in US dollars
 */
public record ToolLoopResult(ChatResponse response, Stop stop, List<Step> steps, List<Message> messages, Usage usage,
                             double cost) {

    /** Why a loop ended. */
    public enum Stop {
        /** The model answered without asking for a tool. */
        ANSWERED,
        /** The model still asked for tools when the most turns allowed were done. */
        MAX_STEPS,
        /** The turns so far used the most tokens allowed. */
        MAX_TOKENS,
        /** The turns so far cost the most allowed. */
        MAX_COST
    }

    /** Validates the result and copies the lists. */
    public ToolLoopResult {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(stop, "stop");
        steps = List.copyOf(steps);
        messages = List.copyOf(messages);
        Objects.requireNonNull(usage, "usage");
    }

    /** {@return the text of the last answer} */
    public String text() {
        return response.text();
    }
}
