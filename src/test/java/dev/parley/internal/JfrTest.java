package dev.parley.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import dev.parley.Llm;
import dev.parley.testing.ScriptedProvider;

/** Calls are recorded as dev.parley.Call events once Flight Recorder runs, however late it starts. */
class JfrTest {

    @Test
    void callsAreRecorded_onceARecordingRuns() throws Exception {
        Llm llm = Llm.newBuilder().provider(ScriptedProvider.newBuilder("scripted").reply("hi").build())
                .defaultModel("m").build();
        llm.chat("before any recording"); // must not fail, recorded or not
        Path file = Files.createTempFile("parley-jfr", ".jfr");
        try (Recording r = new Recording()) {
            r.enable("dev.parley.Call");
            r.start();
            assertTrue(FlightRecorder.isInitialized());
            llm.chat("one");
            llm.chat("two");
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.parley.Call")).toList();
        Files.deleteIfExists(file);
        assertEquals(2, events.size());
        assertEquals("chat", events.get(0).getString("operation"));
        assertEquals("scripted", events.get(0).getString("provider"));
    }
}
