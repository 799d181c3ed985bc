package dev.parley;

import java.time.Duration;

/**
 * Observes calls, for tracing and metrics bridges (OpenTelemetry, Micrometer ...) that Parley
 * itself does not depend on.
 *
 * {@snippet :
 * Llm llm = Llm.newBuilder()
 *         .provider(provider)
 *         .listener(new LlmListener() {
 *             @Override
 *             public void onEnd(CallInfo call, Usage usage, Duration elapsed) {
 *                 meter.record(call.model(), elapsed, usage.totalTokens());
 *             }
 *         })
 *         .build();
 * }
 *
 * <p>Methods run on the caller's thread, or for streams on the thread delivering the chunk;
 * they must be quick, thread-safe, and must not throw (what they throw is ignored). No prompt or
 * completion text is passed except inside stream chunks.
 */
public interface LlmListener {

    /**
     * A call started.
     *
     * @param call the call
     */
    default void onStart(CallInfo call) {
    }

    /**
     * The provider is being called: once per attempt, so retries show as attempts after the
     * first; a call answered from the cache has none.
     *
     * @param call the call
     * @param attempt from 1
     */
    default void onAttempt(CallInfo call, int attempt) {
    }

    /**
     * The call is about to wait before it can go on: for a rate-limit permit, or before a retry.
     * Called while a lock may be held: be quick, and do not call the {@link Llm} from here.
     *
     * @param call the call
     * @param what what it waits for, for a person, such as "a rate-limit permit: the request
     *             limit (60 per 1m)" or "a retry (attempt 2) after: ..."
     * @param wait how long it expects to wait
     */
    default void onWait(CallInfo call, String what, Duration wait) {
    }

    /**
     * A stream delivered a chunk.
     *
     * @param call the call
     * @param chunk the chunk
     */
    default void onChunk(CallInfo call, ChatChunk chunk) {
    }

    /**
     * A call succeeded (a stream: completed).
     *
     * @param call the call
     * @param usage the tokens it used
     * @param elapsed the time from its start
     */
    default void onEnd(CallInfo call, Usage usage, Duration elapsed) {
    }

    /**
     * A call failed.
     *
     * @param call the call
     * @param error why it failed
     * @param elapsed the time from its start
     */
    default void onError(CallInfo call, LlmException error, Duration elapsed) {
    }
}
