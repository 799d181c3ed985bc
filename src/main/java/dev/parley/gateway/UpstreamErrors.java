package dev.parley.gateway;

import java.time.Duration;

import dev.parley.LlmException;

/**
 * Maps an {@link LlmException} from a route's {@code Llm} to the error the gateway answers.
 *
 * <p>The rule: errors the client caused or can act on keep their meaning and the provider's
 * message (a bad request stays 400, a rate limit stays 429 with {@code Retry-After}); errors
 * that are about the gateway's own configuration or account get a status saying so and a
 * generic message, because the provider's text describes the gateway's credentials (OpenAI
 * quotes a masked key) and is none of the client's business.
 *
 * <table>
 * <caption>Kinds to statuses</caption>
 * <tr><th>kind</th><th>status</th><th>type / code</th></tr>
 * <tr><td>INVALID_REQUEST</td><td>400</td><td>invalid_request_error / the provider's code</td></tr>
 * <tr><td>UNSUPPORTED</td><td>400</td><td>invalid_request_error / unsupported</td></tr>
 * <tr><td>AUTHENTICATION</td><td>502</td><td>upstream_error / upstream_authentication_failed: the
 *     gateway's key was refused, which a client cannot fix; never 401, which would tell the
 *     client that <em>its</em> key is wrong</td></tr>
 * <tr><td>PERMISSION_DENIED</td><td>403</td><td>permission_error / the provider's code</td></tr>
 * <tr><td>NOT_FOUND</td><td>404</td><td>invalid_request_error / model_not_found unless the provider gave a code</td></tr>
 * <tr><td>RATE_LIMITED</td><td>429</td><td>rate_limit_error / rate_limit_exceeded, with {@code Retry-After}</td></tr>
 * <tr><td>QUOTA_EXCEEDED, BUDGET_EXCEEDED</td><td>429</td><td>insufficient_quota, as OpenAI itself answers
 *     (OpenAI clients know it and do not expect 402)</td></tr>
 * <tr><td>UNAVAILABLE</td><td>503</td><td>server_error / service_unavailable, with {@code Retry-After}</td></tr>
 * <tr><td>TIMEOUT</td><td>504</td><td>server_error / upstream_timeout</td></tr>
 * <tr><td>CONFIGURATION</td><td>500</td><td>server_error / gateway_misconfigured</td></tr>
 * <tr><td>SERVER_ERROR, NETWORK, STREAM_INTERRUPTED</td><td>502</td><td>server_error / upstream_error</td></tr>
 * </table>
 *
 * <p>Stateless and thread-safe.
 */
final class UpstreamErrors {

    private UpstreamErrors() {
    }

    /** {@return the error to answer for {@code e}} */
    static ApiError toApiError(LlmException e) {
        String pm = e.providerMessage();
        ApiError error = switch (e.kind()) {
            case INVALID_REQUEST -> new ApiError(400, "invalid_request_error", e.errorCode(), null,
                    pm != null ? pm : stripProvider(e));
            case UNSUPPORTED -> new ApiError(400, "invalid_request_error", "unsupported", null, stripProvider(e));
            case AUTHENTICATION -> new ApiError(502, "upstream_error", "upstream_authentication_failed", null,
                    "The upstream provider refused the gateway's credentials.");
            case PERMISSION_DENIED -> new ApiError(403, "permission_error", e.errorCode(), null,
                    pm != null ? pm : "The gateway's credentials may not use this model or resource.");
            case NOT_FOUND -> new ApiError(404, "invalid_request_error",
                    e.errorCode() != null ? e.errorCode() : "model_not_found", null,
                    pm != null ? pm : "The model or resource does not exist upstream.");
            case RATE_LIMITED -> retryAfter(new ApiError(429, "rate_limit_error", "rate_limit_exceeded", null,
                    pm != null ? pm : "Rate limit reached; retry later."), e.retryAfter());
            case QUOTA_EXCEEDED -> new ApiError(429, "insufficient_quota", "insufficient_quota", null,
                    "The upstream provider's quota or balance is exhausted.");
            case BUDGET_EXCEEDED -> new ApiError(429, "insufficient_quota", "budget_exceeded", null,
                    "The gateway's spending budget is exhausted.");
            case UNAVAILABLE -> retryAfter(new ApiError(503, "server_error", "service_unavailable", null,
                    pm != null ? pm : "The upstream provider is overloaded or unavailable; retry later."), e.retryAfter());
            case TIMEOUT -> new ApiError(504, "server_error", "upstream_timeout", null,
                    "The upstream provider did not answer in time.");
            case CONFIGURATION -> new ApiError(500, "server_error", "gateway_misconfigured", null,
                    "The gateway is not configured for this request.");
            case SERVER_ERROR, NETWORK, STREAM_INTERRUPTED -> new ApiError(502, "server_error", "upstream_error", null,
                    "The upstream provider failed" + (pm != null ? ": " + pm : "."));
        };
        return error;
    }

    private static ApiError retryAfter(ApiError error, Duration after) {
        if (after != null) {
            long ms = Math.max(0, after.toMillis());
            error.withHeader("Retry-After", Long.toString((ms + 999) / 1000));
            error.withHeader("retry-after-ms", Long.toString(ms));
        }
        return error;
    }

    /** {@return the error's message without the provider's name in front, which the client does not need} */
    private static String stripProvider(LlmException e) {
        return e.toBuilder().provider(null).build().getMessage();
    }
}
