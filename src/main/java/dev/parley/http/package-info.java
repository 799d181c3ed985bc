/**
 * Streaming plumbing shared by every provider: framing decoders for Server-Sent Events
 * ({@link dev.parley.http.SseDecoder}) and newline-delimited JSON
 * ({@link dev.parley.http.NdjsonDecoder}), a publisher that turns an HTTP response body into
 * decoded items with backpressure ({@link dev.parley.http.DecodingPublisher}), and the
 * {@link dev.parley.http.Transport} that sends requests. The {@code Flow} helpers they build on
 * are in {@code dev.parley.internal.flow}.
 *
 * <p>This package is internal: it is not exported by the {@code dev.parley} module. Types are
 * {@code public} only where another Parley package must use them.
 */
package dev.parley.http;
