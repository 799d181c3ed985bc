package dev.parley.tools;

import java.util.Objects;

/**
 * A {@link ToolLoop} run reached one of its limits while the model still asked for tools. What
 * the run did so far is kept: {@link #partial()} has every turn, what they used and cost, and the
 * conversation up to the last answer (without its unanswered tool calls), to continue from.
 */
public final class ToolLoopLimitException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Which limit a run reached. */
    public enum Limit {
        /** The most turns ({@link ToolLoop.Builder#maxSteps}). */
        STEPS,
        /** The most tokens ({@link ToolLoop.Builder#maxTokens}). */
        TOKENS,
        /** The most dollars ({@link ToolLoop.Builder#maxCost}). */
        COST
    }

    /** Which limit the run reached. */
    private final Limit limit;
    private final transient ToolLoopResult partial;

    ToolLoopLimitException(Limit limit, ToolLoopResult partial, String message) {
        super(message);
        this.limit = Objects.requireNonNull(limit, "limit");
        this.partial = Objects.requireNonNull(partial, "partial");
    }

    /** {@return which limit the run reached} */
    public Limit limit() {
        return limit;
    }

    /** {@return what the run did before it stopped: its turns, usage, cost and conversation} */
    public ToolLoopResult partial() {
        return partial;
    }
}
