/**
 * Policies that make calls survive transient failures: {@link dev.parley.retry.RetryPolicy}
 * retries what may succeed on a second try, with backoff and within the call's deadline, and
 * {@link dev.parley.retry.TimeoutPolicy} bounds how long an attempt, a stream's first chunk and
 * the gaps between chunks may take.
 *
 * <p>Each policy is an immutable value that {@linkplain dev.parley.retry.RetryPolicy#decorate
 * decorates} a {@link dev.parley.spi.Provider}. Put the timeout inside the retry, so that each
 * attempt gets its own timeout and a timed-out attempt is retried:
 * {@snippet :
 * Provider p = retry.decorate(timeouts.decorate(openai));
 * }
 */
package dev.parley.retry;
