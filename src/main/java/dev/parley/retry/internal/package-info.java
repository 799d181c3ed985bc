/**
 * Plumbing shared by the retry, timeout and routing policies and not part of Parley's API
 * (not exported): {@link dev.parley.retry.internal.Relay}, the publisher that moves a stream to a
 * new attempt when one fails before its first item, and {@link dev.parley.retry.internal.Errors}.
 */
package dev.parley.retry.internal;
