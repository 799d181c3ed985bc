package dev.parley.support;

import java.util.Random;
import java.util.function.Consumer;

/**
 * Seeded, reproducible fuzzing. Each case runs with its own {@code new Random(seed)}, so a
 * failure names the one seed that reproduces it; add that seed to the test's list of regression
 * seeds, which run on every build.
 *
 * <p>A build runs a short pass ({@code defaultIterations} seeds, a few seconds in all). A long run,
 * on demand:
 * <pre>
 *   mvn -q test -Dtest='*FuzzTest' -Dparley.fuzz.iterations=200000 [-Dparley.fuzz.seed=1000000]
 * </pre>
 * {@code parley.fuzz.seed} is the first seed (default 1); seeds run consecutively from it.
 */
public final class Fuzz {

    private Fuzz() {
    }

    /**
     * Runs {@code test} for each regression seed, then for the seeds of this run.
     *
     * @param defaultIterations how many seeds a normal build runs
     * @param regressions       seeds that failed once, always run
     * @param test              one case, given its random source
     */
    public static void run(int defaultIterations, long[] regressions, Consumer<Random> test) {
        for (long seed : regressions) {
            runOne(seed, test);
        }
        int iterations = Integer.getInteger("parley.fuzz.iterations", defaultIterations);
        long first = Long.getLong("parley.fuzz.seed", 1);
        for (long seed = first; seed < first + iterations; seed++) {
            runOne(seed, test);
        }
    }

    private static void runOne(long seed, Consumer<Random> test) {
        try {
            test.accept(new Random(seed));
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("fuzz seed " + seed + " failed (add it to the regression seeds): " + e.getMessage(), e);
        }
    }
}
