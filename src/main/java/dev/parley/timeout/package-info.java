/**
 * Timeouts: {@link dev.parley.timeout.TimeoutPolicy} bounds how long an attempt, a stream's first
 * chunk and the gaps between chunks may take, never past the call's overall deadline. One shared
 * timer thread times every call and stream on the system ticker.
 */
package dev.parley.timeout;
