package dev.parley.internal.redis;

/**
 * A Redis command that did not succeed. {@link Kind#REPLY}: Redis answered with an error (its
 * text is the message, such as {@code "WRONGTYPE Operation against a key ..."}); the connection is
 * fine. {@link Kind#UNAVAILABLE}: no answer could be had in time (cannot connect, connection lost,
 * timeout, a reply that breaks the protocol, the client closed); callers fall back.
 *
 * <p>Messages name the server by host and port, never a password.
 */
public final class RedisException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** Redis answered with an error reply. */
        REPLY,
        /** Redis could not be reached or did not answer properly in time. */
        UNAVAILABLE
    }

    private final Kind kind;
    /** Refused without touching the network while the client waits out its backoff. */
    private boolean backingOff;

    RedisException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    RedisException(Kind kind, String message, Throwable cause) {
        super(message, cause, false, true);
        this.kind = kind;
    }

    static RedisException reply(String text) {
        return new RedisException(Kind.REPLY, text);
    }

    static RedisException unavailable(String message) {
        return new RedisException(Kind.UNAVAILABLE, message);
    }

    /** {@return an UNAVAILABLE failure for a command refused during the backoff, which repeats the last error} */
    static RedisException backingOff(String message) {
        RedisException e = new RedisException(Kind.UNAVAILABLE, message);
        e.backingOff = true;
        return e;
    }

    /** {@return whether the command was refused during the backoff, without trying Redis} */
    boolean backingOff() {
        return backingOff;
    }

    static RedisException unavailable(String message, Throwable cause) {
        return new RedisException(Kind.UNAVAILABLE, message, cause);
    }

    /** {@return what went wrong} */
    public Kind kind() {
        return kind;
    }

    /** {@return whether Redis could not be reached or did not answer in time} */
    public boolean unavailable() {
        return kind == Kind.UNAVAILABLE;
    }

    /** {@return the first word of an error reply, such as {@code "NOSCRIPT"}, or "" } */
    String code() {
        String m = getMessage();
        if (kind != Kind.REPLY || m == null) {
            return "";
        }
        int space = m.indexOf(' ');
        return space < 0 ? m : m.substring(0, space);
    }
}
