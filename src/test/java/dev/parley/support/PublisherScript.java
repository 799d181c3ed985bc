package dev.parley.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.function.Function;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;

/**
 * A stream step for a {@code ScriptedProvider}: each stream gets a fresh {@link ScriptedPublisher}
 * of what the test {@linkplain #set set} last, and the publishers are kept for the test to inspect.
 * Thread-safe.
 */
public final class PublisherScript implements Function<ChatRequest, Flow.Publisher<ChatChunk>> {

    private final List<ScriptedPublisher> made = Collections.synchronizedList(new ArrayList<>());
    private volatile List<ChatChunk> chunks = List.of();
    private volatile RuntimeException error;

    /** Makes the next streams send these chunks, then fail with {@code error}, or complete if it is null. */
    public void set(List<ChatChunk> chunks, RuntimeException error) {
        this.chunks = List.copyOf(chunks);
        this.error = error;
    }

    @Override
    public ScriptedPublisher apply(ChatRequest request) {
        ScriptedPublisher p = new ScriptedPublisher(chunks, error);
        made.add(p);
        return p;
    }

    /** {@return the publishers made so far, one per stream subscribed to, in order} */
    public List<ScriptedPublisher> made() {
        return List.copyOf(made);
    }
}
