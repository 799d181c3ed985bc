package dev.parley.tools;

import dev.parley.ToolCall;

/**
 * A tool registered to end the loop when it fails did fail; the tool's own exception is the
 * cause.
 */
public final class ToolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient ToolCall call;

    ToolException(ToolCall call, String message, Throwable cause) {
        super(message, cause);
        this.call = call;
    }

    /** {@return the call that failed} */
    public ToolCall call() {
        return call;
    }
}
