package dev.parley.http;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for {@code BodyHandlers.ofPublisher()}'s body publisher that the test drives by hand:
 * it records how many chunks were requested and how often the subscription was cancelled, and
 * refuses to send a chunk nobody asked for. Optionally it answers each request synchronously
 * from a script of chunks, as a fast network would, to exercise re-entrant delivery.
 *
 * <p>Thread-safe for one test thread driving it while the subscriber runs elsewhere.
 */
final class ManualUpstream implements Flow.Publisher<List<ByteBuffer>> {

    final AtomicLong requested = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final AtomicInteger cancels = new AtomicInteger();
    final AtomicInteger subscribes = new AtomicInteger();
    private final List<byte[]> script = new ArrayList<>();
    private boolean completeAfterScript;
    private volatile Flow.Subscriber<? super List<ByteBuffer>> subscriber;
    private int scriptIndex;
    private boolean scripting;

    /** Makes each request(n) deliver the next scripted chunks synchronously, then complete. */
    ManualUpstream scripted(List<byte[]> chunks, boolean complete) {
        script.addAll(chunks);
        completeAfterScript = complete;
        scripting = true;
        return this;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super List<ByteBuffer>> s) {
        subscribes.incrementAndGet();
        subscriber = s;
        s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                assertTrue(n > 0, "non-positive upstream request " + n);
                requested.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                if (scripting) {
                    pump();
                }
            }

            @Override
            public void cancel() {
                cancels.incrementAndGet();
            }
        });
    }

    private void pump() {
        while (outstanding() > 0 && scriptIndex < script.size() && cancels.get() == 0) {
            send(script.get(scriptIndex++));
        }
        if (scriptIndex == script.size() && completeAfterScript && cancels.get() == 0) {
            completeAfterScript = false;
            complete();
        }
    }

    long outstanding() {
        return requested.get() - delivered.get();
    }

    void send(String text) {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) {
        sendBuffers(List.of(ByteBuffer.wrap(bytes)));
    }

    void sendBuffers(List<ByteBuffer> buffers) {
        assertNotNull(subscriber, "nobody subscribed");
        assertTrue(outstanding() > 0, "chunk sent without upstream demand");
        delivered.incrementAndGet();
        subscriber.onNext(buffers);
    }

    /** Sends a chunk even though nobody asked for it (a misbehaving upstream). */
    void sendUnrequested(String text) {
        delivered.incrementAndGet();
        subscriber.onNext(List.of(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
    }

    void complete() {
        subscriber.onComplete();
    }

    void error(Throwable t) {
        subscriber.onError(t);
    }
}
