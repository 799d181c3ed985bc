/**
 * Streaming plumbing shared by every provider: framing decoders for Server-Sent Events
 * ({@link dev.parley.http.SseDecoder}) and newline-delimited JSON
 * ({@link dev.parley.http.NdjsonDecoder}), a demand-counting
 * {@link java.util.concurrent.Flow.Subscription} base
 * ({@link dev.parley.http.AbstractSubscription}), a publisher that turns an HTTP response body into
 * decoded items with backpressure ({@link dev.parley.http.DecodingPublisher}), and a blocking
 * iterator for virtual-thread code ({@link dev.parley.http.BlockingIterator}).
 *
 * <p>This package is internal: it is not exported by the {@code dev.parley} module. Types are
 * {@code public} only where another Parley package must use them.
 */
package dev.parley.http;
