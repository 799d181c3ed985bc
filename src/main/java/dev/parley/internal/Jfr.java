package dev.parley.internal;

import dev.parley.Usage;

/**
 * Records a JDK Flight Recorder event per call when the {@code jdk.jfr} module is present (it
 * is optional: {@code requires static}); does nothing otherwise, so a {@code jlink} image
 * without it still works.
 */
public final class Jfr {

    private static volatile Boolean available;

    private Jfr() {
    }

    private static boolean available() {
        Boolean a = available;
        if (a == null) {
            a = ModuleLayer.boot().findModule("jdk.jfr").isPresent();
            available = a;
        }
        return a;
    }

    /** Records one finished call; {@code errorKind} is null for a success. */
    public static void call(String operation, String provider, String model, long nanos, int attempts, Usage usage,
                            String errorKind) {
        if (available()) {
            CallEvent.commit(operation, provider, model, nanos, attempts, usage, errorKind);
        }
    }
}
