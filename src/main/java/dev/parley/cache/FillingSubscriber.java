package dev.parley.cache;

import java.util.concurrent.Flow;
import java.util.function.Consumer;

import dev.parley.ChatChunk;
import dev.parley.ChatResponse;
import dev.parley.ChunkCollector;

/**
 * Passes a stream through to its subscriber unchanged (demand and cancellation go straight to
 * the upstream subscription) while adding the chunks up; when the stream completes normally, and
 * was not cancelled, hands the response to {@code onComplete} before the subscriber hears of it.
 */
final class FillingSubscriber implements Flow.Subscriber<ChatChunk> {

    private final Flow.Subscriber<? super ChatChunk> downstream;
    private final ChunkCollector collector;
    private final Consumer<ChatResponse> onComplete;
    private volatile boolean cancelled;

    /** @param provider the name of the provider asked, unless the chunks name the one that answered */
    FillingSubscriber(Flow.Subscriber<? super ChatChunk> downstream, String provider,
                      Consumer<ChatResponse> onComplete) {
        this.downstream = downstream;
        this.collector = new ChunkCollector(provider);
        this.onComplete = onComplete;
    }

    @Override
    public void onSubscribe(Flow.Subscription upstream) {
        downstream.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                upstream.request(n);
            }

            @Override
            public void cancel() {
                cancelled = true;
                upstream.cancel();
            }
        });
    }

    @Override
    public void onNext(ChatChunk chunk) {
        collector.add(chunk); // signals are serialized, so the collector needs no lock
        downstream.onNext(chunk);
    }

    @Override
    public void onError(Throwable error) {
        downstream.onError(error);
    }

    @Override
    public void onComplete() {
        if (!cancelled && collector.chunkCount() > 0) {
            try {
                onComplete.accept(collector.result());
            } catch (RuntimeException e) {
                // Caching is best effort: the stream itself completed, and its subscriber hears so.
            }
        }
        downstream.onComplete();
    }
}
