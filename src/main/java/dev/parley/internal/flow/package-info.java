/**
 * {@code Flow} plumbing shared by the HTTP streams and the policies, not part of Parley's API
 * (not exported): {@link dev.parley.internal.flow.AbstractSubscription} (demand, serialized
 * signals, cancellation), {@link dev.parley.internal.flow.BlockingIterator} (a publisher read on
 * a virtual thread), and {@link dev.parley.internal.flow.Relay} with its subscription (a stream
 * that moves to a new attempt when one fails before its first item).
 */
package dev.parley.internal.flow;
