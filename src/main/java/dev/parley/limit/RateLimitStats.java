package dev.parley.limit;

import java.time.Duration;
import java.util.Objects;

/**
 * A snapshot of a {@link RateLimitPolicy}'s counters, from {@link RateLimitPolicy#stats()}.
 * Immutable.
 *
 * {@snippet :
 * RateLimitStats s = limits.stats();
 * System.out.println(s.waitingCount() + " waiting, average wait " + s.averageWait().toMillis() + " ms");
 * }
 *
 * @param grantedCount  calls that were let through since the policy was built
 * @param rejectedCount calls that gave up because their deadline would pass (or passed) first
 * @param waitingCount  calls waiting for a permit now
 * @param inFlightCount calls holding a permit now (a stream until it ends)
 * @param averageWait   the mean time granted calls waited, zero waits included; zero before any
 */
public record RateLimitStats(long grantedCount, long rejectedCount, int waitingCount, int inFlightCount,
                             Duration averageWait) {

    /** Validates the snapshot. */
    public RateLimitStats {
        Objects.requireNonNull(averageWait, "averageWait");
        if (grantedCount < 0 || rejectedCount < 0 || waitingCount < 0 || inFlightCount < 0 || averageWait.isNegative()) {
            throw new IllegalArgumentException("rate limit stats: counts and wait must not be negative");
        }
    }
}
