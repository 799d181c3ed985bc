package dev.parley.gateway;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.ModelInfo;
import dev.parley.internal.flow.AbstractSubscription;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;

/**
 * A provider whose one stream the test drives chunk by chunk, and which tells, through latches,
 * when the stream was subscribed to and when it was cancelled (as an HTTP adapter would abort
 * its exchange). Thread-safe.
 */
final class ControlledProvider implements Provider {

    final CountDownLatch subscribed = new CountDownLatch(1);
    final CountDownLatch cancelled = new CountDownLatch(1);
    private volatile Sub current;

    @Override
    public String name() {
        return "controlled";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        throw new UnsupportedOperationException("stream only");
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        return ChatStream.of(name(), subscriber -> {
            Sub s = new Sub(subscriber);
            current = s;
            s.start();
            subscribed.countDown();
        });
    }

    /** Sends a chunk to the subscriber, once it subscribed. */
    void emit(ChatChunk chunk) {
        awaitSubscribed().queue.add(chunk);
        current.poke();
    }

    /** Completes the stream. */
    void complete() {
        Sub s = awaitSubscribed();
        s.done = true;
        s.poke();
    }

    private Sub awaitSubscribed() {
        try {
            if (!subscribed.await(5, TimeUnit.SECONDS)) {
                throw new AssertionError("the stream was not subscribed to within 5 s");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return current;
    }

    /** {@return whether the stream was cancelled within 5 seconds} */
    boolean awaitCancelled() throws InterruptedException {
        return cancelled.await(5, TimeUnit.SECONDS);
    }

    @Override
    public List<ModelInfo> models() {
        return List.of();
    }

    private final class Sub extends AbstractSubscription<ChatChunk> {
        final ConcurrentLinkedQueue<ChatChunk> queue = new ConcurrentLinkedQueue<>();
        volatile boolean done;

        Sub(Flow.Subscriber<? super ChatChunk> downstream) {
            super(downstream);
        }

        void poke() {
            signal();
        }

        @Override
        protected long emit(long demand) {
            long sent = 0;
            while (sent < demand && !queue.isEmpty()) {
                if (!submitOnNext(queue.poll())) {
                    return sent;
                }
                sent++;
            }
            if (queue.isEmpty() && done) {
                submitOnComplete();
            }
            return sent;
        }

        @Override
        protected void abort(boolean flowInterrupted) {
            if (flowInterrupted) {
                cancelled.countDown();
            }
        }
    }
}
