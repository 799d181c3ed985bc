package dev.parley.route;

import java.util.List;
import java.util.Set;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.ModelInfo;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;

/**
 * A provider that tries its targets in order as its {@link FallbackPolicy} says. Thread-safe;
 * the counters live in the policy.
 */
final class FallbackProvider implements Provider {

    private final Provider primary;
    private final List<FallbackPolicy.Target> targets;
    private final List<FallbackPolicy.Counters> counters;
    private final Failover failover;
    private final Failover.Counter counter;

    FallbackProvider(FallbackPolicy policy, Provider primary, List<FallbackPolicy.Target> targets, Failover failover) {
        this.primary = primary;
        this.targets = List.copyOf(targets);
        this.counters = targets.stream().map(policy::counters).toList();
        this.failover = failover;
        this.counter = new Failover.Counter() {
            @Override
            public void called(int target) {
                counters.get(target).calls.increment();
            }

            @Override
            public void failed(int target) {
                counters.get(target).failures.increment();
            }
        };
    }

    @Override
    public String name() {
        return primary.name();
    }

    @Override
    public Set<Capability> capabilities() {
        return primary.capabilities();
    }

    private ChatRequest requestFor(FallbackPolicy.Target target, ChatRequest request) {
        return target.model() == null ? request : request.withModel(target.model());
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return failover.call(targets.size(), i -> {
            FallbackPolicy.Target t = targets.get(i);
            return t.provider().chat(requestFor(t, request)).withProvider(t.provider().name());
        }, counter);
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        return failover.stream(i -> targets.get(i).provider().name(), targets.size(), i -> {
            FallbackPolicy.Target t = targets.get(i);
            return t.provider().stream(requestFor(t, request));
        }, counter);
    }

    /** Goes to the primary alone: another model's vectors are not comparable. */
    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        return primary.embed(request);
    }

    /** Goes to the primary alone. */
    @Override
    public List<ModelInfo> models() {
        return primary.models();
    }

    @Override
    public String toString() {
        return "Fallback[" + targets + "]";
    }
}
