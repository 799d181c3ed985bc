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

    /**
     * Records one finished call; {@code errorKind} is null for a success. Nothing happens, and
     * the event class is not even loaded, until Flight Recorder has started in this JVM (from
     * {@code -XX:StartFlightRecording}, {@code jcmd JFR.start} or the API): loading an event
     * class initialises Flight Recorder, about 200 classes, a cost a short-lived command would
     * pay on its first call for nothing. Once it has started, every call is recorded.
     */
    public static void call(String operation, String provider, String model, long nanos, int attempts, Usage usage,
                            String errorKind) {
        if (available() && JfrState.initialized()) {
            CallEvent.commit(operation, provider, model, nanos, attempts, usage, errorKind);
        }
    }
}
