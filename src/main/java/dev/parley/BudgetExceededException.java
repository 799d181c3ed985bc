package dev.parley;

/**
 * The call's worst-case cost (estimated prompt plus the most tokens it may generate) would exceed
 * the budget left: kind {@link LlmException.Kind#BUDGET_EXCEEDED}, always. Raised before any
 * request is sent.
 *
 * <p>Catch this when running out of budget should stop a loop of calls, or switch to a cheaper
 * model, rather than fail the program: no other error means "stop spending".
 */
public final class BudgetExceededException extends LlmException {

    private static final long serialVersionUID = 1L;

    BudgetExceededException(Builder b) {
        super(b);
    }
}
