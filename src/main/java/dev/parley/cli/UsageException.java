package dev.parley.cli;

/** A command line that cannot be run; its message says what is wrong and how to fix it. */
final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
