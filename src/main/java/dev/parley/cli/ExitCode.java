package dev.parley.cli;

import dev.parley.LlmException;

/** The exit codes of the {@code parley} command, documented in {@code parley --help} and the README. */
enum ExitCode {
    /** It worked. */
    OK(0),
    /** An unexpected failure. */
    FAILURE(1),
    /** The command line is wrong. */
    USAGE(2),
    /** A setting is missing or malformed (an API key, a URL). */
    CONFIGURATION(3),
    /** The provider rejected the key, or it may not use the model. */
    AUTHENTICATION(4),
    /** Rate limited, or the quota or budget is used up. */
    RATE_LIMIT(5),
    /** A deadline passed. */
    TIMEOUT(6),
    /** The provider failed, or the network failed. */
    PROVIDER(7),
    /** The provider rejected the request as invalid: a bad parameter, an unknown model or endpoint, an unsupported feature. */
    INVALID_REQUEST(8);

    final int code;

    ExitCode(int code) {
        this.code = code;
    }

    static ExitCode of(LlmException e) {
        return switch (e.kind()) {
            case CONFIGURATION -> CONFIGURATION;
            case AUTHENTICATION, PERMISSION_DENIED -> AUTHENTICATION;
            case RATE_LIMITED, QUOTA_EXCEEDED, BUDGET_EXCEEDED -> RATE_LIMIT;
            case TIMEOUT -> TIMEOUT;
            case INVALID_REQUEST, NOT_FOUND, UNSUPPORTED -> INVALID_REQUEST;
            default -> PROVIDER;
        };
    }
}
