package dev.parley;

import java.time.Duration;
import java.util.Objects;

/**
 * An error from calling a model: the provider refused or failed, the network failed, a
 * deadline passed, or a policy (budget, rate limit, circuit breaker) stopped the call.
 *
 * <p>Every error carries what is known about it: the provider, the HTTP status, the provider's
 * error type and code and message, the request id to quote to support, and how long the server
 * asked to wait before retrying. Never the API key.
 *
 * <p>{@link #kind()} says what went wrong, for every error. The kinds a caller commonly handles
 * on their own also have a subclass, always of that kind, to catch: {@link RateLimitException},
 * {@link AuthenticationException}, {@link InvalidRequestException}, {@link LlmTimeoutException},
 * {@link UnsupportedCapabilityException}, {@link BudgetExceededException} and
 * {@link ConfigurationException}. For the other kinds, catch {@code LlmException} and look at
 * the kind, or at {@link #retryable()}:
 * {@snippet :
 * try {
 *     llm.chat("Hello");
 * } catch (RateLimitException e) {
 *     // e.retryAfter() says how long the provider asked us to wait, when it did
 * } catch (LlmException e) {
 *     if (e.kind() == LlmException.Kind.NOT_FOUND) {
 *         // the model name is wrong
 *     }
 *     System.err.println(e.getMessage());
 * }
 * }
 *
 * <p>Providers (including third-party ones) create errors with {@link #newBuilder(Kind)}, which
 * picks the subclass for the kind when there is one.
 */
public sealed class LlmException extends RuntimeException
        permits AuthenticationException, InvalidRequestException, RateLimitException, LlmTimeoutException,
        UnsupportedCapabilityException, BudgetExceededException, ConfigurationException {

    private static final long serialVersionUID = 1L;

    /**
     * What went wrong, in the categories callers act on. An error of a kind that has a subclass
     * (named on each constant) is always an instance of that subclass; the others are plain
     * {@code LlmException}s.
     */
    public enum Kind {
        /** The API key is missing, wrong or revoked (HTTP 401); an {@link AuthenticationException}. */
        AUTHENTICATION,
        /** The key may not use this model or resource (HTTP 403). Not retryable. */
        PERMISSION_DENIED,
        /** The model or endpoint does not exist (HTTP 404). Not retryable. */
        NOT_FOUND,
        /**
         * The request is invalid (HTTP 400, 413, 422), or failed Parley's own validation; an
         * {@link InvalidRequestException}.
         */
        INVALID_REQUEST,
        /** Too many requests or tokens for now; retry later (HTTP 429); a {@link RateLimitException}. */
        RATE_LIMITED,
        /**
         * The account's quota or balance is used up (HTTP 402, or a 429 with code
         * {@code insufficient_quota}). Retrying will not help.
         */
        QUOTA_EXCEEDED,
        /**
         * The provider is overloaded or unavailable (HTTP 503, 529), or its circuit breaker is open.
         * Retryable, and a reason to fall back to another provider.
         */
        UNAVAILABLE,
        /** The provider failed (HTTP 500, 502, 504 and other 5xx). */
        SERVER_ERROR,
        /**
         * A deadline passed: connect, attempt, first chunk, stream idle, or overall; an
         * {@link LlmTimeoutException}.
         */
        TIMEOUT,
        /** The connection failed or was reset before a response arrived. Retryable. */
        NETWORK,
        /**
         * A stream ended early or broke after it had started. The chunks delivered before it stay
         * delivered.
         */
        STREAM_INTERRUPTED,
        /**
         * The provider cannot do this at all (embeddings on Anthropic, for example); an
         * {@link UnsupportedCapabilityException}.
         */
        UNSUPPORTED,
        /** The call could cost more than the budget left; a {@link BudgetExceededException}. */
        BUDGET_EXCEEDED,
        /**
         * Parley is not configured for this call (a missing key, a bad setting); a
         * {@link ConfigurationException}.
         */
        CONFIGURATION
    }

    /** What kind of failure this is. */
    private final Kind kind;
    /** The provider's name, or null. */
    private final String provider;
    /** The HTTP status, or 0. */
    private final int statusCode;
    /** The provider's error type, or null. */
    private final String errorType;
    /** The provider's error code, or null. */
    private final String errorCode;
    /** The provider's own message, or null. */
    private final String providerMessage;
    /** The provider's request id, or null. */
    private final String requestId;
    /** How long the provider asked to wait, or null. */
    private final Duration retryAfter;
    /** Whether a retry may succeed. */
    private final boolean retryable;
    /** The message as given to the builder, before the context was added; for {@link #toBuilder()}. */
    private final String givenMessage;
    /** The note added after the provider's details, or null; for {@link #toBuilder()}. */
    private final String note;

    LlmException(Builder b) {
        super(b.composeMessage(), b.cause);
        this.givenMessage = b.message;
        this.note = b.note;
        this.kind = b.kind;
        this.provider = b.provider;
        this.statusCode = b.statusCode;
        this.errorType = b.errorType;
        this.errorCode = b.errorCode;
        this.providerMessage = b.providerMessage;
        this.requestId = b.requestId;
        this.retryAfter = b.retryAfter;
        this.retryable = b.retryable != null ? b.retryable : defaultRetryable(b.kind, b.statusCode);
    }

    private static boolean defaultRetryable(Kind kind, int status) {
        return switch (kind) {
            case RATE_LIMITED, UNAVAILABLE, TIMEOUT, NETWORK -> true;
            case SERVER_ERROR -> status == 0 || status >= 500 || status == 408 || status == 409;
            default -> false;
        };
    }

    /** {@return what went wrong} */
    public Kind kind() {
        return kind;
    }

    /** {@return the provider's name, such as "openai"; null when no provider was involved} */
    public String provider() {
        return provider;
    }

    /** {@return the HTTP status, or 0 when there was no HTTP response} */
    public int statusCode() {
        return statusCode;
    }

    /** {@return the provider's error type, such as "invalid_request_error"; null when not given} */
    public String errorType() {
        return errorType;
    }

    /** {@return the provider's error code, such as "insufficient_quota"; null when not given} */
    public String errorCode() {
        return errorCode;
    }

    /** {@return the provider's own error message; null when not given} */
    public String providerMessage() {
        return providerMessage;
    }

    /** {@return the provider's request id, to quote to its support; null when not known} */
    public String requestId() {
        return requestId;
    }

    /** {@return how long the provider asked to wait before retrying; null when it did not say} */
    public Duration retryAfter() {
        return retryAfter;
    }

    /**
     * {@return whether trying again may succeed}: rate limits, overload, timeouts, network
     * failures and server errors (HTTP 408, 409, 5xx), unless the provider said otherwise with
     * {@code x-should-retry}.
     */
    public boolean retryable() {
        return retryable;
    }

    /**
     * {@return a builder for an error of {@code kind}}
     *
     * @param kind what kind of failure it is
     */
    public static Builder newBuilder(Kind kind) {
        return new Builder(kind);
    }

    /**
     * {@return a builder holding everything this error holds}: its kind, message and note as
     * they were given (the provider, status and request id are added again when it builds),
     * fields, retryability and cause, to make a changed copy. A policy that gives up uses it to
     * add a {@linkplain Builder#note note} and make the original the cause, so that the caller
     * still gets the same kind and subclass.
     */
    public Builder toBuilder() {
        Builder b = new Builder(kind);
        b.message = givenMessage;
        b.note = note;
        b.provider = provider;
        b.statusCode = statusCode;
        b.errorType = errorType;
        b.errorCode = errorCode;
        b.providerMessage = providerMessage;
        b.requestId = requestId;
        b.retryAfter = retryAfter;
        b.retryable = retryable;
        b.cause = getCause();
        return b;
    }

    /**
     * Builds an {@link LlmException} of the subclass for its kind when there is one. Not
     * thread-safe.
     */
    public static final class Builder {
        private final Kind kind;
        private String message;
        private String provider;
        private int statusCode;
        private String errorType;
        private String errorCode;
        private String providerMessage;
        private String requestId;
        private Duration retryAfter;
        private Boolean retryable;
        private Throwable cause;
        private String note;

        private Builder(Kind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
        }

        /**
         * Sets what happened, for a person; the context is added to it.
         *
         * @param message what happened, for a person; the context is added to it
         * @return this builder
         */
        public Builder message(String message) {
            this.message = message;
            return this;
        }

        /**
         * Sets the provider's name.
         *
         * @param provider the provider's name
         * @return this builder
         */
        public Builder provider(String provider) {
            this.provider = provider;
            return this;
        }

        /**
         * Sets the HTTP status, or 0.
         *
         * @param statusCode the HTTP status, or 0
         * @return this builder
         */
        public Builder statusCode(int statusCode) {
            this.statusCode = statusCode;
            return this;
        }

        /**
         * Sets the provider's error type.
         *
         * @param errorType the provider's error type
         * @return this builder
         */
        public Builder errorType(String errorType) {
            this.errorType = errorType;
            return this;
        }

        /**
         * Sets the provider's error code.
         *
         * @param errorCode the provider's error code
         * @return this builder
         */
        public Builder errorCode(String errorCode) {
            this.errorCode = errorCode;
            return this;
        }

        /**
         * Sets the provider's own message.
         *
         * @param providerMessage the provider's own message
         * @return this builder
         */
        public Builder providerMessage(String providerMessage) {
            this.providerMessage = providerMessage;
            return this;
        }

        /**
         * Sets the provider's request id.
         *
         * @param requestId the provider's request id
         * @return this builder
         */
        public Builder requestId(String requestId) {
            this.requestId = requestId;
            return this;
        }

        /**
         * Sets how long the provider asked to wait.
         *
         * @param retryAfter how long the provider asked to wait
         * @return this builder
         */
        public Builder retryAfter(Duration retryAfter) {
            this.retryAfter = retryAfter;
            return this;
        }

        /**
         * Sets whether a retry may succeed, overriding the default for the kind.
         *
         * @param retryable whether a retry may succeed, overriding the default for the kind
         * @return this builder
         */
        public Builder retryable(boolean retryable) {
            this.retryable = retryable;
            return this;
        }

        /**
         * Sets the underlying exception.
         *
         * @param cause the underlying exception
         * @return this builder
         */
        public Builder cause(Throwable cause) {
            this.cause = cause;
            return this;
        }

        /**
         * Adds a note at the end of the message, after the provider's details and before the
         * request id, such as {@code (gave up after 3 attempts)}; a second note follows the first.
         *
         * @param note what to add
         * @return this builder
         */
        public Builder note(String note) {
            this.note = this.note == null ? note : this.note + " " + note;
            return this;
        }

        private String composeMessage() {
            StringBuilder sb = new StringBuilder();
            if (provider != null) {
                sb.append(provider).append(": ");
            }
            sb.append(message != null ? message : defaultMessage());
            if (statusCode != 0 && (message == null || !message.contains("HTTP " + statusCode))) {
                sb.append(" (HTTP ").append(statusCode);
                if (errorCode != null) {
                    sb.append(", ").append(errorCode);
                } else if (errorType != null) {
                    sb.append(", ").append(errorType);
                }
                sb.append(')');
            }
            if (providerMessage != null && (message == null || !message.contains(providerMessage))) {
                sb.append(": ").append(providerMessage);
            }
            if (note != null) {
                sb.append(' ').append(note);
            }
            if (requestId != null) {
                sb.append(" [request id ").append(requestId).append(']');
            }
            return sb.toString();
        }

        private String defaultMessage() {
            return switch (kind) {
                case AUTHENTICATION -> "authentication failed; check the API key";
                case PERMISSION_DENIED -> "permission denied";
                case NOT_FOUND -> "not found";
                case INVALID_REQUEST -> "invalid request";
                case RATE_LIMITED -> "rate limited";
                case QUOTA_EXCEEDED -> "quota or balance exhausted";
                case UNAVAILABLE -> "provider unavailable or overloaded";
                case SERVER_ERROR -> "provider error";
                case TIMEOUT -> "timed out";
                case NETWORK -> "network error";
                case STREAM_INTERRUPTED -> "stream interrupted";
                case UNSUPPORTED -> "not supported";
                case BUDGET_EXCEEDED -> "budget exceeded";
                case CONFIGURATION -> "not configured";
            };
        }

        /** {@return the exception, of the subclass for its kind when there is one} */
        public LlmException build() {
            return switch (kind) {
                case AUTHENTICATION -> new AuthenticationException(this);
                case INVALID_REQUEST -> new InvalidRequestException(this);
                case RATE_LIMITED -> new RateLimitException(this);
                case TIMEOUT -> new LlmTimeoutException(this);
                case UNSUPPORTED -> new UnsupportedCapabilityException(this);
                case BUDGET_EXCEEDED -> new BudgetExceededException(this);
                case CONFIGURATION -> new ConfigurationException(this);
                case PERMISSION_DENIED, NOT_FOUND, QUOTA_EXCEEDED, UNAVAILABLE, SERVER_ERROR, NETWORK,
                        STREAM_INTERRUPTED -> new LlmException(this);
            };
        }
    }
}
