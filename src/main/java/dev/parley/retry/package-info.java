/**
 * Retries: {@link dev.parley.retry.RetryPolicy} retries what may succeed on a second try, with
 * backoff and within the call's deadline. It is a {@link dev.parley.spi.Policy}; put the timeout
 * ({@link dev.parley.timeout.TimeoutPolicy}) inside it, so that each attempt gets its own timeout
 * and a timed-out attempt is retried:
 * {@snippet :
 * Provider p = Policy.stack(openai, List.of(retry, timeouts));
 * }
 */
package dev.parley.retry;
