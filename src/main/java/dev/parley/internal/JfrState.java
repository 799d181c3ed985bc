package dev.parley.internal;

import jdk.jfr.FlightRecorder;

/**
 * Whether Flight Recorder has started in this JVM. Loaded only when the {@code jdk.jfr} module
 * is present; loading {@code FlightRecorder} costs nothing much, unlike loading an event class,
 * which initialises Flight Recorder's machinery.
 */
final class JfrState {

    private JfrState() {
    }

    /** {@return whether Flight Recorder has been initialised (a recording was started at some point)} */
    static boolean initialized() {
        return FlightRecorder.isInitialized();
    }
}
