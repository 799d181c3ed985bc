/**
 * Client-side rate limiting for providers: {@link dev.parley.limit.RateLimitPolicy} decorates a
 * {@link dev.parley.spi.Provider} so that calls wait their turn for request, token and
 * concurrency permits, and follow the limits the provider reports in its response headers.
 */
package dev.parley.limit;
