package dev.parley;

/**
 * The request is invalid (HTTP 400, 413, 422), or failed Parley's validation before it was sent:
 * kind {@link LlmException.Kind#INVALID_REQUEST}, always. Not retryable.
 *
 * <p>Catch this when the request carries input from a person (a prompt too long for the model, a
 * bad parameter) to show them the message and let them change it; the same request will fail
 * again, on any provider.
 */
public final class InvalidRequestException extends LlmException {

    private static final long serialVersionUID = 1L;

    InvalidRequestException(Builder b) {
        super(b);
    }
}
