package dev.parley.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import dev.parley.ChatRequest;
import dev.parley.Llm;
import dev.parley.Message;
import dev.parley.cache.CachePolicy;
import dev.parley.gateway.Gateway;
import dev.parley.limit.RateLimitPolicy;
import dev.parley.retry.RetryPolicy;
import dev.parley.testing.FakeLlmServer;
import dev.parley.testing.Fault;

/**
 * Concurrent chats, streams and gateway calls run under Flight Recorder's
 * {@code jdk.VirtualThreadPinned} event, and no virtual thread may be pinned while Parley's own
 * code is on its stack: a pinned virtual thread holds its carrier, and with two cores two of them
 * stall every other call.
 *
 * <p>The workload runs once to warm up (a class's first use pins its virtual thread while the
 * class loads, once per class and JVM), then again under the recording. It goes through the places where a call waits: the rate limiter's queue (more
 * callers than permits), the cache's coalescing of identical requests, retries after 429s, the
 * stream relay and the gateway's handler threads. On JDK 24 and newer {@code synchronized} no
 * longer pins (JEP 491), so there this finds pinning by native frames or class initialisation; on
 * JDK 21 it also finds a blocking call inside {@code synchronized}.
 */
class VirtualThreadPinningTest {

    @Test
    void concurrentCalls_neverPinAVirtualThreadInsideParley() throws Exception {
        Path file = Files.createTempFile("parley-pinning", ".jfr");
        try (FakeLlmServer upstream = FakeLlmServer.newBuilder().reply("pinned or not").streamChunks(6)
                .latency(Duration.ofMillis(2)).build().start()) {
            upstream.failNext(6, Fault.rateLimited(Duration.ofMillis(20)));
            Llm llm = Llm.newBuilder()
                    .provider("openai-compatible")
                    .settings(Map.of("OPENAI_BASE_URL", upstream.uri("/v1").toString(), "OPENAI_API_KEY", "k"))
                    .defaultModel("m")
                    .rateLimit(RateLimitPolicy.newBuilder().maxConcurrent(4).build())
                    .cache(CachePolicy.newBuilder().expireAfterWrite(Duration.ofMinutes(1)).build())
                    .retry(RetryPolicy.newBuilder().maxAttempts(4).baseDelay(Duration.ofMillis(5)).build())
                    .build();
            try (Gateway gateway = Gateway.newBuilder().host("127.0.0.1").port(0).defaultRoute(llm)
                         .maxConnectionsPerAddress(512).build().start();
                 Recording recording = new Recording()) {
                runWorkload(llm, gateway.uri());   // warm-up: the first use of a class pins while it loads
                upstream.failNext(6, Fault.rateLimited(Duration.ofMillis(20)));
                recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
                recording.start();
                runWorkload(llm, gateway.uri());
                recording.stop();
                recording.dump(file);
            }
        }
        List<RecordedEvent> pinnedInParley = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("jdk.VirtualThreadPinned") && insideParley(e)) {
                pinnedInParley.add(e);
            }
        }
        Files.deleteIfExists(file);
        assertTrue(pinnedInParley.isEmpty(), () -> pinnedInParley.size() + " pinned virtual threads:\n"
                + pinnedInParley.stream().map(RecordedEvent::toString).distinct().limit(5).toList());
    }

    private static void runWorkload(Llm llm, URI gateway) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        List<Future<String>> answers = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 48; i++) {
                String prompt = "question " + (i % 8);       // repeated prompts: cache hits and coalescing
                answers.add(callers.submit(() -> llm.chat(prompt).text()));
                answers.add(callers.submit(() -> llm.stream(ChatRequest.newBuilder()
                        .addMessage(Message.user("stream " + prompt)).build()).collect().text()));
                answers.add(callers.submit(() -> client.send(HttpRequest.newBuilder(gateway.resolve("/v1/chat/completions"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"gw " + prompt + "\"}]}"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body()));
            }
            for (int i = 0; i < answers.size(); i++) {
                String answer = answers.get(i).get();
                if (i % 3 == 2) {
                    assertTrue(answer.endsWith("data: [DONE]\n\n"), answer);
                } else {
                    assertEquals("pinned or not", answer);
                }
            }
        }
    }

    /**
     * {@return whether Parley's code is on the pinned thread's stack}, leaving out a class being
     * loaded: that pins once per class and JVM, whatever the code, and the first use of a path
     * (a cache hit replayed as a stream, say) may come only in the recorded run. Also left out: a
     * pin inside the JDK's own flight recorder ({@code jdk.jfr.internal}, such as its string
     * pool's monitor while Parley's call event is written), which exists only while a recording
     * runs, as this test's own does, and is the JDK's, not Parley's.
     */
    private static boolean insideParley(RecordedEvent e) {
        if (e.getStackTrace() == null || e.getStackTrace().getFrames().isEmpty()) {
            return false;
        }
        if (e.getStackTrace().getFrames().get(0).getMethod().getType().getName().startsWith("jdk.jfr.internal.")) {
            return false;
        }
        for (RecordedFrame f : e.getStackTrace().getFrames()) {
            String type = f.getMethod().getType().getName();
            if (type.equals("java.lang.ClassLoader") && f.getMethod().getName().equals("loadClass")) {
                return false;
            }
            if (type.startsWith("dev.parley.") && !type.endsWith("Test") && !type.contains("Test$")) {
                return true;
            }
        }
        return false;
    }
}
