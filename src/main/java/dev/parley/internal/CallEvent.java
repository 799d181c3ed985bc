package dev.parley.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

import dev.parley.Usage;

/** The Flight Recorder event of one call. Only loaded when {@code jdk.jfr} is present. */
@Name("dev.parley.Call")
@Label("LLM Call")
@Category({"Parley"})
@Description("One call through a Parley client: chat, stream, embed or models")
@StackTrace(false)
final class CallEvent extends Event {

    @Label("Operation")
    String operation;
    @Label("Provider")
    String provider;
    @Label("Model")
    String model;
    @Label("Latency")
    @Timespan(Timespan.NANOSECONDS)
    long latency;
    @Label("Attempts")
    int attempts;
    @Label("Input Tokens")
    long inputTokens;
    @Label("Output Tokens")
    long outputTokens;
    @Label("Error Kind")
    String error;

    static void commit(String operation, String provider, String model, long nanos, int attempts, Usage usage,
                       String errorKind) {
        CallEvent e = new CallEvent();
        if (!e.isEnabled()) {
            return;
        }
        e.operation = operation;
        e.provider = provider;
        e.model = model;
        e.latency = nanos;
        e.attempts = attempts;
        if (usage != null) {
            e.inputTokens = usage.inputTokens();
            e.outputTokens = usage.outputTokens();
        }
        e.error = errorKind;
        e.commit();
    }
}
