package dev.parley;

/**
 * The call's worst-case cost (estimated prompt plus the most tokens it may generate) would exceed the budget left. Raised before any request is sent.
 */
public final class BudgetExceededException extends LlmException {

    private static final long serialVersionUID = 1L;

    BudgetExceededException(Builder b) {
        super(b);
    }
}
