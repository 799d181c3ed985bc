package dev.parley.gateway;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Flow;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.http.AbstractSubscription;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;

/** A provider whose streams send some chunks and then fail with an error. Thread-safe. */
final class FailingStreamProvider implements Provider {

    private final List<ChatChunk> chunks;
    private final LlmException error;

    FailingStreamProvider(List<ChatChunk> chunks, LlmException error) {
        this.chunks = List.copyOf(chunks);
        this.error = error;
    }

    @Override
    public String name() {
        return "failing";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        throw error;
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        return ChatStream.of(name(), subscriber -> new Sub(subscriber).start());
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        throw error;
    }

    @Override
    public List<ModelInfo> models() {
        throw error;
    }

    private final class Sub extends AbstractSubscription<ChatChunk> {
        private int next;

        Sub(Flow.Subscriber<? super ChatChunk> downstream) {
            super(downstream);
        }

        @Override
        protected long emit(long demand) {
            long sent = 0;
            while (sent < demand && next < chunks.size()) {
                if (!submitOnNext(chunks.get(next++))) {
                    return sent;
                }
                sent++;
            }
            if (next == chunks.size()) {
                submitOnError(error);
            }
            return sent;
        }
    }
}
