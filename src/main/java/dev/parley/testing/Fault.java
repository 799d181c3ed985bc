package dev.parley.testing;

import java.time.Duration;
import java.util.Objects;

/**
 * A failure {@link FakeLlmServer} applies to one request, to test how a client copes.
 *
 * {@snippet :
 * server.enqueue(Fault.rateLimited(Duration.ofSeconds(2)));   // the next request gets a 429
 * server.failNext(3, Fault.status(503));                        // the three after it a 503
 * server.enqueue(Fault.cutAfter(4));                            // then a stream dropped after 4 frames
 * }
 *
 * <p>Faults that answer with a status send an error body in the shape of the provider whose path
 * was called (OpenAI, Anthropic or Ollama). "Frames" are the pieces of a streamed body: SSE
 * events (OpenAI chunks, {@code [DONE]}, Anthropic events) or NDJSON lines (Ollama). Immutable
 * and thread-safe.
 */
public final class Fault {

    /** What the fault does. */
    enum Kind { STATUS, RESET, STALL, CUT, TRUNCATE, TRICKLE }

    final Kind kind;
    final int status;
    final Duration retryAfter;
    final int frames;
    final int bytesPerWrite;
    final Duration pause;

    private Fault(Kind kind, int status, Duration retryAfter, int frames, int bytesPerWrite, Duration pause) {
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
        this.frames = frames;
        this.bytesPerWrite = bytesPerWrite;
        this.pause = pause;
    }

    /**
     * {@return an error answer with this status}, such as 400, 401, 404, 500, 503 or 529
     * (Anthropic's {@code overloaded_error}), with the error type the provider uses for it
     *
     * @param status 400 to 599
     */
    public static Fault status(int status) {
        return status(status, null);
    }

    /**
     * {@return an error answer with this status and a {@code Retry-After} header}: whole
     * seconds, rounded up, and {@code retry-after-ms} with the exact milliseconds
     *
     * @param status     400 to 599
     * @param retryAfter how long to ask the client to wait, or null for no header
     */
    public static Fault status(int status, Duration retryAfter) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status: expected 400 to 599, got " + status);
        }
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter: must not be negative");
        }
        return new Fault(Kind.STATUS, status, retryAfter, 0, 0, null);
    }

    /**
     * {@return a 429 rate-limit answer asking the client to wait {@code retryAfter}}
     *
     * @param retryAfter the wait the answer's {@code Retry-After} header asks for
     */
    public static Fault rateLimited(Duration retryAfter) {
        return status(429, Objects.requireNonNull(retryAfter, "retryAfter"));
    }

    /** {@return a 529 overloaded answer, as Anthropic sends} */
    public static Fault overloaded() {
        return status(529);
    }

    /** {@return a connection closed before any response header: the client sees an I/O error} */
    public static Fault resetBeforeHeaders() {
        return new Fault(Kind.RESET, 0, null, 0, 0, null);
    }

    /**
     * {@return a stall: the response headers are sent, then nothing} until {@code max} has passed
     * or the server stops, when the connection is dropped; use it to test read timeouts
     *
     * @param max how long to stall at most; positive
     */
    public static Fault stall(Duration max) {
        if (max == null || max.isNegative() || max.isZero()) {
            throw new IllegalArgumentException("max: must be positive, got " + max);
        }
        return new Fault(Kind.STALL, 0, null, 0, 0, max);
    }

    /**
     * {@return a connection dropped after {@code frames} frames of a stream}, without the
     * provider's end marker and without HTTP's end of body, as when a network path breaks; a
     * plain body is dropped after half of it
     *
     * @param frames how many frames to send first; 0 or more
     */
    public static Fault cutAfter(int frames) {
        return new Fault(Kind.CUT, 0, null, nonNegative(frames), 0, null);
    }

    /**
     * {@return a stream that ends cleanly at the HTTP level after {@code frames} frames}, but
     * without the rest, so without the provider's end marker ({@code [DONE]},
     * {@code message_stop}, {@code done: true}), as when a proxy closes early
     *
     * @param frames how many frames to send; 0 or more
     */
    public static Fault truncateAfter(int frames) {
        return new Fault(Kind.TRUNCATE, 0, null, nonNegative(frames), 0, null);
    }

    /**
     * {@return a body that trickles}: {@code bytesPerWrite} bytes at a time, flushed, with
     * {@code pause} between writes, for plain bodies and streams alike
     *
     * @param bytesPerWrite how many bytes each write sends, at least 1
     * @param pause the wait between two writes
     */
    public static Fault trickle(int bytesPerWrite, Duration pause) {
        if (bytesPerWrite < 1) {
            throw new IllegalArgumentException("bytesPerWrite: expected at least 1, got " + bytesPerWrite);
        }
        if (pause == null || pause.isNegative()) {
            throw new IllegalArgumentException("pause: must not be negative, got " + pause);
        }
        return new Fault(Kind.TRICKLE, 0, null, 0, bytesPerWrite, pause);
    }

    private static int nonNegative(int frames) {
        if (frames < 0) {
            throw new IllegalArgumentException("frames: must not be negative, got " + frames);
        }
        return frames;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case STATUS -> "Fault.status(" + status + (retryAfter == null ? "" : ", retryAfter=" + retryAfter) + ")";
            case RESET -> "Fault.resetBeforeHeaders()";
            case STALL -> "Fault.stall(" + pause + ")";
            case CUT -> "Fault.cutAfter(" + frames + ")";
            case TRUNCATE -> "Fault.truncateAfter(" + frames + ")";
            case TRICKLE -> "Fault.trickle(" + bytesPerWrite + ", " + pause + ")";
        };
    }
}
